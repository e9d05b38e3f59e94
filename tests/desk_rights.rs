//! Rights at the desk: search without decrypting the register, withdrawal of one consent (history
//! kept), marketing lists of granted patients; rectification with history, erasure (no ciphertext
//! left in the files) and retention on a simulated clock, restriction, the rights-request and
//! breach registers, need-to-know on the record, unusual-access flags, and the access export.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use intake_kiosk::exchange::ExchangeError;
use intake_kiosk::exchange::access::export_patient;
use intake_kiosk::forms::{AnswerValue, Answers, Decision, FormDefinition};
use intake_kiosk::rights::{
    FlagKind, RequestKind, RequestStatus, RetentionPolicy, Risk, report_deadline,
};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{
    Actor, AuditEntry, AuditHead, NewBreach, NewRightsRequest, NewSubmission, OpenStore, Outgoing,
    PatientRef, Previous, StoreError, UPDATED_AT_KIOSK,
};
use intake_kiosk::vault::Pin;
use serde_json::{Value, json};

/// A desk with its manager, clinician and receptionist signed in.
fn desk_with_staff() -> (Clinic, Actor, Actor, Actor) {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    let clinician = sign_in(&mut desk.store, Role::Clinician);
    let reception = sign_in(&mut desk.store, Role::Reception);
    (desk, manager, clinician, reception)
}

/// A kiosk and a desk that knows it as "kiosk-1", each with its manager signed in.
fn kiosk_linked_to_desk() -> (Clinic, Actor, Clinic, Actor) {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k_manager = sign_in(&mut kiosk.store, Role::Manager);
    let d_manager = sign_in(&mut desk.store, Role::Manager);
    desk.store
        .link_kiosk(&d_manager, "kiosk-1", &[7u8; 32], "123 456", t0())
        .unwrap();
    // The code the kiosk shows, typed at the desk: until then its bundles are refused.
    desk.store
        .confirm_kiosk(&d_manager, "kiosk-1", "123 456", t0())
        .unwrap();
    (kiosk, k_manager, desk, d_manager)
}

/// A kiosk's audit checkpoint of `length` entries, as a bundle carries it.
fn head(length: u64) -> AuditHead {
    AuditHead {
        length,
        last_tag: "00".repeat(32),
    }
}

#[test]
fn search_withdraw_and_marketing_lists() {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    let reception = sign_in(&mut desk.store, Role::Reception);
    desk.store
        .save_submission(&manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let mut grace = submission("Grace", "Hopper", "none");
    grace
        .consents
        .push(consent("marketing_email", Decision::Granted));
    grace.consents[1] = consent("marketing_sms", Decision::Granted);
    desk.store.save_submission(&manager, grace, t0()).unwrap();

    // Search by name and date of birth, accents and case folded, on the blind index.
    let found = desk
        .store
        .find_patients(&reception, "grace", "HOPPER", "1987-06-15", t0())
        .unwrap();
    assert_eq!(found.len(), 1);
    let grace_id = found[0].clone();
    assert!(
        desk.store
            .find_patients(&reception, "Grace", "Hopper", "1987-06-16", t0())
            .unwrap()
            .is_empty()
    );

    // Only a manager exports a list; it holds only patients whose consent is granted now.
    assert!(matches!(
        desk.store.marketing_list(&reception, "marketing_sms", t0()),
        Err(StoreError::Forbidden)
    ));
    let sms = desk
        .store
        .marketing_list(&manager, "marketing_sms", t0())
        .unwrap();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].identity.given_name, "Grace");

    // Grace withdraws SMS only (at reception): effective at once, email untouched.
    let event = desk
        .store
        .withdraw_consent(&reception, &grace_id, "marketing_sms", t0())
        .unwrap();
    assert_eq!(event.decision, Decision::Withdrawn);
    assert!(
        desk.store
            .marketing_list(&manager, "marketing_sms", t0())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        desk.store
            .marketing_list(&manager, "marketing_email", t0())
            .unwrap()
            .len(),
        1
    );
    let history = desk
        .store
        .consent_history(&manager, &grace_id, t0())
        .unwrap();
    let sms_history: Vec<Decision> = history
        .iter()
        .filter(|e| e.item_id == "marketing_sms")
        .map(|e| e.decision)
        .collect();
    assert_eq!(sms_history, vec![Decision::Granted, Decision::Withdrawn]);
    // Nothing granted is left to withdraw.
    assert!(matches!(
        desk.store
            .withdraw_consent(&reception, &grace_id, "marketing_sms", t0()),
        Err(StoreError::NotFound)
    ));

    // A later grant (at a next visit) puts her back on the list: the ledger decides.
    let mut again = submission("Grace", "Hopper", "none");
    again.patient = returning(&desk.store, &manager, &grace_id);
    again.consents[1] = consent("marketing_sms", Decision::Granted);
    desk.store.save_submission(&manager, again, t0()).unwrap();
    assert_eq!(
        desk.store
            .marketing_list(&manager, "marketing_sms", t0())
            .unwrap()
            .len(),
        1
    );

    // Every search, withdrawal and export is in the audit log.
    let kinds: Vec<String> = desk
        .store
        .audit_entries(&manager, None, None)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for kind in ["patient_lookup", "consent_recorded", "exported"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing");
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the rights tests below.

/// Midday UTC on a day (well inside default opening hours).
fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The patient a submission was saved for (read as the manager, which logs a view).
fn patient_of(store: &OpenStore, manager: &Actor, submission_id: &str) -> String {
    store
        .read_medical(manager, submission_id, t0())
        .expect("read medical")
        .patient_id
}

/// A submission whose consents are treatment plus the given (item, decision) pairs.
fn submission_with(
    given: &str,
    family: &str,
    allergy: &str,
    consents: &[(&str, Decision)],
) -> NewSubmission {
    let mut s = submission(given, family, allergy);
    s.consents = std::iter::once(consent("treatment", Decision::Granted))
        .chain(consents.iter().map(|(item, d)| consent(item, *d)))
        .collect();
    s
}

/// A child's submission: born 10 March 2015.
fn child_submission(given: &str, family: &str) -> NewSubmission {
    let mut s = submission(given, family, "none");
    if let PatientRef::New(identity) = &mut s.patient {
        identity.date_of_birth = "2015-03-10".into();
    }
    s
}

fn text_answer(answers: &Answers, id: &str) -> String {
    match answers.get(id) {
        Some(AnswerValue::Text(t)) => t.clone(),
        _ => panic!("{id} is not a text answer"),
    }
}

/// The kinds of the audit entries about `subject`.
fn audit_kinds(store: &OpenStore, manager: &Actor, subject: &str) -> Vec<String> {
    store
        .audit_entries(manager, Some(subject), None)
        .expect("audit entries")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

fn count_kind(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

/// The last 32 bytes of a sealed blob as it sits in the file (a read-only look from outside the
/// store; the connection is closed before returning).
fn sealed_tail(dir: &tempfile::TempDir, sql: &str, id: &str) -> Vec<u8> {
    let raw = rusqlite::Connection::open_with_flags(
        db_path(dir),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("raw open");
    let blob: Vec<u8> = raw
        .query_row(sql, [id], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql} for {id}: {e}"));
    assert!(blob.len() > 32, "a sealed blob is longer than its tag");
    blob[blob.len() - 32..].to_vec()
}

/// Every sealed consent event of a patient, as tails, with the item each is for.
fn sealed_event_tails(
    store: &OpenStore,
    manager: &Actor,
    dir: &tempfile::TempDir,
    patient_id: &str,
) -> Vec<(String, Vec<u8>)> {
    store
        .consent_history(manager, patient_id, t0())
        .expect("history")
        .into_iter()
        .map(|e| {
            (
                e.item_id.clone(),
                sealed_tail(
                    dir,
                    "SELECT sealed_event FROM consent_events WHERE id = ?1",
                    &e.id,
                ),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Rectification.

#[test]
fn amendments_keep_the_replaced_value_with_who_when_and_why() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    let sid = desk
        .store
        .save_submission(&manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let pid = patient_of(&desk.store, &manager, &sid);
    let later = t0() + Duration::hours(2);

    let mut corrected = Answers::default();
    corrected.set("allergies", AnswerValue::Text("latex, nickel".into()));
    corrected.set("pregnant", AnswerValue::YesNo(false));

    // Reception may not change medical answers; every amendment needs a reason.
    assert!(matches!(
        desk.store
            .amend_answers(&reception, &sid, &corrected, "typo", later),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        desk.store
            .amend_answers(&clinician, &sid, &corrected, "   ", later),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.store
            .amend_answers(&clinician, "no-such-submission", &corrected, "typo", later),
        Err(StoreError::NotFound)
    ));
    assert_eq!(allergy_of(&desk.store, &clinician, &sid), "latex");

    let amendment_id = desk
        .store
        .amend_answers(
            &clinician,
            &sid,
            &corrected,
            "patient remembered a nickel allergy",
            later,
        )
        .unwrap();
    // The new answers are current wherever a reader looks.
    assert_eq!(allergy_of(&desk.store, &clinician, &sid), "latex, nickel");

    // The old answers are kept, with who, when and why.
    let history = desk.store.amendments(&clinician, &pid, later).unwrap();
    assert_eq!(history.len(), 1);
    let a = &history[0];
    assert_eq!(a.id, amendment_id);
    assert_eq!(a.patient_id, pid);
    assert_eq!(a.submission_id.as_deref(), Some(sid.as_str()));
    assert_eq!(a.staff_id, clinician.staff_id());
    assert_eq!(a.amended_at, later.to_rfc3339());
    assert_eq!(a.reason, "patient remembered a nickel allergy");
    match &a.previous {
        Previous::Answers(old) => assert_eq!(text_answer(old, "allergies"), "latex"),
        _ => panic!("the replaced answers are kept"),
    }
    // Reception sees that the answers were amended, by whom and why, but not what they were.
    let seen = desk.store.amendments(&reception, &pid, later).unwrap();
    assert_eq!(seen.len(), 1);
    assert!(matches!(seen[0].previous, Previous::Withheld));
    assert_eq!(seen[0].reason, "patient remembered a nickel allergy");
    assert_eq!(seen[0].staff_id, clinician.staff_id());

    // Reception corrects the address: any role may; the old details are kept too.
    let mut moved = identity("Ada", "Lovelace");
    moved.postcode = "EC1A 1BB".into();
    moved.email = "ada@analytical.example".into();
    assert!(matches!(
        desk.store
            .amend_identity(&reception, &pid, &moved, "", later),
        Err(StoreError::Invalid(_))
    ));
    desk.store
        .amend_identity(&reception, &pid, &moved, "moved house", later)
        .unwrap();
    let now_known = desk
        .store
        .patient_identity(&reception, &pid, later)
        .unwrap();
    assert_eq!(now_known.postcode, "EC1A 1BB");
    assert_eq!(now_known.email, "ada@analytical.example");
    let seen = desk.store.amendments(&reception, &pid, later).unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].submission_id, None);
    assert_eq!(seen[1].staff_id, reception.staff_id());
    match &seen[1].previous {
        Previous::Identity(old) => {
            assert_eq!(old.postcode, "SW1A 1AA");
            assert_eq!(old.email, "ada@example.org");
        }
        _ => panic!("contact details are not medical: reception sees the old ones"),
    }
    // The returning-patient look-up follows the new postcode.
    assert_eq!(
        desk.store
            .find_returning_patient(&reception, &moved, later)
            .unwrap()
            .as_deref(),
        Some(pid.as_str())
    );

    // Both amendments are in the audit log, under the submission and the patient.
    let on_submission = desk
        .store
        .audit_entries(&manager, Some(&sid), None)
        .unwrap();
    assert!(
        on_submission
            .iter()
            .any(|e| e.kind == "amended" && e.actor == clinician.staff_id())
    );
    let on_patient = desk
        .store
        .audit_entries(&manager, Some(&pid), None)
        .unwrap();
    assert!(
        on_patient
            .iter()
            .any(|e| e.kind == "amended" && e.actor == reception.staff_id())
    );

    // The record lists the submission as version 2; a second, unamended one is version 1.
    let mut again = submission("Ada", "Lovelace", "none");
    again.patient = returning(&desk.store, &manager, &pid);
    let second = desk
        .store
        .save_submission(&manager, again, later + Duration::hours(1))
        .unwrap();
    let record = desk.store.open_record(&clinician, &pid, later).unwrap();
    let entries = record.submissions.expect("clinicians see submissions");
    let versions: Vec<(&str, usize)> = entries.iter().map(|e| (e.id.as_str(), e.version)).collect();
    assert_eq!(versions, vec![(second.as_str(), 1), (sid.as_str(), 2)]);

    // The FHIR export marks the rectified response as amended, the other as completed.
    let out = tempfile::tempdir().unwrap();
    let files = export_patient(&desk.store, &manager, &pid, out.path(), later).unwrap();
    let bundle: Value = serde_json::from_slice(&std::fs::read(&files.fhir).unwrap()).unwrap();
    let status_of = |id: &str| -> String {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .find(|r| {
                r["resourceType"] == "QuestionnaireResponse" && r["identifier"]["value"] == id
            })
            .unwrap_or_else(|| panic!("no QuestionnaireResponse for {id}"))["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(status_of(&sid), "amended");
    assert_eq!(status_of(&second), "completed");
}

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

/// Asserts the audit chain is intact (erasure deletes rows, never audit entries).
fn verify_ok(store: &OpenStore) {
    let check = store.verify_audit().expect("verify");
    assert!(
        matches!(check, intake_kiosk::store::ChainCheck::Intact { .. }),
        "{check:?}"
    );
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
    for (item, tail) in sealed_event_tails(&desk.store, &manager, &desk.dir, &bob) {
        gone.push((format!("Bob's {item} consent"), tail));
    }
    let mut kept: Vec<(String, Vec<u8>)> = vec![(
        "Ada's answers".into(),
        sealed_tail(
            &desk.dir,
            "SELECT sealed_answers FROM submissions WHERE id = ?1",
            &ada_sid,
        ),
    )];
    for (item, tail) in sealed_event_tails(&desk.store, &manager, &desk.dir, &ada) {
        if item == "treatment" {
            kept.push(("Ada's treatment consent".into(), tail));
        } else {
            gone.push((format!("Ada's {item} consent"), tail));
        }
    }
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

#[test]
fn a_kiosks_wrong_pins_reach_the_desk_with_its_bundle_and_are_flagged_once() {
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    // Five wrong PINs in two minutes on the kiosk, spread over accounts (no lockout delay).
    for (i, role) in [
        Role::Reception,
        Role::Clinician,
        Role::Reception,
        Role::Clinician,
        Role::Manager,
    ]
    .into_iter()
    .enumerate()
    {
        let id = staff_id(&kiosk.store, role);
        let at = t0() + Duration::seconds(20 * i as i64);
        assert!(kiosk.store.sign_in(&id, &Pin::new("000000"), at).is_err());
    }
    kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    assert_eq!(out.security.len(), 5);
    assert!(out.security.iter().all(|e| e.kind == "sign_in_failed"));
    let since = t0() - Duration::days(1);
    assert!(
        desk.store
            .unusual_access(&d_manager, since)
            .unwrap()
            .is_empty()
    );
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(20), "h1", &out, t0())
        .unwrap();
    let flags = desk.store.unusual_access(&d_manager, since).unwrap();
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].actor, "kiosk:kiosk-1");
    assert_eq!(flags[0].count, 5);
    // The next bundle carries the same events again: they are kept once.
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(22), "h2", &out, t0())
        .unwrap();
    let flags = desk.store.unusual_access(&d_manager, since).unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].count, 5);
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

    // Seven years on, and on the last day held: nothing.
    for now in [t0() + Duration::days(7 * 365), day(2034, 11, 23)] {
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
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(desk.store.retention_policy().unwrap().adult_years, 2);
    desk.store.run_retention(&manager, day(2043, 2, 1)).unwrap();
}

// ---------------------------------------------------------------------------------------------
// 4. Restriction.

#[test]
fn restricted_patients_stay_stored_but_leave_marketing_lists() {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    let reception = sign_in(&mut desk.store, Role::Reception);
    let granted = [("marketing_email", Decision::Granted)];
    let ada_sid = desk
        .store
        .save_submission(
            &manager,
            submission_with("Ada", "Lovelace", "latex", &granted),
            t0(),
        )
        .unwrap();
    desk.store
        .save_submission(
            &manager,
            submission_with("Grace", "Hopper", "none", &granted),
            t0(),
        )
        .unwrap();
    let ada = patient_of(&desk.store, &manager, &ada_sid);
    let listed = |store: &OpenStore| -> Vec<String> {
        store
            .marketing_list(&manager, "marketing_email", t0())
            .unwrap()
            .into_iter()
            .map(|p| p.identity.given_name.clone())
            .collect::<Vec<_>>()
    };
    let mut names = listed(&desk.store);
    names.sort();
    assert_eq!(names, vec!["Ada", "Grace"]);

    assert!(matches!(
        desk.store.set_restricted(&reception, &ada, true, t0()),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        desk.store.set_restricted(&manager, "nobody", true, t0()),
        Err(StoreError::NotFound)
    ));
    let since = t0() + Duration::hours(1);
    desk.store
        .set_restricted(&manager, &ada, true, since)
        .unwrap();
    assert_eq!(
        desk.store.restricted_since(&ada).unwrap(),
        Some(since.to_rfc3339())
    );
    // Restricting again keeps the first time.
    desk.store
        .set_restricted(&manager, &ada, true, since + Duration::hours(1))
        .unwrap();
    assert_eq!(
        desk.store.restricted_since(&ada).unwrap(),
        Some(since.to_rfc3339())
    );
    assert_eq!(listed(&desk.store), vec!["Grace"]);
    // Still stored and shown.
    let record = desk.store.open_record(&reception, &ada, since).unwrap();
    assert_eq!(record.restricted_at, Some(since.to_rfc3339()));
    assert_eq!(record.identity.given_name, "Ada");

    desk.store
        .set_restricted(&manager, &ada, false, since + Duration::hours(2))
        .unwrap();
    assert_eq!(desk.store.restricted_since(&ada).unwrap(), None);
    let mut names = listed(&desk.store);
    names.sort();
    assert_eq!(names, vec!["Ada", "Grace"]);
    assert_eq!(
        count_kind(
            &audit_kinds(&desk.store, &manager, &ada),
            "restriction_changed"
        ),
        3
    );
}

// ---------------------------------------------------------------------------------------------
// 5. The rights-request register.

#[test]
fn rights_requests_are_due_in_a_calendar_month_and_may_be_extended_by_a_manager() {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    let reception = sign_in(&mut desk.store, Role::Reception);
    let sid = desk
        .store
        .save_submission(&manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let ada = patient_of(&desk.store, &manager, &sid);
    let now = day(2027, 1, 31);
    let request = |patient: Option<&str>, received_on: NaiveDate| NewRightsRequest {
        patient_id: patient.map(str::to_owned),
        kind: RequestKind::Access,
        received_on,
        requester: "the patient, in person".into(),
        identity_check: "photo ID seen at reception".into(),
        notes: "wants a copy of everything".into(),
    };

    // Reception logs it (requests arrive at the front desk).
    let id = desk
        .store
        .log_rights_request(&reception, &request(Some(&ada), date(2027, 1, 31)), now)
        .unwrap();
    // Refused: received tomorrow, an unknown patient, nobody named as asking.
    assert!(matches!(
        desk.store
            .log_rights_request(&reception, &request(Some(&ada), date(2027, 2, 1)), now),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.store
            .log_rights_request(&reception, &request(Some("nobody"), date(2027, 1, 31)), now),
        Err(StoreError::NotFound)
    ));
    let mut anonymous = request(None, date(2027, 1, 31));
    anonymous.requester = "  ".into();
    assert!(matches!(
        desk.store.log_rights_request(&reception, &anonymous, now),
        Err(StoreError::Invalid(_))
    ));
    // A request before the patient is found, received earlier.
    let mut erasure = request(None, date(2027, 1, 10));
    erasure.kind = RequestKind::Erasure;
    let other = desk
        .store
        .log_rights_request(&manager, &erasure, now)
        .unwrap();

    let register = desk.store.rights_requests(&reception).unwrap();
    assert_eq!(register.len(), 2);
    // Open requests first, soonest due first.
    assert_eq!(register[0].id, other);
    assert_eq!(register[0].due_on, date(2027, 2, 10));
    let r = &register[1];
    assert_eq!(r.id, id);
    assert_eq!(r.patient_id.as_deref(), Some(ada.as_str()));
    assert_eq!(r.kind, RequestKind::Access);
    // One calendar month: 31 January is due on 28 February.
    assert_eq!(r.due_on, date(2027, 2, 28));
    assert_eq!(r.logged_by, reception.staff_id());
    assert_eq!(r.status, RequestStatus::Open);
    assert_eq!(r.requester, "the patient, in person");
    assert_eq!(r.identity_check, "photo ID seen at reception");
    assert_eq!(r.extended_months, 0);
    assert!(!r.is_overdue(date(2027, 2, 28)));
    assert!(r.is_overdue(date(2027, 3, 1)));

    // Only a manager extends, by one or two months, with a reason.
    assert!(matches!(
        desk.store
            .extend_rights_request(&reception, &id, 1, "complex", now),
        Err(StoreError::Forbidden)
    ));
    for months in [0, 3] {
        assert!(matches!(
            desk.store
                .extend_rights_request(&manager, &id, months, "complex", now),
            Err(StoreError::Invalid(_))
        ));
    }
    assert!(matches!(
        desk.store.extend_rights_request(&manager, &id, 1, " ", now),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.store
            .extend_rights_request(&manager, "no-such-request", 1, "complex", now),
        Err(StoreError::NotFound)
    ));
    let due = desk
        .store
        .extend_rights_request(&manager, &id, 2, "records held in two systems", now)
        .unwrap();
    assert_eq!(due, date(2027, 4, 30));
    let r = desk
        .store
        .rights_requests(&manager)
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!((r.due_on, r.extended_months), (date(2027, 4, 30), 2));
    assert_eq!(r.extension_reason, "records held in two systems");
    assert!(!r.is_overdue(date(2027, 3, 1)));
    assert!(r.is_overdue(date(2027, 5, 1)));
    // An extension never brings the due date forward (two months is the most, in total).
    assert!(matches!(
        desk.store
            .extend_rights_request(&manager, &id, 1, "fewer records than thought", now),
        Err(StoreError::Invalid(_))
    ));
    let r = desk
        .store
        .rights_requests(&manager)
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!((r.due_on, r.extended_months), (date(2027, 4, 30), 2));
    assert_eq!(r.extension_reason, "records held in two systems");

    // Closing: a manager, as done or refused, with the outcome.
    assert!(matches!(
        desk.store
            .close_rights_request(&reception, &id, RequestStatus::Done, "sent", now),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        desk.store
            .close_rights_request(&manager, &id, RequestStatus::Open, "sent", now),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.store
            .close_rights_request(&manager, &id, RequestStatus::Done, "", now),
        Err(StoreError::Invalid(_))
    ));
    let closed_at = day(2027, 6, 1);
    desk.store
        .close_rights_request(
            &manager,
            &id,
            RequestStatus::Done,
            "copy handed over in person",
            closed_at,
        )
        .unwrap();
    let register = desk.store.rights_requests(&reception).unwrap();
    assert_eq!(register[0].id, other, "open requests come first");
    let r = &register[1];
    assert_eq!(r.status, RequestStatus::Done);
    assert_eq!(r.closed_at, Some(closed_at.to_rfc3339()));
    assert_eq!(r.outcome, "copy handed over in person");
    assert!(
        !r.is_overdue(date(2027, 6, 2)),
        "a closed request is never overdue"
    );
    assert!(matches!(
        desk.store
            .extend_rights_request(&manager, &id, 1, "complex", closed_at),
        Err(StoreError::Invalid(_))
    ));

    let kinds = audit_kinds(&desk.store, &manager, &id);
    assert_eq!(count_kind(&kinds, "rights_request_logged"), 1);
    assert_eq!(count_kind(&kinds, "rights_request_updated"), 2);
}

// ---------------------------------------------------------------------------------------------
// 6. Breaches.

#[test]
fn breach_record_finds_the_records_a_staff_member_opened() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    let mut patients = Vec::new();
    for (given, family) in [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Bob", "Builder")] {
        let sid = desk
            .store
            .save_submission(&manager, submission(given, family, "none"), t0())
            .unwrap();
        patients.push(patient_of(&desk.store, &manager, &sid));
    }
    let opened = t0() + Duration::hours(1);
    desk.store
        .open_record(&clinician, &patients[0], opened)
        .unwrap();
    desk.store
        .open_record(&clinician, &patients[1], opened + Duration::minutes(5))
        .unwrap();
    desk.store
        .open_record(&clinician, &patients[1], opened + Duration::minutes(6))
        .unwrap();
    desk.store
        .open_record(&reception, &patients[2], opened)
        .unwrap();
    // Outside the window looked at.
    desk.store
        .open_record(&clinician, &patients[2], opened + Duration::hours(3))
        .unwrap();

    let from = t0() + Duration::minutes(30);
    let to = t0() + Duration::hours(2);
    assert!(matches!(
        desk.store
            .records_touched(&reception, Some(clinician.staff_id()), from, to),
        Err(StoreError::Forbidden)
    ));
    let mut expected = vec![patients[0].clone(), patients[1].clone()];
    expected.sort();
    let touched = desk
        .store
        .records_touched(&manager, Some(clinician.staff_id()), from, to)
        .unwrap();
    assert_eq!(touched, expected);
    let mut everyone = desk
        .store
        .records_touched(&manager, None, from, to)
        .unwrap();
    everyone.sort();
    let mut all3 = patients.clone();
    all3.sort();
    assert_eq!(everyone, all3);

    let discovered = t0() + Duration::hours(4);
    let breach = NewBreach {
        discovered_at: discovered,
        what_happened: "a clinician's unlocked desk screen was photographed".into(),
        records: touched.clone(),
        risk: Risk::Risk,
    };
    let now = discovered + Duration::hours(1);
    assert!(matches!(
        desk.store.record_breach(&reception, &breach, now),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        desk.store.breaches(&reception),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        desk.store.record_breach(
            &manager,
            &NewBreach {
                what_happened: " ".into(),
                records: vec![],
                ..breach
            },
            now
        ),
        Err(StoreError::Invalid(_))
    ));
    let breach = NewBreach {
        discovered_at: discovered,
        what_happened: "a clinician's unlocked desk screen was photographed".into(),
        records: touched.clone(),
        risk: Risk::Risk,
    };
    assert!(matches!(
        desk.store
            .record_breach(&manager, &breach, discovered - Duration::hours(1)),
        Err(StoreError::Invalid(_))
    ));
    assert!(!desk.store.has_breaches().unwrap());
    let id = desk.store.record_breach(&manager, &breach, now).unwrap();
    assert!(desk.store.has_breaches().unwrap());
    let list = desk.store.breaches(&manager).unwrap();
    assert_eq!(list.len(), 1);
    let b = &list[0];
    assert_eq!(b.id, id);
    assert_eq!(b.discovered_at, discovered);
    assert_eq!(b.recorded_by, manager.staff_id());
    assert_eq!(b.risk, Risk::Risk);
    assert_eq!(b.reported_at, None);
    assert_eq!(b.records, touched);
    assert!(b.risk.must_report());
    assert_eq!(
        report_deadline(b.discovered_at),
        discovered + Duration::hours(72)
    );

    assert!(matches!(
        desk.store
            .mark_breach_reported(&reception, &id, "ICO-1", now),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        desk.store
            .mark_breach_reported(&manager, "no-such-breach", "ICO-1", now),
        Err(StoreError::NotFound)
    ));
    let reported = now + Duration::hours(20);
    desk.store
        .mark_breach_reported(&manager, &id, " ICO-2026-0042 ", reported)
        .unwrap();
    // A corrected reference keeps the first report time.
    desk.store
        .mark_breach_reported(
            &manager,
            &id,
            "ICO-2026-0043",
            reported + Duration::hours(1),
        )
        .unwrap();
    let b = &desk.store.breaches(&manager).unwrap()[0];
    assert_eq!(b.reported_at, Some(reported.to_rfc3339()));
    assert_eq!(b.regulator_reference, "ICO-2026-0043");
    assert_eq!(
        b.what_happened,
        "a clinician's unlocked desk screen was photographed"
    );
    let kinds = audit_kinds(&desk.store, &manager, &id);
    assert_eq!(count_kind(&kinds, "breach_recorded"), 1);
    assert_eq!(count_kind(&kinds, "breach_updated"), 2);
}

// ---------------------------------------------------------------------------------------------
// 7. Need-to-know in the desk.

#[test]
fn open_record_by_need_to_know_and_one_audit_entry_per_open() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    let sid = desk
        .store
        .save_submission(
            &manager,
            submission_with(
                "Ada",
                "Lovelace",
                "latex",
                &[("marketing_sms", Decision::Refused)],
            ),
            t0(),
        )
        .unwrap();
    let pid = desk
        .store
        .find_patients(&reception, "Ada", "Lovelace", "1987-06-15", t0())
        .unwrap()
        .remove(0);
    let views = |store: &OpenStore| -> Vec<AuditEntry> {
        store
            .audit_entries(&manager, Some(&pid), None)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "record_viewed")
            .collect()
    };
    assert!(views(&desk.store).is_empty());

    // Reception: who and which consents, no submissions.
    let at_desk = t0() + Duration::minutes(10);
    let record = desk.store.open_record(&reception, &pid, at_desk).unwrap();
    assert!(record.submissions.is_none());
    assert_eq!(record.identity.family_name, "Lovelace");
    assert_eq!(record.identity.email, "ada@example.org");
    assert_eq!(record.last_visit_at, t0().to_rfc3339());
    let items: Vec<&str> = record.consents.iter().map(|c| c.item_id.as_str()).collect();
    assert_eq!(items, vec!["treatment", "marketing_sms"]);
    let after_reception = views(&desk.store);
    assert_eq!(after_reception.len(), 1);
    assert_eq!(after_reception[0].actor, reception.staff_id());
    assert_eq!(after_reception[0].subject, pid);
    assert_eq!(after_reception[0].at, at_desk.to_rfc3339());

    // Clinician and manager: the submissions too, with form version and amendment count.
    let in_room = t0() + Duration::minutes(20);
    for (who, n) in [(&clinician, 2), (&manager, 3)] {
        let record = desk.store.open_record(who, &pid, in_room).unwrap();
        let entries = record.submissions.expect("submissions for medical roles");
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.id, sid);
        assert_eq!(e.version, 1);
        assert_eq!(e.created_at, t0().to_rfc3339());
        assert_eq!(e.source, None);
        assert_eq!(e.form_hash, FormDefinition::built_in().content_hash());
        assert!(!e.form_id.is_empty() && !e.form_version.is_empty());
        assert_eq!(views(&desk.store).len(), n, "exactly one entry per open");
    }
    assert!(matches!(
        desk.store.open_record(&reception, "nobody", in_room),
        Err(StoreError::NotFound)
    ));

    // Access history: managers only; lists the views by each staff member, and is itself logged.
    assert!(matches!(
        desk.store.access_history(&reception, &pid, in_room),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        desk.store.access_history(&clinician, &pid, in_room),
        Err(StoreError::Forbidden)
    ));
    let history = desk.store.access_history(&manager, &pid, in_room).unwrap();
    let viewers: Vec<&str> = history
        .iter()
        .filter(|e| e.kind == "record_viewed" && e.subject == pid)
        .map(|e| e.actor.as_str())
        .collect();
    assert_eq!(
        viewers,
        vec![
            reception.staff_id(),
            clinician.staff_id(),
            manager.staff_id()
        ]
    );
    // The look-up that found her and the saving of her form are in it too.
    assert!(history.iter().any(|e| e.kind == "patient_lookup"));
    assert!(
        history
            .iter()
            .any(|e| e.kind == "submission_saved" && e.subject == sid)
    );
    assert!(
        desk.store
            .audit_entries(&manager, Some(&format!("access:{pid}")), None)
            .unwrap()
            .iter()
            .any(|e| e.kind == "list_viewed")
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Unusual access.

#[test]
fn unusual_access_flags_sweeps_and_out_of_hours_views() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    let mut patients = Vec::new();
    for (given, family) in [
        ("Ada", "Lovelace"),
        ("Grace", "Hopper"),
        ("Bob", "Builder"),
        ("Eve", "Adams"),
    ] {
        let sid = desk
            .store
            .save_submission(&manager, submission(given, family, "none"), t0())
            .unwrap();
        patients.push(patient_of(&desk.store, &manager, &sid));
    }
    desk.store
        .set_setting(&manager, "flags.records", "3", t0())
        .unwrap();
    assert!(matches!(
        desk.store.unusual_access(&reception, t0()),
        Err(StoreError::Forbidden)
    ));

    // 10:00: the clinician opens three different records in four minutes; reception opens
    // the same record five times (not a sweep).
    let morning = t0() + Duration::hours(1);
    for (i, pid) in patients.iter().take(3).enumerate() {
        desk.store
            .open_record(&clinician, pid, morning + Duration::minutes(2 * i as i64))
            .unwrap();
    }
    for i in 0..5 {
        desk.store
            .open_record(&reception, &patients[0], morning + Duration::minutes(i))
            .unwrap();
    }
    // 21:30 UTC, after the default 20:00 closing: reception opens a record.
    let night = t0() + Duration::minutes(12 * 60 + 30);
    desk.store
        .open_record(&reception, &patients[3], night)
        .unwrap();

    let since = t0() + Duration::minutes(30);
    let flags = desk.store.unusual_access(&manager, since).unwrap();
    let summary: Vec<(FlagKind, &str, usize)> = flags
        .iter()
        .map(|f| (f.kind, f.actor.as_str(), f.count))
        .collect();
    assert_eq!(
        summary,
        vec![
            (FlagKind::ManyRecords, clinician.staff_id(), 3),
            (FlagKind::OutOfHours, reception.staff_id(), 1),
        ]
    );
    assert_eq!(flags[0].from, morning);
    assert_eq!(flags[0].to, morning + Duration::minutes(4));
    assert_eq!(flags[1].from, night);

    // Below the threshold (4 records) there is no sweep; later opening hours clear the night.
    desk.store
        .set_setting(&manager, "flags.records", "4", since)
        .unwrap();
    desk.store
        .set_setting(&manager, "hours.closes", "22:00", since)
        .unwrap();
    assert!(
        desk.store
            .unusual_access(&manager, since)
            .unwrap()
            .is_empty()
    );
    // Opening at 10:30 makes the morning views out of hours, one flag per person and day.
    desk.store
        .set_setting(&manager, "hours.opens", "10:30", since)
        .unwrap();
    let flags = desk.store.unusual_access(&manager, since).unwrap();
    let mut summary: Vec<(FlagKind, &str, usize)> = flags
        .iter()
        .map(|f| (f.kind, f.actor.as_str(), f.count))
        .collect();
    summary.sort_by_key(|s| s.2);
    assert_eq!(
        summary,
        vec![
            (FlagKind::OutOfHours, clinician.staff_id(), 3),
            (FlagKind::OutOfHours, reception.staff_id(), 5),
        ]
    );
    // Only what happened since `since` counts.
    assert!(
        desk.store
            .unusual_access(&manager, night + Duration::minutes(1))
            .unwrap()
            .is_empty()
    );
    // Failed PINs across accounts within the window: one flag, for no one person.
    desk.store
        .set_setting(&manager, "flags.failed_pins", "2", since)
        .unwrap();
    for (i, role) in [Role::Reception, Role::Clinician].into_iter().enumerate() {
        let id = staff_id(&desk.store, role);
        let attempt = desk.store.sign_in(
            &id,
            &Pin::new("000000"),
            night + Duration::minutes(10 + i as i64),
        );
        assert!(attempt.is_err());
    }
    let flags = desk
        .store
        .unusual_access(&manager, night + Duration::minutes(1))
        .unwrap();
    let summary: Vec<(FlagKind, &str, usize)> = flags
        .iter()
        .map(|f| (f.kind, f.actor.as_str(), f.count))
        .collect();
    assert_eq!(summary, vec![(FlagKind::FailedPins, "", 2)]);

    // A bad value is refused and nothing is stored: the flags still read.
    assert!(matches!(
        desk.store
            .set_setting(&manager, "hours.opens", "late", since),
        Err(StoreError::Invalid(_))
    ));
    desk.store.unusual_access(&manager, since).unwrap();
}

#[test]
fn settings_are_checked_before_they_are_stored_and_listed_with_defaults() {
    let (desk, manager, clinician, _) = desk_with_staff();
    let audit_before = desk
        .store
        .audit_entries(&manager, None, None)
        .unwrap()
        .len();
    for (key, value, says) in [
        ("flags.record", "3", "did you mean flags.records?"),
        ("idle.wipe_seconds", "150", "unknown setting"),
        ("hours.time_zone", "Europe/Londn", "not a time zone name"),
        ("hours.closes", "07:00", "not after opening time 08:00"),
        ("desk.idle_seconds", "5", "from 30 to 3600"),
        ("hours.utc_offset_minutes", "60", "set hours.time_zone"),
        ("active_form", "sha256:evil", "no longer set by hand"),
    ] {
        match desk.store.set_setting(&manager, key, value, t0()) {
            Err(StoreError::Invalid(message)) => {
                assert!(message.contains(says), "{key}: {message}")
            }
            other => panic!("{key}={value} was not refused: {other:?}"),
        }
        if key != "active_form" {
            assert_eq!(desk.store.setting(key).unwrap(), None, "{key} stored");
        }
    }
    // Nothing was written, not even an audit entry; a clinician cannot set anything.
    assert_eq!(
        desk.store
            .audit_entries(&manager, None, None)
            .unwrap()
            .len(),
        audit_before
    );
    assert!(matches!(
        desk.store
            .set_setting(&clinician, "flags.records", "3", t0()),
        Err(StoreError::Forbidden)
    ));

    desk.store
        .set_setting(&manager, "hours.time_zone", " Europe/Paris ", t0())
        .unwrap();
    desk.store
        .set_setting(&manager, "hours.opens", "07:30", t0())
        .unwrap();
    let listing = desk.store.settings_listing().unwrap();
    let row = |key: &str| {
        listing
            .iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("{key} listed"))
    };
    assert_eq!(
        row("hours.time_zone").value.as_deref(),
        Some("Europe/Paris")
    );
    assert_eq!(row("hours.time_zone").default, "Europe/London");
    assert_eq!(row("hours.opens").value.as_deref(), Some("07:30"));
    assert_eq!(row("flags.records").value, None);
    assert_eq!(row("flags.records").default, "20");
    assert!(!row("active_form").settable);
    assert!(listing.iter().all(|r| r.key != "idle.wipe_seconds"));
}

/// 07:30 UTC on the Monday after a clock change, and the Monday before it: in London one of
/// them is 08:30 (open) and the other 07:30 (before opening at 08:00).
#[test]
fn opening_hours_follow_the_clinic_zone_across_clock_changes() {
    let (mut desk, manager, _, reception) = desk_with_staff();
    let sid = desk
        .store
        .save_submission(&manager, submission("Ada", "Lovelace", "none"), t0())
        .unwrap();
    let patient = patient_of(&desk.store, &manager, &sid);
    let utc = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 7, 30, 0).single().unwrap();
    // Before 29 March 2026 (GMT), after it (BST), before 25 October (BST), after it (GMT).
    let mondays = [
        utc(2026, 3, 23),
        utc(2026, 3, 30),
        utc(2026, 10, 19),
        utc(2026, 10, 26),
    ];
    for at in mondays {
        desk.store.open_record(&reception, &patient, at).unwrap();
    }
    let since = utc(2026, 3, 1);
    let flagged_days = |desk: &Clinic| -> Vec<String> {
        desk.store
            .unusual_access(&manager, since)
            .unwrap()
            .iter()
            .filter(|f| f.kind == FlagKind::OutOfHours)
            .map(|f| f.from.format("%m-%d").to_string())
            .collect()
    };
    // No zone set: Europe/London, the default.
    assert_eq!(flagged_days(&desk), ["03-23", "10-26"]);
    desk.store
        .set_setting(&manager, "hours.time_zone", "Europe/London", t0())
        .unwrap();
    assert_eq!(flagged_days(&desk), ["03-23", "10-26"]);
    // UTC: every 07:30 is before opening.
    desk.store
        .set_setting(&manager, "hours.time_zone", "UTC", t0())
        .unwrap();
    assert_eq!(flagged_days(&desk), ["03-23", "03-30", "10-19", "10-26"]);
    assert_eq!(desk.store.clinic_zone().unwrap().to_string(), "UTC");
}

// ---------------------------------------------------------------------------------------------
// 9. Access export.

const FHIR_SCHEMA: &str = include_str!("fixtures/fhir/fhir.schema.json");

/// The R4 JSON schema's reasons a resource is invalid (empty when valid).
fn r4_errors(resource: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(FHIR_SCHEMA).expect("the R4 schema parses");
    let whole = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft6)
        .build(&schema)
        .expect("the R4 schema compiles");
    if whole.is_valid(resource) {
        return Vec::new();
    }
    // The whole schema's oneOf only says "none matched": check each resource on its own type.
    let mut out = Vec::new();
    let mut targets = vec![resource];
    targets.extend(
        resource["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["resource"]),
    );
    for target in targets {
        let kind = target["resourceType"].as_str().unwrap_or("?");
        let mut one = schema.clone();
        one["oneOf"] = json!([{ "$ref": format!("#/definitions/{kind}") }]);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft6)
            .build(&one)
            .expect("compiles");
        out.extend(
            validator
                .iter_errors(target)
                .take(8)
                .map(|e| format!("{kind} at {}: {e}", e.instance_path())),
        );
    }
    if out.is_empty() {
        out.push("invalid, no detail".into());
    }
    out
}

#[test]
fn access_export_writes_everything_held_about_a_patient() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    let first = desk
        .store
        .save_submission(
            &manager,
            submission_with(
                "Ada",
                "Lovelace",
                "latex",
                &[
                    ("marketing_email", Decision::Granted),
                    ("marketing_sms", Decision::Refused),
                ],
            ),
            t0(),
        )
        .unwrap();
    let pid = patient_of(&desk.store, &manager, &first);
    let mut again = submission_with("Ada", "Lovelace", "latex, nickel", &[]);
    again.patient = returning(&desk.store, &manager, &pid);
    let second = desk
        .store
        .save_submission(&manager, again, t0() + Duration::days(30))
        .unwrap();
    let later = t0() + Duration::days(31);
    desk.store
        .withdraw_consent(&reception, &pid, "marketing_email", later)
        .unwrap();
    let mut corrected = Answers::default();
    corrected.set("allergies", AnswerValue::Text("latex (mild)".into()));
    desk.store
        .amend_answers(&clinician, &first, &corrected, "severity noted", later)
        .unwrap();
    desk.store.open_record(&clinician, &pid, later).unwrap();
    // Someone else, to see that the export holds this patient only.
    desk.store
        .save_submission(&manager, submission("Grace", "Hopper", "none"), t0())
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    let now = t0() + Duration::days(40);
    match export_patient(&desk.store, &reception, &pid, out.path(), now) {
        Err(ExchangeError::Store(StoreError::Forbidden)) => {}
        Err(e) => panic!("reception export: {e}"),
        Ok(_) => panic!("reception may not export a patient's data"),
    }
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
    let files = export_patient(&desk.store, &manager, &pid, out.path(), now).unwrap();
    for (path, suffix) in [
        (&files.json, ".json"),
        (&files.fhir, ".fhir.json"),
        (&files.html, ".html"),
    ] {
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            format!("patient-{pid}{suffix}")
        );
    }

    // The structured copy: every field.
    let data: Value = serde_json::from_slice(&std::fs::read(&files.json).unwrap()).unwrap();
    assert_eq!(data["patient_id"], pid.as_str());
    assert_eq!(data["identity"]["given_name"], "Ada");
    assert_eq!(data["identity"]["email"], "ada@example.org");
    assert_eq!(data["identity"]["date_of_birth"], "1987-06-15");
    let subs = data["submissions"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0]["id"], first.as_str(), "oldest first");
    assert_eq!(subs[1]["id"], second.as_str());
    let allergy = |s: &Value| s["answers"]["allergies"]["value"].clone();
    assert_eq!(allergy(&subs[0]), "latex (mild)", "current answers");
    assert_eq!(allergy(&subs[1]), "latex, nickel");
    assert!(
        subs[0]["signature_svg_path"]
            .as_str()
            .unwrap()
            .starts_with("M ")
    );
    let consents: Vec<(String, String)> = data["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["item_id"].as_str().unwrap().to_owned(),
                c["decision"].to_string().to_lowercase(),
            )
        })
        .collect();
    assert_eq!(consents.len(), 5, "{consents:?}");
    assert!(
        consents
            .iter()
            .any(|(item, d)| item == "marketing_email" && d.contains("withdrawn"))
    );
    let amendments = data["amendments"].as_array().unwrap();
    assert_eq!(amendments.len(), 1);
    assert_eq!(amendments[0]["submission_id"], first.as_str());
    assert_eq!(amendments[0]["reason"], "severity noted");
    assert_eq!(amendments[0]["amended_by"], clinician.staff_id());
    assert_eq!(
        amendments[0]["previous"]["answers"]["allergies"]["value"],
        "latex"
    );
    let log = data["access_log"].as_array().unwrap();
    assert!(
        log.iter()
            .any(|e| e["what"] == "record_viewed" && e["by"] == clinician.staff_id())
    );
    assert!(log.iter().any(|e| e["what"] == "amended"));
    assert!(
        !data.to_string().contains("Grace"),
        "another patient leaked into the export"
    );

    // The FHIR copy: one R4 collection Bundle, valid against HL7's schema.
    let bundle: Value = serde_json::from_slice(&std::fs::read(&files.fhir).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let entries = bundle["entry"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "Patient").count(), 1);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "QuestionnaireResponse")
            .count(),
        2
    );
    assert_eq!(kinds.iter().filter(|k| **k == "Consent").count(), 5);
    assert!(entries.iter().all(|e| e.get("request").is_none()));
    let mut urls: Vec<&str> = entries
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls.len(), entries.len(), "fullUrls are unique");
    // Every reference resolves to an entry of the Bundle.
    fn references<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("reference") {
                    out.push(r);
                }
                map.values().for_each(|v| references(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, out)),
            _ => {}
        }
    }
    let mut refs = Vec::new();
    references(&bundle, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        assert!(urls.contains(&r), "reference {r} resolves to no entry");
    }
    let errors = r4_errors(&bundle);
    assert!(errors.is_empty(), "not valid FHIR R4: {errors:#?}");

    // The readable copy.
    let html = std::fs::read_to_string(&files.html).unwrap();
    for part in [
        "The data the clinic holds about you",
        "Ada",
        "Your consent decisions",
        "Corrections to your record",
        "severity noted",
        "Who accessed your record",
    ] {
        assert!(html.contains(part), "{part} missing from the page");
    }

    // One export entry in the audit log.
    let exported = desk
        .store
        .audit_entries(&manager, Some(&format!("access:{pid}")), None)
        .unwrap();
    let exports: Vec<&AuditEntry> = exported.iter().filter(|e| e.kind == "exported").collect();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].actor, manager.staff_id());
    assert_eq!(exports[0].at, now.to_rfc3339());
}

// ---------------------------------------------------------------------------------------------
// 10. Late bundles: the desk goes by when things happened, not by when they arrived.

/// One submission of `all` as a bundle of its own (with the forms it refers to).
fn only(all: &Outgoing, i: usize) -> Outgoing {
    Outgoing {
        submissions: vec![all.submissions[i].clone()],
        forms: all.forms.clone(),
        security: Vec::new(),
    }
}

#[test]
fn an_older_bundle_imported_after_a_newer_one_moves_neither_the_last_visit_nor_the_contact_details()
{
    // Monday's form and Thursday's (new email and phone) from the same kiosk.
    let (mut kiosk, k_manager, _, _) = kiosk_linked_to_desk();
    let monday = t0() + Duration::hours(1);
    let thursday = t0() + Duration::days(3);
    kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), monday)
        .unwrap();
    let mut moved = submission("Ada", "Lovelace", "latex");
    if let PatientRef::New(identity) = &mut moved.patient {
        identity.email = "ada.new@example.org".into();
        identity.phone = "+44 7700 900999".into();
    }
    kiosk
        .store
        .save_submission(&k_manager, moved, thursday)
        .unwrap();
    let all = kiosk.store.outgoing(&k_manager).unwrap();
    let (older, newer) = (only(&all, 0), only(&all, 1));
    assert_eq!(older.submissions[0].submitted_at, monday.to_rfc3339());
    let now = t0() + Duration::days(5);
    let newest_details = ("ada.new@example.org", "+44 7700 900999");

    // Thursday's bundle arrives first, Monday's late.
    let (_, _, mut desk, d_manager) = kiosk_linked_to_desk();
    let pid = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(14), "h2", &newer, now)
        .unwrap()
        .added[0]
        .patient_id
        .clone();
    let late = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &older, now)
        .unwrap();
    assert_eq!(
        late.added[0].patient_id, pid,
        "the late form joins the record"
    );
    let record = desk.store.open_record(&d_manager, &pid, now).unwrap();
    assert_eq!(record.last_visit_at, thursday.to_rfc3339());
    assert_eq!(
        (
            record.identity.email.as_str(),
            record.identity.phone.as_str()
        ),
        newest_details
    );
    assert!(
        desk.store
            .amendments(&d_manager, &pid, now)
            .unwrap()
            .is_empty(),
        "the older form changed nothing"
    );
    // Retention counts from Thursday: the day after Monday's eight years, the record is held.
    let report = desk
        .store
        .run_retention(&d_manager, day(2034, 11, 25))
        .unwrap();
    assert!(report.erased_adults.is_empty());
    assert_eq!(desk.store.patient_count().unwrap(), 1);

    // In the order they were filled: the same end state, and the change of details is an
    // amendment that keeps Monday's, dated when the patient made it.
    let (_, _, mut desk, d_manager) = kiosk_linked_to_desk();
    let pid = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &older, now)
        .unwrap()
        .added[0]
        .patient_id
        .clone();
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(14), "h2", &newer, now)
        .unwrap();
    let record = desk.store.open_record(&d_manager, &pid, now).unwrap();
    assert_eq!(record.last_visit_at, thursday.to_rfc3339());
    assert_eq!(
        (
            record.identity.email.as_str(),
            record.identity.phone.as_str()
        ),
        newest_details
    );
    let amendments = desk.store.amendments(&d_manager, &pid, now).unwrap();
    assert_eq!(amendments.len(), 1);
    assert_eq!(amendments[0].amended_at, thursday.to_rfc3339());
    assert!(
        amendments[0].reason.contains("kiosk-1"),
        "{}",
        amendments[0].reason
    );
    match &amendments[0].previous {
        Previous::Identity(old) => assert_eq!(
            (old.email.as_str(), old.phone.as_str()),
            ("ada@example.org", "+44 7700 900123")
        ),
        _ => panic!("the old details are kept"),
    }
}

#[test]
fn a_correction_at_the_desk_is_not_undone_by_an_older_kiosk_form_arriving_later() {
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let first = kiosk.store.outgoing(&k_manager).unwrap();
    let pid = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &first, t0())
        .unwrap()
        .added[0]
        .patient_id
        .clone();
    // Tuesday's form (an old phone number typed again) sits on the kiosk; on Wednesday reception
    // corrects the phone at the desk; on Thursday Tuesday's form arrives.
    let mut tuesday_form = submission("Ada", "Lovelace", "latex");
    if let PatientRef::New(identity) = &mut tuesday_form.patient {
        identity.phone = "+44 7700 900000".into();
    }
    let tuesday = t0() + Duration::days(1);
    kiosk
        .store
        .save_submission(&k_manager, tuesday_form, tuesday)
        .unwrap();
    let wednesday = t0() + Duration::days(2);
    let mut corrected = desk
        .store
        .patient_identity(&d_manager, &pid, wednesday)
        .unwrap();
    corrected.phone = "+44 7700 900555".into();
    desk.store
        .amend_identity(
            &d_manager,
            &pid,
            &corrected,
            "new phone, by telephone",
            wednesday,
        )
        .unwrap();
    let late = kiosk.store.outgoing(&k_manager).unwrap();
    let thursday = t0() + Duration::days(3);
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(14), "h2", &late, thursday)
        .unwrap();
    let record = desk.store.open_record(&d_manager, &pid, thursday).unwrap();
    assert_eq!(
        record.identity.phone, "+44 7700 900555",
        "the desk's correction stands"
    );
    assert_eq!(
        record.last_visit_at,
        tuesday.to_rfc3339(),
        "the visit still counts"
    );
    assert_eq!(
        desk.store
            .amendments(&d_manager, &pid, thursday)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_grant_made_before_a_desk_withdrawal_but_imported_after_it_keeps_the_patient_off_the_list() {
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    let reception = sign_in(&mut desk.store, Role::Reception);
    let with_sms = |given: &str| {
        let mut form = submission(given, "Lovelace", "latex");
        form.consents[1] = consent("marketing_sms", Decision::Granted);
        form
    };
    // Monday morning: a form granting SMS reaches the desk at noon.
    let monday = t0() + Duration::minutes(30);
    kiosk
        .store
        .save_submission(&k_manager, with_sms("Ada"), monday)
        .unwrap();
    let first = kiosk.store.outgoing(&k_manager).unwrap();
    let pid = desk
        .store
        .import_bundle(
            &d_manager,
            "kiosk-1",
            1,
            &head(10),
            "h1",
            &first,
            t0() + Duration::hours(3),
        )
        .unwrap()
        .added[0]
        .patient_id
        .clone();
    // Monday afternoon: she fills a form again (SMS granted again); it stays on the kiosk.
    kiosk
        .store
        .save_submission(&k_manager, with_sms("Ada"), t0() + Duration::hours(7))
        .unwrap();
    // Tuesday: she withdraws SMS at reception.
    let tuesday = t0() + Duration::days(1);
    desk.store
        .withdraw_consent(&reception, &pid, "marketing_sms", tuesday)
        .unwrap();
    // Wednesday: Monday afternoon's bundle arrives.
    let wednesday = t0() + Duration::days(2);
    let late = kiosk.store.outgoing(&k_manager).unwrap();
    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(14), "h2", &late, wednesday)
        .unwrap();
    assert_eq!(report.added.len(), 1);
    assert!(
        desk.store
            .marketing_list(&d_manager, "marketing_sms", wednesday)
            .unwrap()
            .is_empty(),
        "Tuesday's withdrawal stands"
    );
    assert_eq!(
        desk.store
            .current_consents(&d_manager, &pid, wednesday)
            .unwrap()["marketing_sms"],
        Decision::Withdrawn
    );
    // The late grant is kept in the history all the same.
    let sms: Vec<Decision> = desk
        .store
        .consent_history(&d_manager, &pid, wednesday)
        .unwrap()
        .into_iter()
        .filter(|e| e.item_id == "marketing_sms")
        .map(|e| e.decision)
        .collect();
    assert_eq!(
        sms,
        vec![Decision::Granted, Decision::Withdrawn, Decision::Granted]
    );
    // Nothing granted now: nothing to withdraw.
    assert!(matches!(
        desk.store
            .withdraw_consent(&reception, &pid, "marketing_sms", wednesday),
        Err(StoreError::NotFound)
    ));
    // A grant she makes after the withdrawal (Thursday) puts her back on the list.
    let thursday = t0() + Duration::days(3);
    kiosk
        .store
        .save_submission(&k_manager, with_sms("Ada"), thursday)
        .unwrap();
    let next = kiosk.store.outgoing(&k_manager).unwrap();
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 3, &head(18), "h3", &next, thursday)
        .unwrap();
    assert_eq!(
        desk.store
            .marketing_list(&d_manager, "marketing_sms", thursday)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_withdrawal_at_the_desk_outranks_a_grant_from_a_kiosk_whose_clock_runs_ahead() {
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    let mut form = submission("Ada", "Lovelace", "latex");
    form.consents[1] = consent("marketing_sms", Decision::Granted);
    // The kiosk's clock is 8 minutes fast (inside the allowed skew).
    let now = t0() + Duration::hours(2);
    kiosk
        .store
        .save_submission(&k_manager, form, now + Duration::minutes(8))
        .unwrap();
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    let pid = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &out, now)
        .unwrap()
        .added[0]
        .patient_id
        .clone();
    let withdrawal = desk
        .store
        .withdraw_consent(
            &d_manager,
            &pid,
            "marketing_sms",
            now + Duration::minutes(1),
        )
        .unwrap();
    assert_eq!(
        withdrawal.recorded_at,
        (now + Duration::minutes(8)).to_rfc3339()
    );
    assert!(
        desk.store
            .marketing_list(&d_manager, "marketing_sms", now)
            .unwrap()
            .is_empty(),
        "the withdrawal takes effect at once"
    );
}

// ----- the wrong-patient guard and merging duplicates ------------------------------------------

/// The amendments of `patient` that kept old details, as (old email, old postcode, reason).
fn identity_history(
    store: &OpenStore,
    actor: &Actor,
    patient: &str,
) -> Vec<(String, String, String)> {
    store
        .amendments(actor, patient, t0())
        .unwrap()
        .into_iter()
        .filter_map(|a| match a.previous {
            Previous::Identity(old) => Some((old.email.clone(), old.postcode.clone(), a.reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_returning_form_joins_a_patient_only_with_a_confirmed_date_of_birth_and_changes_are_amendments()
{
    let (mut kiosk, k_manager, mut desk, d_manager) = kiosk_linked_to_desk();
    let reception = sign_in(&mut kiosk.store, Role::Reception);
    let first = kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let ada = patient_of(&kiosk.store, &k_manager, &first);
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &out, t0())
        .unwrap();

    // A wrong date of birth gives no proof; a proof from another staff member's handover is
    // refused, and nothing is saved.
    assert!(
        kiosk
            .store
            .confirm_date_of_birth(&k_manager, &ada, "1987-06-16", t0())
            .unwrap()
            .is_none()
    );
    let mut stolen = submission("Ada", "Lovelace", "none");
    stolen.patient = returning(&kiosk.store, &reception, &ada);
    assert!(matches!(
        kiosk.store.save_submission(&k_manager, stolen, t0()),
        Err(StoreError::Forbidden)
    ));
    // A form whose own date of birth is not the confirmed one does not join her either.
    let mut other_born = identity("Ada", "Lovelace");
    other_born.date_of_birth = "1990-01-01".into();
    let mut mismatched = submission("Ada", "Lovelace", "none");
    mismatched.patient = match returning(&kiosk.store, &k_manager, &ada) {
        PatientRef::Returning { patient, .. } => PatientRef::Returning {
            patient,
            details: Some(other_born),
        },
        PatientRef::New(_) => unreachable!(),
    };
    assert!(matches!(
        kiosk.store.save_submission(&k_manager, mismatched, t0()),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        kiosk.store.sync_status().unwrap().pending,
        1,
        "nothing saved"
    );

    // Confirmed, with a new email typed: the form joins her and the old email is kept.
    let next_day = t0() + Duration::days(1);
    let mut new_email = identity("Ada", "Lovelace");
    new_email.email = "ada@new.example".into();
    new_email.phone = String::new(); // left blank: the stored phone stays
    let mut again = submission("Ada", "Lovelace", "latex, nickel");
    again.patient = match returning(&kiosk.store, &k_manager, &ada) {
        PatientRef::Returning { patient, .. } => PatientRef::Returning {
            patient,
            details: Some(new_email),
        },
        PatientRef::New(_) => unreachable!(),
    };
    let second = kiosk
        .store
        .save_submission(&k_manager, again, next_day)
        .unwrap();
    assert_eq!(patient_of(&kiosk.store, &k_manager, &second), ada);
    let now_held = kiosk
        .store
        .patient_identity(&k_manager, &ada, t0())
        .unwrap();
    assert_eq!(now_held.email, "ada@new.example");
    assert_eq!(now_held.phone, "+44 7700 900123");
    assert_eq!(
        identity_history(&kiosk.store, &k_manager, &ada),
        vec![(
            "ada@example.org".to_owned(),
            "SW1A 1AA".to_owned(),
            UPDATED_AT_KIOSK.to_owned()
        )]
    );

    // At the desk the change arrives as an amendment too, never an overwrite.
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(20), "h2", &out, next_day)
        .unwrap();
    assert_eq!(report.added.len(), 1);
    let desk_ada = report.added[0].patient_id.clone();
    assert_eq!(
        desk.store
            .patient_identity(&d_manager, &desk_ada, next_day)
            .unwrap()
            .email,
        "ada@new.example"
    );
    let history = identity_history(&desk.store, &d_manager, &desk_ada);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].0, "ada@example.org");
    assert!(
        history[0].2.starts_with(UPDATED_AT_KIOSK),
        "{}",
        history[0].2
    );

    // The kiosk's copy of the old details goes with the patient once the desk has everything.
    let ids = vec![first, second];
    kiosk
        .store
        .record_export(&k_manager, "desk-1", 1, &ids, next_day)
        .unwrap();
    assert_eq!(
        kiosk
            .store
            .apply_receipt(&k_manager, "desk-1", 1, &ids, next_day)
            .unwrap()
            .submissions,
        2
    );
    assert_eq!(kiosk.store.patient_count().unwrap(), 0);
}

#[test]
fn merging_moves_forms_and_consents_with_history_and_keeps_the_survivors_details() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    // Ada's record, then a duplicate: the same person typed another postcode and email (or
    // missed the date-of-birth check), saying yes to SMS and email marketing.
    let first = desk
        .store
        .save_submission(&manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let ada = patient_of(&desk.store, &manager, &first);
    let mut dup_form = submission_with(
        "Ada",
        "Lovelace",
        "latex, nickel",
        &[
            ("marketing_sms", Decision::Granted),
            ("marketing_email", Decision::Granted),
        ],
    );
    if let PatientRef::New(identity) = &mut dup_form.patient {
        identity.postcode = "EC1A 1BB".into();
        identity.email = "ada@work.example".into();
    }
    let day1 = t0() + Duration::days(1);
    let second = desk
        .store
        .save_submission(&manager, dup_form, day1)
        .unwrap();
    let duplicate = patient_of(&desk.store, &manager, &second);
    assert_ne!(duplicate, ada);
    // A day later, on her own record, Ada says no to SMS marketing.
    let day2 = t0() + Duration::days(2);
    desk.store
        .record_consent(
            &reception,
            &ada,
            &consent("marketing_sms", Decision::Refused),
            day2,
        )
        .unwrap();
    assert_eq!(
        desk.store
            .find_patients(&reception, "Ada", "Lovelace", "1987-06-15", day2)
            .unwrap()
            .len(),
        2
    );

    // Managers only; a reason is needed; a record does not merge into itself.
    let day3 = t0() + Duration::days(3);
    for actor in [&clinician, &reception] {
        assert!(matches!(
            desk.store
                .merge_patients(actor, &ada, &duplicate, "same person", day3),
            Err(StoreError::Forbidden)
        ));
    }
    assert!(matches!(
        desk.store
            .merge_patients(&manager, &ada, &duplicate, "  ", day3),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.store
            .merge_patients(&manager, &ada, &ada, "same person", day3),
        Err(StoreError::Invalid(_))
    ));
    let report = desk
        .store
        .merge_patients(
            &manager,
            &ada,
            &duplicate,
            "same person, typo in the postcode",
            day3,
        )
        .unwrap();
    assert_eq!(report.submissions, 1);
    assert_eq!(report.consent_events, 3);

    // Both forms are Ada's; her details are hers, not the duplicate's.
    let record = desk.store.open_record(&clinician, &ada, day3).unwrap();
    let forms: Vec<&str> = record
        .submissions
        .as_ref()
        .unwrap()
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(forms, vec![second.as_str(), first.as_str()]);
    assert_eq!(patient_of(&desk.store, &manager, &second), ada);
    assert_eq!(record.identity.postcode, "SW1A 1AA");
    assert_eq!(record.identity.email, "ada@example.org");
    assert!(record.merged_into.is_none());
    assert_eq!(record.last_visit_at, day1.to_rfc3339(), "the later visit");
    // The duplicate's decisions are hers, at their own times: her later SMS refusal stands.
    let moved: Vec<(String, String)> = record
        .consents
        .iter()
        .filter(|e| e.submission_id.as_deref() == Some(second.as_str()))
        .map(|e| (e.item_id.clone(), e.recorded_at.clone()))
        .collect();
    assert_eq!(moved.len(), 3);
    assert!(moved.iter().all(|(_, at)| *at == day1.to_rfc3339()));
    let state = intake_kiosk::forms::current_state(&record.consents);
    assert_eq!(state.get("marketing_sms"), Some(&Decision::Refused));
    assert_eq!(state.get("marketing_email"), Some(&Decision::Granted));
    let email_list = desk
        .store
        .marketing_list(&manager, "marketing_email", day3)
        .unwrap();
    assert_eq!(
        email_list
            .iter()
            .map(|p| p.patient_id.as_str())
            .collect::<Vec<_>>(),
        vec![ada.as_str()],
        "the duplicate is not on the list; Ada is, with her own email"
    );
    assert_eq!(email_list[0].identity.email, "ada@example.org");

    // The duplicate is marked, not deleted; it is no longer found; its details and the reason
    // are in Ada's history, and the merge is in her access history.
    let dup_record = desk.store.open_record(&manager, &duplicate, day3).unwrap();
    assert_eq!(
        dup_record.merged_into.as_ref().map(|m| m.0.as_str()),
        Some(ada.as_str())
    );
    assert_eq!(
        desk.store
            .find_patients(&reception, "Ada", "Lovelace", "1987-06-15", day3)
            .unwrap(),
        vec![ada.clone()]
    );
    let history = identity_history(&desk.store, &manager, &ada);
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].0.as_str(), history[0].1.as_str()),
        ("ada@work.example", "EC1A 1BB")
    );
    assert!(history[0].2.contains("same person, typo in the postcode"));
    assert!(
        desk.store
            .access_history(&manager, &ada, day3)
            .unwrap()
            .iter()
            .any(|e| e.kind == "merged" && e.actor == manager.staff_id())
    );
    // Merged once is merged: neither again, nor into the duplicate.
    assert!(matches!(
        desk.store
            .merge_patients(&manager, &ada, &duplicate, "again", day3),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.store
            .merge_patients(&manager, &duplicate, &ada, "back", day3),
        Err(StoreError::Invalid(_))
    ));
    // A withdrawal or a correction on the duplicate would change nobody's current record.
    assert!(matches!(
        desk.store
            .withdraw_consent(&reception, &duplicate, "marketing_email", day3),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        desk.store.amend_identity(
            &reception,
            &duplicate,
            &identity("Ada", "Lovelace"),
            "new email",
            day3
        ),
        Err(StoreError::Invalid(_))
    ));

    // Erasure takes the duplicate with the record it was merged into.
    let statement = desk.store.request_erasure(&manager, &ada, day3).unwrap();
    assert!(statement.held_until.is_some());
    assert!(matches!(
        desk.store.open_record(&manager, &duplicate, day3),
        Err(StoreError::NotFound)
    ));
    assert_eq!(desk.store.patient_count().unwrap(), 1);
}
