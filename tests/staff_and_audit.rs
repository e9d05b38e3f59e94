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
    // A name is a tile's label: too long to show (it pushed the PIN pad off the desk's sign-in
    // screen), or with control or direction characters (one that reads as another's), is
    // refused, whichever screen or command adds it.
    let long = "W".repeat(81);
    for bad in [
        long.as_str(),
        "   ",
        "\u{202e}atiR",
        "Rita\nRoe",
        "Rita\u{2067}",
    ] {
        let err = clinic
            .store
            .add_staff(&manager, bad, Role::Reception, &Pin::new("583920"), t0())
            .err();
        assert!(
            matches!(err, Some(SignInError::Store(StoreError::Invalid(_)))),
            "{bad:?}: {err:?}"
        );
    }
    clinic
        .store
        .add_staff(
            &manager,
            &"W".repeat(80),
            Role::Reception,
            &Pin::new("583920"),
            t0(),
        )
        .expect("80 characters are a name");
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
fn opening_with_the_right_passphrase_again_and_again_reports_no_failure() {
    let clinic = setup_clinic();
    let mut store = clinic.store.close(None, t0()).expect("close");
    for _ in 0..3 {
        let (open, _) =
            OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("right");
        store = open.close(None, t0()).expect("close");
        assert_eq!(store.failed_unlocks().expect("count"), 0);
    }
    let (mut open, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("right");
    let kinds = audit_kinds(&mut open);
    assert!(!kinds.contains(&"failed_unlocks".to_string()), "{kinds:?}");
}

/// The kinds of every audit entry, as a manager reads them.
fn audit_kinds(open: &mut OpenStore) -> Vec<String> {
    let manager = sign_in(open, Role::Manager);
    open.audit_entries(&manager, None, None)
        .expect("audit")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[test]
fn a_failed_unlock_is_reported_at_the_next_open() {
    let clinic = setup_clinic();
    let store = clinic.store.close(None, t0()).expect("close");
    let failure = OpenStore::unlock(store, &Passphrase::new("guessing the passphrase"), t0())
        .expect_err("wrong");
    let (mut open, _) =
        OpenStore::unlock(failure.store, &Passphrase::new(PASSPHRASE), t0()).expect("right");
    let kinds = audit_kinds(&mut open);
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

// ---- Staff and keys (issue 12) ----

use intake_kiosk::store::{StaffAdminError, StoreError};
use intake_kiosk::vault::RecoveryKey;

const SECOND_PASSPHRASE: &str = "mauve kettle under the stairs";

fn unlock_with(dir: &tempfile::TempDir, passphrase: &str) -> Result<OpenStore, StoreError> {
    let store = Store::open(&db_path(dir)).expect("open");
    OpenStore::unlock(store, &Passphrase::new(passphrase), t0())
        .map(|(open, _)| open)
        .map_err(|f| f.error)
}

fn closed(store: OpenStore) {
    drop(store.close(None, t0()).expect("close"));
}

#[test]
fn a_changed_passphrase_opens_and_the_old_one_does_not() {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let p = Passphrase::new;
    let refused = |r: Result<_, StaffAdminError>| r.err().map(|e| e.to_string());
    // Wrong current passphrase, too short, the same as before, typed twice differently.
    assert!(matches!(
        clinic.store.change_my_passphrase(
            &manager,
            &p("not my passphrase at all"),
            &p(SECOND_PASSPHRASE),
            &p(SECOND_PASSPHRASE),
            t0()
        ),
        Err(StaffAdminError::WrongPassphrase)
    ));
    for (new, again) in [
        ("too short", "too short"),
        (PASSPHRASE, PASSPHRASE),
        (SECOND_PASSPHRASE, "mauve kettle under the stair"),
        ("password 1234", "password 1234"),
    ] {
        let r =
            clinic
                .store
                .change_my_passphrase(&manager, &p(PASSPHRASE), &p(new), &p(again), t0());
        assert!(
            matches!(r, Err(StaffAdminError::Passphrase(_))),
            "{new}: {:?}",
            refused(r.map(|_| ()))
        );
    }
    clinic
        .store
        .change_my_passphrase(
            &manager,
            &p(PASSPHRASE),
            &p(SECOND_PASSPHRASE),
            &p(SECOND_PASSPHRASE),
            t0(),
        )
        .expect("changed");
    let kinds: Vec<(String, String)> = clinic
        .store
        .audit_entries(&manager, None, None)
        .expect("audit")
        .into_iter()
        .map(|e| (e.kind, e.actor))
        .collect();
    assert!(kinds.contains(&("passphrase_changed".into(), manager.staff_id().into())));
    closed(clinic.store);
    assert!(matches!(
        unlock_with(&clinic.dir, PASSPHRASE),
        Err(StoreError::Vault(_))
    ));
    closed(unlock_with(&clinic.dir, SECOND_PASSPHRASE).expect("the new passphrase opens"));
    // No copy of the old wrap is left in the file or the WAL for the old passphrase to open.
    let store = Store::open(&db_path(&clinic.dir)).expect("open");
    assert_eq!(store.key_wraps().expect("wraps").len(), 2);
}

#[test]
fn a_retired_receptionist_cannot_sign_in_and_keeps_their_name_in_history() {
    let mut clinic = setup_clinic();
    let reception_id = staff_id(&clinic.store, Role::Reception);
    let reception = sign_in(&mut clinic.store, Role::Reception);
    clinic
        .store
        .record_event(
            reception.staff_id(),
            intake_kiosk::store::AuditKind::PatientLookup,
            "",
            t0(),
        )
        .expect("event");
    let manager = sign_in(&mut clinic.store, Role::Manager);
    assert!(
        clinic
            .store
            .retire_staff(&reception, &reception_id, t0())
            .is_err(),
        "only a manager retires"
    );
    clinic
        .store
        .retire_staff(&manager, &reception_id, t0())
        .expect("retired");
    assert!(matches!(
        clinic.store.retire_staff(&manager, &reception_id, t0()),
        Err(StaffAdminError::AlreadyRetired)
    ));
    let refused = clinic
        .store
        .sign_in(&reception_id, &Pin::new(RECEPTION_PIN), t0())
        .expect_err("a retired member's right PIN is refused");
    assert!(matches!(refused, SignInError::Retired), "{refused:?}");
    assert!(refused.to_string().contains("retired"));
    assert!(
        clinic
            .store
            .list_staff(t0())
            .expect("list")
            .iter()
            .all(|s| s.id != reception_id),
        "not offered on the PIN screen"
    );
    // History keeps the name: their entries are still theirs, and the id still has a name.
    let theirs = clinic
        .store
        .audit_entries(&manager, None, Some(&reception_id))
        .expect("audit");
    assert!(theirs.iter().any(|e| e.kind == "patient_lookup"));
    let listed = clinic.store.all_staff(&manager).expect("all staff");
    let retired = listed
        .iter()
        .find(|s| s.id == reception_id)
        .expect("still listed");
    assert_eq!(retired.name, "Rita Reception");
    assert!(!retired.active);
    let retirement = clinic
        .store
        .audit_entries(&manager, Some(&reception_id), None)
        .expect("audit");
    assert!(
        retirement
            .iter()
            .any(|e| e.kind == "staff_retired" && e.actor == manager.staff_id())
    );
    // Survives a restart.
    let mut store = reopen(clinic.store, &clinic.dir);
    assert!(matches!(
        store.sign_in(&reception_id, &Pin::new(RECEPTION_PIN), t0()),
        Err(SignInError::Retired)
    ));
}

#[test]
fn the_last_manager_cannot_be_retired_and_a_retired_managers_passphrase_stops_working() {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    assert!(matches!(
        clinic
            .store
            .retire_staff(&manager, &clinic.manager_id, t0()),
        Err(StaffAdminError::LastManager)
    ));
    let second = clinic
        .store
        .add_manager_checked(
            &manager,
            "Sam Second",
            &Pin::new("730418"),
            &Passphrase::new(SECOND_PASSPHRASE),
            &Passphrase::new(SECOND_PASSPHRASE),
            t0(),
        )
        .expect("second manager");
    let weak = clinic.store.add_manager_checked(
        &manager,
        "Weak",
        &Pin::new("730419"),
        &Passphrase::new("short"),
        &Passphrase::new("short"),
        t0(),
    );
    assert!(matches!(weak, Err(StaffAdminError::Passphrase(_))));
    closed(clinic.store);
    closed(unlock_with(&clinic.dir, SECOND_PASSPHRASE).expect("second manager opens"));
    let mut store = unlock_with(&clinic.dir, PASSPHRASE).expect("first opens");
    let manager = store
        .sign_in(&clinic.manager_id, &Pin::new(MANAGER_PIN), t0())
        .expect("sign in");
    store
        .retire_staff(&manager, &second, t0())
        .expect("retire the second manager");
    assert!(matches!(
        store.retire_staff(&manager, &clinic.manager_id, t0()),
        Err(StaffAdminError::LastManager)
    ));
    closed(store);
    assert!(
        unlock_with(&clinic.dir, SECOND_PASSPHRASE).is_err(),
        "a retired manager's passphrase opens nothing"
    );
}

#[test]
fn a_reset_pin_works_and_the_old_one_does_not() {
    let mut clinic = setup_clinic();
    let clinician_id = staff_id(&clinic.store, Role::Clinician);
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let reception = sign_in(&mut clinic.store, Role::Reception);
    assert!(
        clinic
            .store
            .reset_pin(&reception, &clinician_id, &Pin::new("640281"), t0())
            .is_err()
    );
    assert!(matches!(
        clinic
            .store
            .reset_pin(&manager, &clinician_id, &Pin::new("123456"), t0()),
        Err(StaffAdminError::Pin(_))
    ));
    clinic
        .store
        .reset_pin(&manager, &clinician_id, &Pin::new("640281"), t0())
        .expect("reset");
    assert!(matches!(
        clinic
            .store
            .sign_in(&clinician_id, &Pin::new(CLINICIAN_PIN), t0()),
        Err(SignInError::WrongPin { .. })
    ));
    let clinician = clinic
        .store
        .sign_in(&clinician_id, &Pin::new("640281"), t0())
        .expect("the new PIN works");
    // Anyone changes their own PIN, giving the current one.
    assert!(matches!(
        clinic
            .store
            .change_pin(&clinician, &Pin::new("999111"), &Pin::new("815263"), t0()),
        Err(StaffAdminError::WrongPin)
    ));
    clinic
        .store
        .change_pin(&clinician, &Pin::new("640281"), &Pin::new("815263"), t0())
        .expect("changed");
    assert!(
        clinic
            .store
            .sign_in(&clinician_id, &Pin::new("640281"), t0())
            .is_err()
    );
    assert!(
        clinic
            .store
            .sign_in(&clinician_id, &Pin::new("815263"), t0())
            .is_ok()
    );
    let kinds: Vec<(String, String, String)> = clinic
        .store
        .audit_entries(&manager, Some(&clinician_id), None)
        .expect("audit")
        .into_iter()
        .map(|e| (e.kind, e.actor, e.subject))
        .collect();
    assert!(kinds.contains(&(
        "pin_reset".into(),
        manager.staff_id().into(),
        clinician_id.clone()
    )));
    assert!(kinds.contains(&("pin_changed".into(), clinician_id.clone(), clinician_id)));
}

#[test]
fn a_new_recovery_key_opens_and_the_old_one_does_not() {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let old = clinic.recovery.to_printable();
    let (new, _) = clinic
        .store
        .new_recovery_key(&manager, t0())
        .expect("new key");
    let new = new.to_printable();
    closed(clinic.store);
    let store = Store::open(&db_path(&clinic.dir)).expect("open");
    let failure =
        OpenStore::unlock_with_recovery(store, &RecoveryKey::parse(&old).expect("parse"), t0())
            .expect_err("the old recovery key stops working");
    let open = OpenStore::unlock_with_recovery(
        failure.store,
        &RecoveryKey::parse(&new).expect("parse"),
        t0(),
    )
    .expect("the new recovery key opens");
    closed(open);
}

#[test]
fn passphrase_failures_are_counted_before_the_check_and_a_success_resets_them() {
    let clinic = setup_clinic();
    let mut store = clinic.store.close(None, t0()).expect("close");
    for expected in 1..=2 {
        let failure = OpenStore::unlock(store, &Passphrase::new("a wrong guess here"), t0())
            .expect_err("wrong");
        store = failure.store;
        assert_eq!(store.failed_unlocks().expect("count"), expected);
    }
    // Counted before the check: the count is up even while an attempt is still being checked,
    // so killing the program mid-check gains nothing.
    assert_eq!(store.count_unlock_attempt().expect("count"), 2);
    assert_eq!(store.failed_unlocks().expect("count"), 3);
    let (open, _) = OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("right");
    let store = open.close(None, t0()).expect("close");
    assert_eq!(store.failed_unlocks().expect("count"), 0);
}

/// Every value on disk that the data key made: sealed values, row tags, blind indexes, consent
/// heads, audit tags and key wraps. Read straight from the file, as an attacker would.
fn key_made_values(path: &std::path::Path) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(path).expect("open raw");
    let mut out = Vec::new();
    let columns: Vec<(String, String)> = conn
        .prepare(
            "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
             WHERE m.type = 'table'",
        )
        .expect("schema")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("columns")
        .collect::<Result<_, _>>()
        .expect("columns");
    for (table, column) in columns {
        let keyed = column.starts_with("sealed_")
            || matches!(
                column.as_str(),
                "row_tag" | "lookup_index" | "name_dob_index" | "consent_head" | "wrap_json"
            )
            || (table == "audit_log" && column == "tag")
            || (table == "audit_head" && column == "last_tag");
        if !keyed {
            continue;
        }
        let values: Vec<rusqlite::types::Value> = conn
            .prepare(&format!("SELECT \"{column}\" FROM \"{table}\""))
            .expect("select")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows");
        for value in values {
            match value {
                rusqlite::types::Value::Blob(b) => out.push(b[..b.len().min(32)].to_vec()),
                rusqlite::types::Value::Text(t) => {
                    // A wrap's JSON: its sealed data key is the part only that key made.
                    let at = t.find("sealed_dek").unwrap_or(0);
                    out.push(t.as_bytes()[at..].to_vec());
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn after_a_rotation_everything_reads_as_before_and_the_old_key_opens_nothing() {
    use intake_kiosk::forms::Decision;
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let second = clinic
        .store
        .add_manager_checked(
            &manager,
            "Sam Second",
            &Pin::new("730418"),
            &Passphrase::new(SECOND_PASSPHRASE),
            &Passphrase::new(SECOND_PASSPHRASE),
            t0(),
        )
        .expect("second manager");
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let (first, ada) = save_ada(&mut clinic.store, &clinician);
    let mut again = submission("Ada", "Lovelace", "penicillin");
    again.patient = returning(&clinic.store, &clinician, &ada);
    let second_visit = clinic
        .store
        .save_submission(&clinician, again, t0())
        .expect("save");
    let other = clinic
        .store
        .save_submission(&clinician, submission("Bo", "Berry", "none"), t0())
        .expect("save");
    clinic
        .store
        .record_consent(
            &clinician,
            &ada,
            &consent("marketing_sms", Decision::Granted),
            t0(),
        )
        .expect("consent");
    let ids = [first, second_visit, other];
    let reads = |store: &OpenStore, actor: &intake_kiosk::store::Actor| {
        let records: Vec<_> = ids
            .iter()
            .map(|id| {
                let r = store.read_medical(actor, id, t0()).expect("read");
                let who = format!(
                    "{} {} {} {}",
                    r.identity.given_name,
                    r.identity.family_name,
                    r.identity.postcode,
                    r.identity.email
                );
                (
                    allergy_of(store, actor, id),
                    r.signature.svg_path.clone(),
                    who,
                )
            })
            .collect();
        let history: Vec<_> = store
            .consent_history(actor, &ada, t0())
            .expect("history")
            .into_iter()
            .map(|e| (e.id, e.item_id, e.decision))
            .collect();
        let found = store
            .find_returning_patient(actor, &identity("Ada", "Lovelace"), t0())
            .expect("look-up");
        let by_name = store
            .find_patients(actor, "Bo", "Berry", "1987-06-15", t0())
            .expect("look-up");
        (records, history, found, by_name)
    };
    let before = reads(&clinic.store, &clinician);
    assert_eq!(before.2.as_deref(), Some(ada.as_str()));
    let audit_before = clinic
        .store
        .audit_entries(&manager, None, None)
        .expect("audit");

    // Every active manager's passphrase is needed (each wrap is made again with it).
    let mut progress = Vec::new();
    let missing = clinic.store.rotate_data_key(
        &manager,
        &[Passphrase::new(PASSPHRASE)],
        t0(),
        &mut |done, total| progress.push((done, total)),
    );
    assert!(
        matches!(missing, Err(StaffAdminError::PassphraseNeeded { ref staff_id, .. }) if *staff_id == second)
    );
    assert!(
        clinic
            .store
            .rotate_data_key(
                &clinician,
                &[Passphrase::new(PASSPHRASE)],
                t0(),
                &mut |_, _| {}
            )
            .is_err(),
        "only a manager rotates"
    );

    // A copy taken before the rotation, and every value the old key made.
    closed(clinic.store);
    let path = db_path(&clinic.dir);
    let old_values = key_made_values(&path);
    assert!(old_values.len() > 40, "{}", old_values.len());
    let before_copy = tempfile::tempdir().expect("tempdir");
    let copy_path = before_copy.path().join("before.sqlite3");
    std::fs::copy(&path, &copy_path).expect("copy");

    let mut store = unlock_with(&clinic.dir, SECOND_PASSPHRASE).expect("open");
    let manager = store
        .sign_in(&second, &Pin::new("730418"), t0())
        .expect("sign in");
    let rotation = store
        .rotate_data_key(
            &manager,
            &[
                Passphrase::new(SECOND_PASSPHRASE),
                Passphrase::new(PASSPHRASE),
            ],
            t0(),
            &mut |done, total| progress.push((done, total)),
        )
        .expect("rotated");
    assert!(rotation.rows > 20);
    assert_eq!(
        progress.last().copied(),
        Some((rotation.rows, rotation.rows))
    );
    let new_recovery = rotation.recovery_key.to_printable();
    // PINs carry over; everything reads as before; every check passes.
    let clinician = sign_in(&mut store, Role::Clinician);
    assert_eq!(reads(&store, &clinician), before);
    assert!(matches!(
        store.verify_audit().expect("audit"),
        ChainCheck::Intact { .. }
    ));
    // The audit log reads as before, entry for entry (the rotation's own entries after it).
    let audit_after = store.audit_entries(&manager, None, None).expect("audit");
    assert!(audit_before.len() > 5 && audit_after.len() > audit_before.len());
    assert_eq!(audit_after[..audit_before.len()], audit_before[..]);
    store
        .verify_everything()
        .expect("every row and chain checks");
    let rotated_by = store
        .audit_entries(&manager, None, Some(&second))
        .expect("audit");
    assert!(rotated_by.iter().any(|e| e.kind == "data_key_rotated"));
    closed(store);

    // Nothing the old key made is left in the file or its WAL.
    for value in &old_values {
        let hits = files_containing(clinic.dir.path(), value);
        assert!(hits.is_empty(), "an old value is still in {hits:?}");
    }
    // Both passphrases open the rotated file, the PINs work after a restart, and the recovery
    // key is the new one.
    closed(unlock_with(&clinic.dir, PASSPHRASE).expect("first manager"));
    let mut store = unlock_with(&clinic.dir, SECOND_PASSPHRASE).expect("second manager");
    let clinician = sign_in(&mut store, Role::Clinician);
    assert_eq!(reads(&store, &clinician), before);
    closed(store);
    let failure =
        OpenStore::unlock_with_recovery(Store::open(&path).expect("open"), &clinic.recovery, t0())
            .expect_err("the old recovery key opens nothing");
    closed(
        OpenStore::unlock_with_recovery(
            failure.store,
            &RecoveryKey::parse(&new_recovery).expect("parse"),
            t0(),
        )
        .expect("the new recovery key opens"),
    );

    // The copy from before still opens with the old passphrase (replace old backups!), but
    // its wraps planted in the rotated file open nothing there.
    let copy = Store::open(&copy_path).expect("open copy");
    let (copy, _) = OpenStore::unlock(copy, &Passphrase::new(PASSPHRASE), t0())
        .expect("the old copy opens with the old passphrase");
    closed(copy);
    {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        conn.execute("DELETE FROM key_wraps", []).expect("delete");
        conn.execute(
            "ATTACH DATABASE ?1 AS old",
            [copy_path.to_str().expect("utf-8")],
        )
        .expect("attach");
        conn.execute("INSERT INTO key_wraps SELECT * FROM old.key_wraps", [])
            .expect("plant");
    }
    let planted = unlock_with(&clinic.dir, PASSPHRASE);
    assert!(
        matches!(planted, Err(StoreError::Tampered { .. })),
        "{planted:?}"
    );
}

#[test]
fn the_newest_recorded_time_counts_from_a_managers_confirmation_of_the_clock() {
    use intake_kiosk::store::{AuditKind, StoreError, earliest_plausible, runs_behind};
    let mut clinic = setup_clinic();
    let open = &mut clinic.store;
    assert_eq!(open.newest_recorded_time().expect("read"), Some(t0()));
    // Entries written while the clock ran a week ahead of the right time (`right`).
    let right = earliest_plausible() + Duration::days(10);
    let ahead = right + Duration::days(7);
    let manager = sign_in(open, Role::Manager);
    open.record_event("kiosk", AuditKind::KioskOpened, "", ahead)
        .expect("event");
    // A later entry dated earlier (the clock put right) does not lower it.
    open.record_event("kiosk", AuditKind::KioskOpened, "", right)
        .expect("event");
    assert_eq!(open.newest_recorded_time().expect("read"), Some(ahead));
    assert_eq!(runs_behind(right, Some(ahead)), Some(ahead));

    let reception = sign_in(open, Role::Reception);
    assert!(matches!(
        open.confirm_clock(&reception, right),
        Err(StoreError::Forbidden)
    ));
    // A clock before this version's release is never confirmed as right.
    let reset = earliest_plausible() - Duration::days(400);
    assert!(matches!(
        open.confirm_clock(&manager, reset),
        Err(StoreError::Encoding(_))
    ));
    open.confirm_clock(&manager, right).expect("confirm");
    assert_eq!(open.newest_recorded_time().expect("read"), Some(right));
    assert_eq!(runs_behind(right, Some(right)), None);
    let entries = open.audit_entries(&manager, None, None).expect("audit");
    let confirmed = entries
        .iter()
        .find(|e| e.kind == "clock_confirmed")
        .expect("logged");
    assert_eq!(
        confirmed.subject,
        ahead.to_rfc3339(),
        "the time it ran behind"
    );
    assert!(matches!(open.verify_audit(), Ok(ChainCheck::Intact { .. })));
}
