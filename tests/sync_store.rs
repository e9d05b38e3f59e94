//! The store's half of sync, without the crypto: what a kiosk offers, the desk's exactly-once
//! import, and the kiosk's purge on a receipt (no canary left in its files).

mod common;

use common::*;
use intake_kiosk::staff::Role;
use intake_kiosk::store::{AuditHead, LinkState, OfferedKey, StoreError, WalCheckpoint};

/// The key kiosk-1 pairs with, and the one it offers when it pairs again.
const FIRST_KEY: OfferedKey<'static> = OfferedKey {
    kiosk_id: "kiosk-1",
    sign_public: &[7u8; 32],
    comparison_code: "123 456",
};
const SECOND_KEY: OfferedKey<'static> = OfferedKey {
    kiosk_id: "kiosk-1",
    sign_public: &[9u8; 32],
    comparison_code: "999 999",
};

fn head(length: u64) -> AuditHead {
    AuditHead {
        length,
        last_tag: "00".repeat(32),
        previous: None,
    }
}

#[test]
fn export_import_exactly_once_then_purge() {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k_manager = sign_in(&mut kiosk.store, Role::Manager);
    let k_clinician = sign_in(&mut kiosk.store, Role::Clinician);
    let d_manager = sign_in(&mut desk.store, Role::Manager);
    let d_clinician = sign_in(&mut desk.store, Role::Clinician);
    desk.store
        .link_kiosk(&d_manager, FIRST_KEY, t0())
        .expect("link");
    // The code the kiosk shows, typed at the desk: until then its bundles are refused.
    desk.store
        .confirm_kiosk(&d_manager, "kiosk-1", "123 456", t0())
        .expect("link");

    let first = kiosk
        .store
        .save_submission(
            &k_clinician,
            submission("Ada", "Lovelace", "CANARY-LATEX"),
            t0(),
        )
        .expect("save");
    let second = kiosk
        .store
        .save_submission(
            &k_clinician,
            submission("Grace", "Hopper", "penicillin"),
            t0(),
        )
        .expect("save");

    // Reception-level staff cannot pull the export.
    let reception = sign_in(&mut kiosk.store, Role::Reception);
    assert!(matches!(
        kiosk.store.outgoing(&reception),
        Err(StoreError::Forbidden)
    ));

    let out = kiosk.store.outgoing(&k_manager).expect("outgoing");
    assert_eq!(out.submissions.len(), 2);
    assert_eq!(out.forms.len(), 1);
    assert_eq!(out.submissions[0].consents.len(), 2);
    let seq = kiosk.store.next_bundle_seq().expect("seq");
    assert_eq!(seq, 1);
    let ids: Vec<String> = out
        .submissions
        .iter()
        .map(|s| s.submission_id.clone())
        .collect();
    kiosk
        .store
        .begin_export(&k_manager, "desk-1", seq, 10, t0())
        .expect("take the number");
    kiosk
        .store
        .record_export(&k_manager, seq, &ids, t0())
        .expect("record export");
    let status = kiosk.store.sync_status().expect("status");
    assert_eq!((status.pending, status.exported), (0, 2));

    let report = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &out, t0())
        .expect("import");
    assert_eq!(report.added.len(), 2);
    assert_eq!(
        allergy_of(&desk.store, &d_clinician, &first),
        "CANARY-LATEX"
    );

    // The same bundle again: refused, nothing added.
    assert!(matches!(
        desk.store
            .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &out, t0()),
        Err(StoreError::AlreadyImported { seq: 1, .. })
    ));
    // A later, overlapping bundle (a third form plus the two unacknowledged ones).
    kiosk
        .store
        .save_submission(&k_clinician, submission("Ada", "Lovelace", "nickel"), t0())
        .expect("save");
    let out2 = kiosk.store.outgoing(&k_manager).expect("outgoing");
    assert_eq!(out2.submissions.len(), 3);
    let report2 = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(14), "h2", &out2, t0())
        .expect("import 2");
    assert_eq!((report2.added.len(), report2.duplicates.len()), (1, 2));
    assert_eq!(desk.store.patient_count().expect("count"), 2, "Ada matched");

    // A bundle whose audit chain is shorter than one seen before is refused.
    assert!(matches!(
        desk.store
            .import_bundle(&d_manager, "kiosk-1", 3, &head(5), "h3", &out2, t0()),
        Err(StoreError::AuditRolledBack { .. })
    ));

    // The sealed answers as they sit in the file (a read-only look from outside the store).
    let sealed: Vec<u8> = {
        let raw = rusqlite::Connection::open_with_flags(
            db_path(&kiosk.dir),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("raw open");
        raw.query_row(
            "SELECT sealed_answers FROM submissions WHERE id = ?1",
            [&first],
            |r| r.get(0),
        )
        .expect("sealed answers")
    };
    let fragment = &sealed[sealed.len() - 32..];
    assert!(!files_containing(kiosk.dir.path(), fragment).is_empty());

    // The receipt for bundle 1 purges the two delivered submissions on the kiosk.
    let purged = kiosk
        .store
        .apply_receipt(
            &k_manager,
            "desk-1",
            1,
            &[first.clone(), second.clone()],
            t0(),
        )
        .expect("receipt");
    assert_eq!(purged.submissions, 2);
    assert!(!purged.old_copies_remain);
    // The patient with a form still pending keeps it (and its decisions) listed; nothing else.
    kiosk
        .store
        .verify_everything()
        .expect("whole after the purge");
    assert!(matches!(
        kiosk.store.read_medical(&k_clinician, &first, t0()),
        Err(StoreError::NotFound)
    ));
    let status = kiosk.store.sync_status().expect("status");
    assert_eq!(
        (status.pending, status.exported, status.delivered),
        (1, 0, 2)
    );
    assert_eq!(
        kiosk.store.store().checkpoint().expect("checkpoint"),
        WalCheckpoint::Truncated
    );
    assert!(
        files_containing(kiosk.dir.path(), fragment).is_empty(),
        "the purged ciphertext is gone from the database, WAL and shm"
    );
    assert_eq!(kiosk.store.store().integrity_check().expect("check"), "ok");
}

#[test]
fn the_desk_store_keeps_a_kiosk_link_pending_until_confirmed_and_revoked_for_ever() {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k_manager = sign_in(&mut kiosk.store, Role::Manager);
    let d_manager = sign_in(&mut desk.store, Role::Manager);
    let d_clinician = sign_in(&mut desk.store, Role::Clinician);
    kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    let link = |desk: &common::Clinic| desk.store.kiosk_link("kiosk-1").unwrap().unwrap();

    // Only a manager pairs and confirms.
    assert!(matches!(
        desk.store.link_kiosk(&d_clinician, FIRST_KEY, t0()),
        Err(StoreError::Forbidden)
    ));
    desk.store.link_kiosk(&d_manager, FIRST_KEY, t0()).unwrap();
    assert_eq!(link(&desk).state(), LinkState::Pending);
    assert!(matches!(
        desk.store
            .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &out, t0()),
        Err(StoreError::KioskNotConfirmed { .. })
    ));
    assert!(matches!(
        desk.store
            .confirm_kiosk(&d_clinician, "kiosk-1", "123 456", t0()),
        Err(StoreError::Forbidden)
    ));
    // The same id again (another key): refused, the pending link untouched.
    assert!(matches!(
        desk.store.link_kiosk(&d_manager, SECOND_KEY, t0()),
        Err(StoreError::KioskAlreadyPaired { .. })
    ));
    assert_eq!(link(&desk).sign_public, vec![7u8; 32]);
    // The same kiosk's new code (its first withdrawn or expired), under the key it was paired
    // with: the waiting link takes the new code, and only the new code confirms it.
    let new_code = OfferedKey {
        comparison_code: "654 321",
        ..FIRST_KEY
    };
    desk.store.link_kiosk(&d_manager, new_code, t0()).unwrap();
    assert_eq!(link(&desk).state(), LinkState::Pending);
    assert_eq!(link(&desk).comparison_code, "654 321");
    assert_eq!(link(&desk).sign_public, vec![7u8; 32]);
    assert!(matches!(
        desk.store
            .confirm_kiosk(&d_manager, "kiosk-1", "123 456", t0()),
        Err(StoreError::ComparisonCodeMismatch { .. })
    ));
    assert_eq!(link(&desk).state(), LinkState::Pending);
    // And back to the first code for the steps below, as a manager would re-scan it.
    desk.store.link_kiosk(&d_manager, FIRST_KEY, t0()).unwrap();
    desk.store
        .confirm_kiosk(&d_manager, "kiosk-1", "123-456", t0())
        .unwrap();
    assert_eq!(link(&desk).state(), LinkState::Confirmed);
    assert!(matches!(
        desk.store.link_kiosk(&d_manager, SECOND_KEY, t0()),
        Err(StoreError::KioskAlreadyPaired { .. })
    ));
    // Confirmed, a new code under the same key is refused too: only a manager's replacement
    // sends a confirmed kiosk back to waiting.
    assert!(matches!(
        desk.store.link_kiosk(&d_manager, FIRST_KEY, t0()),
        Err(StoreError::KioskAlreadyPaired { .. })
    ));
    assert_eq!(link(&desk).state(), LinkState::Confirmed);
    assert_eq!(link(&desk).sign_public, vec![7u8; 32]);
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(10), "h1", &out, t0())
        .unwrap();

    // Revoked: no pairing, replacement or confirmation brings it back.
    let before = desk.dir.path().join("before-revocation.sqlite3");
    rusqlite::Connection::open(db_path(&desk.dir))
        .unwrap()
        .execute("VACUUM INTO ?1", [before.to_str().unwrap()])
        .unwrap();
    desk.store
        .revoke_kiosk(&d_manager, "kiosk-1", t0())
        .unwrap();
    let revoked = link(&desk);
    assert_eq!(revoked.state(), LinkState::Revoked);
    for attempt in [
        desk.store.link_kiosk(&d_manager, SECOND_KEY, t0()),
        desk.store.replace_kiosk_key(&d_manager, SECOND_KEY, t0()),
        desk.store
            .confirm_kiosk(&d_manager, "kiosk-1", "123 456", t0())
            .map(|_| ()),
    ] {
        assert!(
            matches!(attempt, Err(StoreError::KioskRevoked { .. })),
            "{attempt:?}"
        );
    }
    assert_eq!(link(&desk), revoked);
    assert!(matches!(
        desk.store
            .import_bundle(&d_manager, "kiosk-1", 2, &head(12), "h2", &out, t0()),
        Err(StoreError::KioskRevoked { .. })
    ));
    // A stray UPDATE (a bug, not an attacker: they could drop the trigger) cannot lift it either.
    let raw = rusqlite::Connection::open(db_path(&desk.dir)).unwrap();
    assert!(
        raw.execute(
            "UPDATE kiosk_links SET revoked_at = NULL WHERE kiosk_id = 'kiosk-1'",
            []
        )
        .is_err()
    );
    // Nor its row as it was before the revocation, put back from an older copy of the database
    // (its tag sound, the trigger passed by): the import refuses, naming the links.
    raw.execute("ATTACH DATABASE ?1 AS older", [before.to_str().unwrap()])
        .unwrap();
    raw.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM main.kiosk_links WHERE kiosk_id = 'kiosk-1';
         INSERT INTO main.kiosk_links SELECT * FROM older.kiosk_links WHERE kiosk_id = 'kiosk-1';",
    )
    .unwrap();
    assert!(matches!(
        desk.store.kiosk_links(),
        Err(StoreError::Tampered { .. })
    ));
    match desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(12), "h2", &out, t0())
    {
        Err(StoreError::Tampered { table, .. }) => assert_eq!(table, "kiosk_links"),
        other => panic!("not refused: {:?}", other.map(|r| r.added.len())),
    }
}
