//! The rights-request register: due dates in calendar months, extensions by a manager.

use super::*;

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
    // Refused: a requester whose characters turn the direction of the line it shows in (the
    // desk's own dates after it would read backwards).
    let mut reversed = request(Some(&ada), date(2027, 1, 31));
    reversed.requester = "Ada by phone\u{202e}".into();
    assert!(matches!(
        desk.store.log_rights_request(&reception, &reversed, now),
        Err(StoreError::Invalid(_))
    ));
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
    // Not once the first month has passed: the patient must be told within it.
    let too_late = date(2027, 3, 1).and_hms_opt(9, 0, 0).unwrap().and_utc();
    let refused = desk
        .store
        .extend_rights_request(&manager, &id, 2, "records held in two systems", too_late)
        .unwrap_err()
        .to_string();
    assert!(refused.contains("Art. 12(3)"), "{refused}");
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
