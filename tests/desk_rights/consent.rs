//! Withdrawal of one consent (history kept), marketing lists of granted patients, restriction, and the order of decisions made at the desk and on kiosks.

use super::*;

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
