//! Rights at the desk that work on the ledger and blind indexes: search without decrypting the
//! register, withdrawal of one consent (history kept), and marketing lists of granted patients.

mod common;

use common::*;
use intake_kiosk::forms::Decision;
use intake_kiosk::staff::Role;
use intake_kiosk::store::{PatientRef, StoreError};

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
    again.patient = PatientRef::Returning {
        patient_id: grace_id.clone(),
        corrected: None,
    };
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
