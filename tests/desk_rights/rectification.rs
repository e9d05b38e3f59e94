//! Rectification with history: answers and details, corrections that later kiosk forms do not undo, returning patients and merged duplicates.

use super::*;

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
    // An email address that is not one is refused, nothing kept in the history.
    let mut slipped = moved.clone();
    slipped.email = "ada@analytical".into();
    assert!(matches!(
        desk.store
            .amend_identity(&reception, &pid, &slipped, "moved house", later),
        Err(StoreError::Details(
            intake_kiosk::forms::IdentityError::BadEmail
        ))
    ));
    assert_eq!(
        desk.store
            .amendments(&reception, &pid, later)
            .unwrap()
            .len(),
        1
    );
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
    assert_eq!(time_of(&record.last_visit_at), thursday);
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
    assert_eq!(time_of(&record.last_visit_at), thursday);
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
        time_of(&record.last_visit_at),
        tuesday,
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
        .begin_export(&k_manager, "desk-1", 1, 10, next_day)
        .unwrap();
    kiosk
        .store
        .record_export(&k_manager, 1, &ids, next_day)
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
    // Every patient's row lists exactly the forms and decisions that are theirs now.
    desk.store
        .verify_everything()
        .expect("whole after the merge");

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
    assert_eq!(time_of(&record.last_visit_at), day1, "the later visit");
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
    verify_ok(&desk.store);
}
