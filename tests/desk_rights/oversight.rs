//! Need-to-know on the record, the breach register, unusual-access flags and opening hours in the clinic's time zone.

use super::*;

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
fn a_register_search_is_one_look_up_naming_everyone_found_not_a_view_of_each() {
    let (mut desk, manager, _, reception) = desk_with_staff();
    // Two records opened by one person in a short while would be flagged.
    desk.store
        .set_setting(&manager, "flags.records", "2", t0())
        .unwrap();
    // Two patients of one name and date of birth (they live apart: two records).
    let mut pids = Vec::new();
    for postcode in ["EC1A 1BB", "N1 9GU"] {
        let mut form = submission("Ada", "Lovelace", "latex");
        if let PatientRef::New(identity) = &mut form.patient {
            identity.postcode = postcode.into();
        }
        let sid = desk.store.save_submission(&manager, form, t0()).unwrap();
        pids.push(patient_of(&desk.store, &manager, &sid));
    }
    let at_desk = t0() + Duration::minutes(5);
    let found = desk
        .store
        .look_up_patients(&reception, "ada", "LOVELACE", "1987-06-15", at_desk)
        .unwrap();
    let mut listed: Vec<&str> = found.iter().map(|p| p.patient_id.as_str()).collect();
    listed.sort_unstable();
    pids.sort_unstable();
    assert_eq!(listed, pids);
    let postcodes: Vec<&str> = found.iter().map(|p| p.identity.postcode.as_str()).collect();
    assert!(postcodes.contains(&"EC1A 1BB") && postcodes.contains(&"N1 9GU"));

    let entries: Vec<AuditEntry> = desk
        .store
        .audit_entries(&manager, None, Some(reception.staff_id()))
        .unwrap()
        .into_iter()
        .filter(|e| e.at == at_desk.to_rfc3339())
        .collect();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["patient_lookup"], "{entries:?}");
    for pid in &pids {
        assert!(entries[0].subject.contains(pid.as_str()));
        // Each patient's access history shows the look-up that listed them.
        let history = desk.store.access_history(&manager, pid, at_desk).unwrap();
        assert!(
            history
                .iter()
                .any(|e| e.kind == "patient_lookup" && e.actor == reception.staff_id()),
            "{history:?}"
        );
    }
    // Nobody's record reads as opened by a search.
    let flags = desk.store.unusual_access(&manager, t0()).unwrap();
    assert!(
        !flags
            .iter()
            .any(|f| f.kind == FlagKind::ManyRecords && f.actor == reception.staff_id()),
        "{flags:?}"
    );
}

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
    assert_eq!(time_of(&record.last_visit_at), t0());
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
        Err(StoreError::Setting(_))
    ));
    desk.store.unusual_access(&manager, since).unwrap();
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
