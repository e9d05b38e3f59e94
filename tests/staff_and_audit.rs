//! PIN rules, the lockout surviving a restart, and the audit chain catching edits, deletions and
//! reordering.

mod common;

use chrono::Duration;
use common::*;
use intake_kiosk::staff::{Lockout, Role};
use intake_kiosk::store::{ChainCheck, OpenStore, SignInError, Store};
use intake_kiosk::vault::{Passphrase, Pin};

fn reopen(store: OpenStore, dir: &tempfile::TempDir) -> OpenStore {
    drop(store.close(None, t0()).expect("close"));
    let store = Store::open(&db_path(dir)).expect("reopen");
    OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0())
        .expect("unlock")
        .0
}

#[test]
fn weak_pins_are_refused_when_adding_staff() {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    for weak in ["123456", "000000", "111111", "12345", "987654", "abcdef"] {
        let err = clinic
            .store
            .add_staff(&manager, "New", Role::Reception, &Pin::new(weak), t0())
            .err();
        assert!(
            matches!(err, Some(SignInError::PinRule(_))),
            "{weak} accepted"
        );
    }
    let reception = sign_in(&mut clinic.store, Role::Reception);
    let err = clinic
        .store
        .add_staff(
            &reception,
            "New",
            Role::Reception,
            &Pin::new("583920"),
            t0(),
        )
        .err();
    assert!(err.is_some(), "reception cannot add staff");
    let id = clinic
        .store
        .add_staff(
            &manager,
            "Nia New",
            Role::Clinician,
            &Pin::new("583920"),
            t0(),
        )
        .expect("added");
    assert!(clinic.store.sign_in(&id, &Pin::new("583920"), t0()).is_ok());
}

#[test]
fn lockout_grows_survives_restart_and_needs_a_manager() {
    let mut clinic = setup_clinic();
    let id = staff_id(&clinic.store, Role::Reception);
    let wrong = Pin::new("999998");
    let mut now = t0();
    for attempt in 1..=3 {
        match clinic.store.sign_in(&id, &wrong, now) {
            Err(SignInError::WrongPin { failures, .. }) => assert_eq!(failures, attempt),
            other => panic!("attempt {attempt}: {other:?}"),
        }
    }
    // Third failure: a delay now applies, even for the right PIN.
    assert!(matches!(
        clinic.store.sign_in(&id, &Pin::new(RECEPTION_PIN), now),
        Err(SignInError::Wait { .. })
    ));

    // The count and the delay survive closing and reopening (a crash or a restart).
    let mut store = reopen(clinic.store, &clinic.dir);
    assert!(matches!(
        store.sign_in(&id, &Pin::new(RECEPTION_PIN), now),
        Err(SignInError::Wait { .. })
    ));
    let listed = store
        .list_staff(now)
        .expect("list")
        .into_iter()
        .find(|m| m.id == id)
        .expect("listed");
    assert!(matches!(listed.lockout, Lockout::WaitUntil(_)));

    // Keep failing after each delay until the hard lock at the 10th failure.
    for attempt in 4..=10 {
        now += Duration::hours(1);
        match store.sign_in(&id, &wrong, now) {
            Err(SignInError::WrongPin { failures, lockout }) => {
                assert_eq!(failures, attempt);
                assert_eq!(lockout == Lockout::Locked, attempt == 10);
            }
            other => panic!("attempt {attempt}: {other:?}"),
        }
    }
    now += Duration::days(2);
    assert!(matches!(
        store.sign_in(&id, &Pin::new(RECEPTION_PIN), now),
        Err(SignInError::Locked)
    ));
    let mut store = reopen(store, &clinic.dir);
    assert!(matches!(
        store.sign_in(&id, &Pin::new(RECEPTION_PIN), now),
        Err(SignInError::Locked)
    ));

    // A wrong manager passphrase does not lift it; the right one does.
    assert!(
        store
            .reset_lockout(&Passphrase::new("wrong wrong wrong"), &id, now)
            .is_err()
    );
    store
        .reset_lockout(&Passphrase::new(PASSPHRASE), &id, now)
        .expect("reset");
    assert!(store.sign_in(&id, &Pin::new(RECEPTION_PIN), now).is_ok());
    // And a success resets the count.
    assert_eq!(
        store
            .list_staff(now)
            .expect("list")
            .into_iter()
            .find(|m| m.id == id)
            .expect("listed")
            .failed_pins,
        0
    );
}

#[test]
fn a_failed_unlock_is_reported_at_the_next_open() {
    let clinic = setup_clinic();
    let store = clinic.store.close(None, t0()).expect("close");
    let failure = OpenStore::unlock(store, &Passphrase::new("guessing the passphrase"), t0())
        .expect_err("wrong");
    let (mut open, _) =
        OpenStore::unlock(failure.store, &Passphrase::new(PASSPHRASE), t0()).expect("right");
    let manager = sign_in(&mut open, Role::Manager);
    let kinds: Vec<String> = open
        .audit_entries(&manager, None, None)
        .expect("audit")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"failed_unlocks".to_string()), "{kinds:?}");
}

/// Builds a clinic with a few audit entries, closes it, and applies `tamper` to the raw file.
fn tampered(tamper: &str) -> ChainCheck {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    for name in ["A", "B", "C"] {
        clinic
            .store
            .save_submission(&clinician, submission(name, "Z", "none"), t0())
            .expect("save");
    }
    assert!(matches!(
        clinic.store.verify_audit().expect("verify"),
        ChainCheck::Intact { .. }
    ));
    drop(clinic.store.close(None, t0()).expect("close"));
    {
        let raw = rusqlite::Connection::open(db_path(&clinic.dir)).expect("raw");
        raw.execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {tamper}"
        ))
        .expect("tamper");
    }
    let store = Store::open(&db_path(&clinic.dir)).expect("reopen");
    let (open, _) = OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("unlock");
    open.verify_audit().expect("verify runs")
}

#[test]
fn the_audit_chain_detects_edit_delete_and_reorder() {
    assert_eq!(
        tampered("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4;"),
        ChainCheck::BrokenAt { seq: 4 }
    );
    assert_eq!(
        tampered("DELETE FROM audit_log WHERE seq = 3;"),
        ChainCheck::BrokenAt { seq: 3 }
    );
    // Swap two entries' contents while keeping their places.
    assert_eq!(
        tampered(
            "UPDATE audit_log SET seq = -5 WHERE seq = 5;
             UPDATE audit_log SET seq = 5 WHERE seq = 6;
             UPDATE audit_log SET seq = 6 WHERE seq = -5;"
        ),
        ChainCheck::BrokenAt { seq: 5 }
    );
}

#[test]
fn the_audit_log_refuses_updates_through_sqlite() {
    let clinic = setup_clinic();
    drop(clinic.store.close(None, t0()).expect("close"));
    let raw = rusqlite::Connection::open(db_path(&clinic.dir)).expect("raw");
    assert!(raw.execute("UPDATE audit_log SET kind = 'x'", []).is_err());
    assert!(raw.execute("DELETE FROM audit_log", []).is_err());
}
