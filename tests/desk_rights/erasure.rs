//! Erasure (no ciphertext left in the files), held records, late bundles, and retention on a simulated clock.

use super::*;

// ---------------------------------------------------------------------------------------------
// 2. Erasure.

#[test]
fn erasure_of_a_recent_patient_erases_contact_and_marketing_and_holds_the_record() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    let sid = desk
        .store
        .save_submission(
            &manager,
            submission_with(
                "Grace",
                "Hopper",
                "penicillin",
                &[
                    ("marketing_email", Decision::Granted),
                    ("marketing_sms", Decision::Granted),
                    ("photo_website", Decision::Refused),
                ],
            ),
            t0(),
        )
        .unwrap();
    let pid = patient_of(&desk.store, &manager, &sid);
    // An earlier address, kept in the amendment history until the erasure.
    let mut old = identity("Grace", "Hopper");
    old.phone = "+44 7700 900999".into();
    desk.store
        .amend_identity(&reception, &pid, &old, "new phone", t0())
        .unwrap();
    let tom_sid = desk
        .store
        .save_submission(&manager, child_submission("Tom", "Thumb"), t0())
        .unwrap();
    let tom = patient_of(&desk.store, &manager, &tom_sid);

    let asked = t0() + Duration::days(3);
    for who in [&reception, &clinician] {
        assert!(matches!(
            desk.store.request_erasure(who, &pid, asked),
            Err(StoreError::Forbidden)
        ));
    }
    assert!(matches!(
        desk.store.request_erasure(&manager, "nobody", asked),
        Err(StoreError::NotFound)
    ));

    let statement = desk.store.request_erasure(&manager, &pid, asked).unwrap();
    // The held record lists its form and the one decision kept, nothing erased.
    desk.store
        .verify_everything()
        .expect("whole after the erasure");
    // An adult's record is held until eight years after the last visit.
    assert_eq!(statement.held_until, Some(date(2034, 11, 23)));
    assert_eq!(statement.held_submissions, 1);
    assert_eq!(statement.patient_id, pid);
    let text = statement.to_text("Test Skin Clinic");
    assert!(text.contains("contact details"), "{text}");
    assert!(
        // Named by the titles the patient saw, not the item ids.
        text.contains("Offers and news by email")
            && text.contains("Before/after photos: the clinic's website")
            && !text.contains("marketing_email"),
        "{text}"
    );
    assert!(text.contains("23 November 2034"), "{text}");
    assert!(text.contains("1 form,"), "{text}");

    // Contact details are blank at once; name and date of birth stay with the medical record.
    let now_known = desk.store.patient_identity(&manager, &pid, asked).unwrap();
    assert_eq!(
        (
            now_known.email.as_str(),
            now_known.phone.as_str(),
            now_known.postcode.as_str()
        ),
        ("", "", "")
    );
    assert_eq!(now_known.given_name, "Grace");
    assert_eq!(now_known.date_of_birth, "1987-06-15");
    // The earlier contact details went too; nothing medical was amended, so nothing else.
    assert!(
        desk.store
            .amendments(&manager, &pid, asked)
            .unwrap()
            .is_empty()
    );
    // Only treatment consent is kept.
    let items: Vec<String> = desk
        .store
        .consent_history(&manager, &pid, asked)
        .unwrap()
        .into_iter()
        .map(|e| e.item_id)
        .collect();
    assert_eq!(items, vec!["treatment".to_owned()]);
    for channel in ["marketing_email", "marketing_sms"] {
        assert!(
            desk.store
                .marketing_list(&manager, channel, asked)
                .unwrap()
                .is_empty()
        );
    }
    // The medical record is held and still readable; the record shows the request.
    assert_eq!(allergy_of(&desk.store, &clinician, &sid), "penicillin");
    assert!(!desk.store.was_erased(&sid).unwrap());
    let record = desk.store.open_record(&manager, &pid, asked).unwrap();
    assert_eq!(record.erasure_requested_at, Some(asked.to_rfc3339()));
    // Still found by name and date of birth; no longer by the old postcode.
    assert_eq!(
        desk.store
            .find_patients(&reception, "Grace", "Hopper", "1987-06-15", asked)
            .unwrap(),
        vec![pid.clone()]
    );
    assert_eq!(
        desk.store
            .find_returning_patient(&reception, &identity("Grace", "Hopper"), asked)
            .unwrap(),
        None
    );
    assert!(audit_kinds(&desk.store, &manager, &pid).contains(&"erasure_requested".to_owned()));

    // A child's record is held until the 25th birthday (later than visit + 8 years).
    let child = desk.store.request_erasure(&manager, &tom, asked).unwrap();
    assert_eq!(child.held_until, Some(date(2040, 3, 10)));
    assert!(child.to_text("Test Skin Clinic").contains("10 March 2040"));

    // Asked again after the retention end: the whole record goes.
    let late = day(2034, 11, 24);
    let statement = desk.store.request_erasure(&manager, &pid, late).unwrap();
    assert_eq!(statement.held_until, None);
    assert_eq!(statement.held_submissions, 0);
    let text = statement.to_text("Test Skin Clinic");
    assert!(text.contains("whole record"), "{text}");
    assert!(text.contains("Nothing is held"), "{text}");
    assert!(matches!(
        desk.store.patient_identity(&manager, &pid, late),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        desk.store.read_medical(&clinician, &sid, late),
        Err(StoreError::NotFound)
    ));
    assert!(desk.store.was_erased(&sid).unwrap());
    assert!(audit_kinds(&desk.store, &manager, &pid).contains(&"erased".to_owned()));
    // Tom is untouched by Grace's erasure.
    assert_eq!(allergy_of(&desk.store, &clinician, &tom_sid), "none");
    verify_ok(&desk.store);
    assert_eq!(desk.store.store().integrity_check().unwrap(), "ok");
}

#[test]
fn erased_ciphertext_leaves_no_trace_in_the_files() {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    let clinician = sign_in(&mut desk.store, Role::Clinician);
    let marketing = [
        ("marketing_email", Decision::Granted),
        ("photo_website", Decision::Granted),
    ];
    // Bob was last seen nine years ago: past retention. Ada is recent: held on request.
    let bob_sid = desk
        .store
        .save_submission(
            &manager,
            submission_with("Bob", "Builder", "CANARY-BOB", &marketing),
            t0() - Duration::days(9 * 366),
        )
        .unwrap();
    let ada_sid = desk
        .store
        .save_submission(
            &manager,
            submission_with("Ada", "Lovelace", "CANARY-ADA", &marketing),
            t0(),
        )
        .unwrap();
    let bob = patient_of(&desk.store, &manager, &bob_sid);
    let ada = patient_of(&desk.store, &manager, &ada_sid);
    // Bob's record was amended (answers and details): the amendments hold the old values.
    let mut corrected = Answers::default();
    corrected.set("allergies", AnswerValue::Text("CANARY-BOB-2".into()));
    let bob_amendment = desk
        .store
        .amend_answers(
            &clinician,
            &bob_sid,
            &corrected,
            "typo",
            t0() - Duration::days(9 * 366),
        )
        .unwrap();

    let identity_sql = "SELECT sealed_identity FROM patients WHERE id = ?1";
    let mut gone: Vec<(String, Vec<u8>)> = vec![
        (
            "Bob's identity".into(),
            sealed_tail(&desk.dir, identity_sql, &bob),
        ),
        (
            "Bob's answers".into(),
            sealed_tail(
                &desk.dir,
                "SELECT sealed_answers FROM submissions WHERE id = ?1",
                &bob_sid,
            ),
        ),
        (
            "Bob's signature".into(),
            sealed_tail(
                &desk.dir,
                "SELECT sealed_signature FROM submissions WHERE id = ?1",
                &bob_sid,
            ),
        ),
        (
            "Bob's replaced answers".into(),
            sealed_tail(
                &desk.dir,
                "SELECT sealed_previous FROM amendments WHERE id = ?1",
                &bob_amendment,
            ),
        ),
        // Ada's identity blob with her contact details is replaced on erasure.
        (
            "Ada's contact details".into(),
            sealed_tail(&desk.dir, identity_sql, &ada),
        ),
    ];
    for tail in sealed_ledger_tails(&desk.dir, &bob) {
        gone.push(("Bob's consent decisions".into(), tail));
    }
    let kept: Vec<(String, Vec<u8>)> = vec![(
        "Ada's answers".into(),
        sealed_tail(
            &desk.dir,
            "SELECT sealed_answers FROM submissions WHERE id = ?1",
            &ada_sid,
        ),
    )];
    // Ada's form's decisions share one sealed row: it goes whole, and the held treatment
    // decision is sealed again in a row of its own (checked below by its history).
    for tail in sealed_ledger_tails(&desk.dir, &ada) {
        gone.push(("Ada's form's consent decisions".into(), tail));
    }
    let ada_history = desk.store.consent_history(&manager, &ada, t0()).unwrap();
    let ada_treatment: Vec<_> = ada_history
        .iter()
        .filter(|e| e.item_id == "treatment")
        .cloned()
        .collect();
    assert!(!ada_treatment.is_empty() && ada_treatment.len() < ada_history.len());
    for (what, tail) in gone.iter().chain(&kept) {
        assert!(
            !files_containing(desk.dir.path(), tail).is_empty(),
            "{what} is in the files before erasure"
        );
    }

    // Ada asks for erasure (held); the retention run erases Bob whole.
    let statement = desk.store.request_erasure(&manager, &ada, t0()).unwrap();
    assert!(statement.held_until.is_some());
    let report = desk.store.run_retention(&manager, t0()).unwrap();
    assert_eq!(report.erased_adults.len(), 1);
    assert_eq!(report.erased_adults[0].0, bob);
    assert_eq!(report.erased_submissions, 1);
    assert!(desk.store.was_erased(&bob_sid).unwrap());

    // With the store open (WAL in use) and after it is closed, none of the erased ciphertext
    // is anywhere in the database, WAL or shm files; what is held is still there.
    let check = |stage: &str| {
        for (what, tail) in &gone {
            assert_eq!(
                files_containing(desk.dir.path(), tail),
                Vec::<std::path::PathBuf>::new(),
                "{what} is still in the files ({stage})"
            );
        }
        for (what, tail) in &kept {
            assert!(
                !files_containing(desk.dir.path(), tail).is_empty(),
                "{what} is held ({stage})"
            );
        }
    };
    check("store open");
    assert_eq!(
        desk.store.consent_history(&manager, &ada, t0()).unwrap(),
        ada_treatment,
        "Ada's treatment decision is held, as it was"
    );
    let held_rows = sealed_ledger_tails(&desk.dir, &ada);
    assert_eq!(held_rows.len(), 1);
    assert_eq!(desk.store.store().integrity_check().unwrap(), "ok");
    let Clinic { store, dir, .. } = desk;
    let closed = store.close(Some(&manager), t0()).unwrap();
    drop(closed);
    let desk_dir = dir;
    for (what, tail) in &gone {
        assert_eq!(
            files_containing(desk_dir.path(), tail),
            Vec::<std::path::PathBuf>::new(),
            "{what} is still in the files (store closed)"
        );
    }
}

#[test]
fn erasure_beside_another_open_window_says_old_copies_remain_until_it_closes() {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    // Last seen nine years ago: an erasure request erases the whole record at once.
    let sid = desk
        .store
        .save_submission(
            &manager,
            submission_with("Bob", "Builder", "CANARY-BOB", &[]),
            t0() - Duration::days(9 * 366),
        )
        .unwrap();
    let bob = patient_of(&desk.store, &manager, &sid);
    let gone = [
        sealed_tail(
            &desk.dir,
            "SELECT sealed_identity FROM patients WHERE id = ?1",
            &bob,
        ),
        sealed_tail(
            &desk.dir,
            "SELECT sealed_answers FROM submissions WHERE id = ?1",
            &sid,
        ),
        sealed_tail(
            &desk.dir,
            "SELECT sealed_signature FROM submissions WHERE id = ?1",
            &sid,
        ),
    ];
    let in_files = |dir: &tempfile::TempDir| {
        gone.iter()
            .filter(|tail| !files_containing(dir.path(), tail).is_empty())
            .count()
    };
    assert_eq!(in_files(&desk.dir), gone.len());

    // The desk window, say, beside this command: in the middle of reading the register.
    let window = rusqlite::Connection::open_with_flags(
        db_path(&desk.dir),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    window.execute_batch("BEGIN").unwrap();
    let patients: i64 = window
        .query_row("SELECT count(*) FROM patients", [], |r| r.get(0))
        .unwrap();
    assert_eq!(patients, 1);

    let statement = desk.store.request_erasure(&manager, &bob, t0()).unwrap();
    assert_eq!(statement.held_until, None);
    assert!(
        statement.old_copies_remain,
        "the erasure says copies remain"
    );
    assert!(
        in_files(&desk.dir) > 0,
        "the window's read kept old copies in the files"
    );

    // The command closes first (its close cannot truncate either), then the window.
    let Clinic { store, dir, .. } = desk;
    drop(store.close(Some(&manager), t0()).unwrap());
    window.execute_batch("COMMIT").unwrap();
    drop(window);

    // The next open finishes the truncation that was owed.
    let reopened = intake_kiosk::store::Store::open(&db_path(&dir)).unwrap();
    assert_eq!(
        in_files(&dir),
        0,
        "erased ciphertext is gone from db, WAL and shm"
    );
    drop(reopened);
    assert_eq!(in_files(&dir), 0);
}

#[test]
fn a_late_bundle_does_not_bring_an_erased_submission_back() {
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    let sid = kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &out, t0())
        .unwrap();
    assert_eq!(report.added.len(), 1);
    let pid = report.added[0].patient_id.clone();

    // Nine years on, Ada asks for erasure: past retention, the whole record goes.
    let late = t0() + Duration::days(9 * 366);
    let statement = desk.store.request_erasure(&d_manager, &pid, late).unwrap();
    assert_eq!(statement.held_until, None);
    assert!(desk.store.was_erased(&sid).unwrap());
    assert_eq!(desk.store.patient_count().unwrap(), 0);

    // The kiosk never got its receipt and sends the same submission again.
    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(12), "h2", &out, late)
        .unwrap();
    assert!(report.added.is_empty());
    assert_eq!(report.duplicates, vec![sid.clone()]);
    assert_eq!(desk.store.patient_count().unwrap(), 0);
    assert!(
        desk.store
            .find_patients(&d_manager, "Ada", "Lovelace", "1987-06-15", late)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_form_filled_before_an_erasure_request_joins_the_held_record_without_contact_or_marketing() {
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    // First visit reaches the desk.
    kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let first = kiosk.store.outgoing(&k_manager).unwrap();
    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &first, t0())
        .unwrap();
    let pid = report.added[0].patient_id.clone();
    // A second form is filled the next day but sits on the kiosk; meanwhile Ada asks for erasure.
    let mut second_form = submission("Ada", "Lovelace", "latex, nuts");
    second_form
        .consents
        .push(consent("marketing_email", Decision::Granted));
    let second_sid = kiosk
        .store
        .save_submission(&k_manager, second_form, t0() + Duration::days(1))
        .unwrap();
    let asked = t0() + Duration::days(2);
    let statement = desk.store.request_erasure(&d_manager, &pid, asked).unwrap();
    assert!(statement.held_until.is_some());
    // The late bundle carries both forms: the first is a duplicate, the second joins the held
    // record — no new patient, no contact details back, no marketing grant.
    let late = kiosk.store.outgoing(&k_manager).unwrap();
    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(14), "h2", &late, asked)
        .unwrap();
    assert_eq!(report.added.len(), 1);
    assert_eq!(report.added[0].submission_id, second_sid);
    assert_eq!(report.added[0].patient_id, pid);
    assert_eq!(desk.store.patient_count().unwrap(), 1);
    let identity = desk
        .store
        .patient_identity(&d_manager, &pid, asked)
        .unwrap();
    assert_eq!(
        (
            identity.email.as_str(),
            identity.phone.as_str(),
            identity.postcode.as_str()
        ),
        ("", "", "")
    );
    let items: Vec<String> = desk
        .store
        .consent_history(&d_manager, &pid, asked)
        .unwrap()
        .into_iter()
        .map(|e| e.item_id)
        .collect();
    assert!(items.iter().all(|i| i == "treatment"), "{items:?}");
    assert!(
        desk.store
            .marketing_list(&d_manager, "marketing_email", asked)
            .unwrap()
            .is_empty()
    );
    // What goes on to the records system is what was stored: no contact details, no marketing.
    let outbox = tempfile::tempdir().unwrap();
    intake_kiosk::exchange::outbox::hand_on("kiosk-1", &late, &report.added, outbox.path())
        .unwrap();
    for ext in ["fhir.json", "json", "html"] {
        let file = outbox.path().join(format!("{second_sid}.{ext}"));
        let text = std::fs::read_to_string(&file).unwrap();
        for gone in [
            "ada@example.org",
            "7700 900123",
            "SW1A 1AA",
            "marketing_email",
        ] {
            assert!(!text.contains(gone), "{ext} still holds {gone:?}");
        }
        assert!(
            text.contains("Lovelace"),
            "{ext}: the held record's form itself goes on"
        );
    }
    // A form filled *after* the request is a new visit: it starts a record of its own.
    kiosk
        .store
        .save_submission(
            &k_manager,
            submission("Ada", "Lovelace", "none"),
            asked + Duration::days(30),
        )
        .unwrap();
    let later = kiosk.store.outgoing(&k_manager).unwrap();
    let report = desk
        .store
        .import_bundle(
            &d_manager,
            "kiosk-1",
            3,
            &head(20),
            "h3",
            &later,
            asked + Duration::days(31),
        )
        .unwrap();
    assert_eq!(report.added.len(), 1);
    assert_ne!(report.added[0].patient_id, pid);
}

/// An erasure asked again of a record held for erasure is refused in words: nothing more can
/// be erased before its retention end, and the statement given the first time (what was erased)
/// is not replaced by one that says nothing was (as the window did, overwriting its file).
#[test]
fn a_second_erasure_of_a_held_record_is_refused_and_the_first_statement_stands() {
    use intake_kiosk::desk::actions::{self, StatementTo};
    let (mut desk, manager, _, _) = desk_with_staff();
    let sid = desk
        .store
        .save_submission(&manager, submission("Grace", "Hopper", "penicillin"), t0())
        .unwrap();
    let pid = patient_of(&desk.store, &manager, &sid);
    let exports = tempfile::tempdir().unwrap();
    // Dated after this version's release (t0 is before it): a desk clock reading earlier dates
    // nothing (src/desk/actions/clock.rs).
    let first = actions::erase(
        &desk.store,
        &manager,
        &pid,
        StatementTo::Folder(exports.path()),
        exports.path(),
        t0() + Duration::days(9),
    )
    .unwrap();
    assert!(first.held());
    let file = exports.path().join(format!("erasure-{pid}.txt"));
    let statement = std::fs::read_to_string(&file).unwrap();
    assert!(statement.contains("contact details"), "{statement}");
    let again = actions::erase(
        &desk.store,
        &manager,
        &pid,
        StatementTo::Folder(exports.path()),
        exports.path(),
        t0() + Duration::days(10),
    )
    .unwrap_err();
    let actions::ActionError::Store(refused) = &again else {
        panic!("{again:?}");
    };
    let words = intake_kiosk::desk::store_failure_words("en", refused);
    assert!(
        words.starts_with("Erasure of this record was already requested on "),
        "{words}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), statement);
    // Past its retention end, the same request erases the whole record.
    let done = actions::erase(
        &desk.store,
        &manager,
        &pid,
        StatementTo::Nowhere,
        exports.path(),
        t0() + Duration::days(9 * 366),
    )
    .unwrap();
    assert!(!done.held());
}

/// An erasure takes the patient's forms the records system has not taken yet back out of the
/// outbox: written again as held (no contact details, no marketing) while the medical record is
/// held, removed when the whole record goes. Another patient's files, a person's own file and a
/// link planted under a form's name are left as they are.
#[test]
fn an_erasure_takes_the_patients_waiting_forms_back_out_of_the_outbox() {
    use intake_kiosk::desk::actions::{self, StatementTo};
    use intake_kiosk::exchange::outbox::{TakenBack, hand_on};
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    let outbox = tempfile::tempdir().unwrap();
    desk.store
        .set_setting(
            &d_manager,
            "outbox_folder",
            outbox.path().to_str().unwrap(),
            t0(),
        )
        .unwrap();
    let mut ada_form = submission("Ada", "Lovelace", "latex");
    ada_form
        .consents
        .push(consent("marketing_email", Decision::Granted));
    let ada_sid = kiosk
        .store
        .save_submission(&k_manager, ada_form, t0())
        .unwrap();
    let grace_sid = kiosk
        .store
        .save_submission(
            &k_manager,
            submission("Grace", "Hopper", "none"),
            t0() + Duration::minutes(1),
        )
        .unwrap();
    let sent = kiosk.store.outgoing(&k_manager).unwrap();
    let at = t0() + Duration::minutes(2);
    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &sent, at)
        .unwrap();
    let patient = |sid: &str| {
        report
            .added
            .iter()
            .find(|a| a.submission_id == sid)
            .unwrap()
            .patient_id
            .clone()
    };
    let (ada, grace) = (patient(&ada_sid), patient(&grace_sid));
    assert_eq!(
        hand_on("kiosk-1", &sent, &report.added, outbox.path()).unwrap(),
        6
    );
    std::fs::write(outbox.path().join("notes.txt"), "mine").unwrap();
    let file = |sid: &str, ext: &str| outbox.path().join(format!("{sid}.{ext}"));
    let grace_before = std::fs::read(file(&grace_sid, "fhir.json")).unwrap();
    for ext in ["json", "html", "fhir.json"] {
        let text = std::fs::read_to_string(file(&ada_sid, ext)).unwrap();
        assert!(text.contains("ada@example.org"), "{ext}: handed on whole");
    }

    // Ada asks for erasure nine days on (after this version's release: t0 is before it, and a
    // desk clock reading earlier dates nothing), her form still waiting: held, so written again
    // as held.
    let done = actions::erase(
        &desk.store,
        &d_manager,
        &ada,
        StatementTo::Nowhere,
        &outbox.path().join("exports"),
        t0() + Duration::days(9),
    )
    .unwrap();
    assert!(done.held());
    let (dir, taken) = done.outbox.expect("an outbox is set");
    assert_eq!(dir, outbox.path());
    assert_eq!(
        taken.unwrap(),
        TakenBack {
            removed: 0,
            rewritten: 1
        }
    );
    for ext in ["json", "html", "fhir.json"] {
        let text = std::fs::read_to_string(file(&ada_sid, ext)).unwrap();
        for gone in [
            "ada@example.org",
            "7700 900123",
            "SW1A 1AA",
            "marketing_email",
        ] {
            assert!(!text.contains(gone), "{ext} still holds {gone:?}");
        }
        assert!(text.contains("Lovelace"), "{ext}: the held form goes on");
    }
    assert_eq!(
        std::fs::read(file(&grace_sid, "fhir.json")).unwrap(),
        grace_before,
        "another patient's form is not touched"
    );

    // Grace, nine years on: past retention, her whole record goes, and her waiting files with
    // it; a link planted under one of their names is not followed or removed.
    std::fs::remove_file(file(&grace_sid, "html")).unwrap();
    std::os::unix::fs::symlink(outbox.path().join("notes.txt"), file(&grace_sid, "html")).unwrap();
    let done = actions::erase(
        &desk.store,
        &d_manager,
        &grace,
        StatementTo::Nowhere,
        &outbox.path().join("exports"),
        t0() + Duration::days(9 * 366),
    )
    .unwrap();
    assert!(!done.held());
    let (_, taken) = done.outbox.expect("an outbox is set");
    assert_eq!(
        taken.unwrap(),
        TakenBack {
            removed: 1,
            rewritten: 0
        }
    );
    assert!(!file(&grace_sid, "json").exists());
    assert!(!file(&grace_sid, "fhir.json").exists());
    assert!(
        std::fs::symlink_metadata(file(&grace_sid, "html"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(outbox.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Retention across a simulated clock.

#[test]
fn retention_erases_adults_after_eight_years_and_children_after_their_25th_birthday() {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    let clinician = sign_in(&mut desk.store, Role::Clinician);
    let ada_sid = desk
        .store
        .save_submission(&manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let grace_sid = desk
        .store
        .save_submission(&manager, submission("Grace", "Hopper", "none"), t0())
        .unwrap();
    let tom_sid = desk
        .store
        .save_submission(&manager, child_submission("Tom", "Thumb"), t0())
        .unwrap();
    let ada = patient_of(&desk.store, &manager, &ada_sid);
    let grace = patient_of(&desk.store, &manager, &grace_sid);
    let tom = patient_of(&desk.store, &manager, &tom_sid);

    assert!(matches!(
        desk.store.run_retention(&clinician, t0()),
        Err(StoreError::Forbidden)
    ));
    // A request in the register outlives the record it was about (the link is cleared).
    let request = desk
        .store
        .log_rights_request(
            &manager,
            &NewRightsRequest {
                patient_id: Some(ada.clone()),
                kind: RequestKind::Objection,
                received_on: t0().date_naive(),
                requester: "the patient, by letter".into(),
                identity_check: "signature compared with the form".into(),
                notes: String::new(),
            },
            t0(),
        )
        .unwrap();

    // Seven years on, and on the last day held: nothing. (Runs years apart: before each a
    // manager confirms the date, as a desk unused for that long asks; see below.)
    for now in [t0() + Duration::days(7 * 365), day(2034, 11, 23)] {
        desk.store.confirm_clock(&manager, now).unwrap();
        let report = desk.store.run_retention(&manager, now).unwrap();
        assert!(report.erased_adults.is_empty() && report.erased_children.is_empty());
        assert_eq!(report.erased_submissions, 0);
        assert_eq!(desk.store.patient_count().unwrap(), 3);
    }

    // Eight years and a day: the adults go, the child is held.
    let report = desk
        .store
        .run_retention(&manager, day(2034, 11, 24))
        .unwrap();
    let mut adults = report.erased_adults.clone();
    adults.sort();
    let mut expected = vec![
        (ada.clone(), date(2034, 11, 23)),
        (grace.clone(), date(2034, 11, 23)),
    ];
    expected.sort();
    assert_eq!(adults, expected);
    assert!(report.erased_children.is_empty());
    assert_eq!(report.erased_submissions, 2);
    assert_eq!(report.checked, 3);
    assert_eq!(report.policy, Some(RetentionPolicy::default()));
    assert_eq!(desk.store.patient_count().unwrap(), 1);
    assert!(desk.store.was_erased(&ada_sid).unwrap() && desk.store.was_erased(&grace_sid).unwrap());
    assert_eq!(allergy_of(&desk.store, &clinician, &tom_sid), "none");
    let kept = desk.store.rights_requests(&manager).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, request);
    assert_eq!(kept[0].patient_id, None);
    assert_eq!(kept[0].requester, "the patient, by letter");

    // Years after the last run the clock is not trusted to erase: nothing is erased, no run is
    // logged, until a manager confirms the date.
    assert!(matches!(
        desk.store.run_retention(&manager, day(2040, 3, 11)),
        Err(StoreError::ClockAhead { .. })
    ));
    assert_eq!(desk.store.patient_count().unwrap(), 1);
    desk.store
        .confirm_clock(&manager, day(2040, 3, 10))
        .unwrap();
    // Tom's 25th birthday (10 March 2040) is the last day held.
    let report = desk
        .store
        .run_retention(&manager, day(2040, 3, 10))
        .unwrap();
    assert!(report.erased_children.is_empty());
    let report = desk
        .store
        .run_retention(&manager, day(2040, 3, 11))
        .unwrap();
    assert_eq!(
        report.erased_children,
        vec![(tom.clone(), date(2040, 3, 10))]
    );
    assert!(report.erased_adults.is_empty());
    assert_eq!(desk.store.patient_count().unwrap(), 0);

    // Every erasure and every run is in the audit log.
    for pid in [&ada, &grace, &tom] {
        assert_eq!(
            count_kind(&audit_kinds(&desk.store, &manager, pid), "erased"),
            1
        );
    }
    let runs: Vec<String> = desk
        .store
        .audit_entries(&manager, None, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "retention_run")
        .map(|e| e.subject)
        .collect();
    assert_eq!(runs, vec!["0", "0", "2", "0", "1"]);
    verify_ok(&desk.store);

    // The clinic's own period: two years for adults.
    let seen = day(2041, 1, 10);
    let eve_sid = desk
        .store
        .save_submission(&manager, submission("Eve", "Adams", "none"), seen)
        .unwrap();
    assert!(matches!(
        desk.store
            .set_setting(&clinician, "retention.adult_years", "2", seen),
        Err(StoreError::Forbidden)
    ));
    desk.store
        .set_setting(&manager, "retention.adult_years", "2", seen)
        .unwrap();
    assert_eq!(desk.store.retention_policy().unwrap().adult_years, 2);
    desk.store
        .confirm_clock(&manager, day(2043, 1, 10))
        .unwrap();
    let report = desk
        .store
        .run_retention(&manager, day(2043, 1, 10))
        .unwrap();
    assert!(report.erased_adults.is_empty());
    let report = desk
        .store
        .run_retention(&manager, day(2043, 1, 11))
        .unwrap();
    assert_eq!(report.erased_adults.len(), 1);
    assert!(desk.store.was_erased(&eve_sid).unwrap());
    // A nonsense setting is refused before it is stored, rather than read as "erase
    // everything": the policy stays as it was.
    assert!(matches!(
        desk.store
            .set_setting(&manager, "retention.adult_years", "0", seen),
        Err(StoreError::Setting(_))
    ));
    assert_eq!(desk.store.retention_policy().unwrap().adult_years, 2);
    desk.store.run_retention(&manager, day(2043, 2, 1)).unwrap();
    verify_ok(&desk.store);
}
