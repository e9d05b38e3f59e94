//! The vault and the store together: unlocking, recovery, re-wrapping, AAD binding, need-to-know,
//! bad files, a full disk, migrations, and no plaintext on disk.

mod common;

use common::*;
use intake_kiosk::staff::{PassphraseRejection, Role};
use intake_kiosk::store::{OpenStore, StaffAdminError, Store, StoreError};
use intake_kiosk::vault::{Passphrase, RecoveryKey, VaultError};

fn close(clinic: Clinic) -> (Store, tempfile::TempDir, RecoveryKey) {
    let store = clinic.store.close(None, t0()).expect("close");
    (store, clinic.dir, clinic.recovery)
}

#[test]
fn wrong_passphrase_is_refused_and_changes_nothing() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let id = clinic
        .store
        .save_submission(
            &clinician,
            submission("Ada", "Lovelace", "penicillin"),
            t0(),
        )
        .expect("save");
    let (store, dir, _) = close(clinic);
    let wraps_before = store.key_wraps().expect("wraps");
    let failure = OpenStore::unlock(store, &Passphrase::new("not the passphrase at all"), t0())
        .expect_err("must refuse");
    assert!(
        matches!(
            failure.error,
            StoreError::Vault(VaultError::WrongPassphrase)
        ),
        "{:?}",
        failure.error
    );
    assert_eq!(failure.store.key_wraps().expect("wraps"), wraps_before);
    let (mut open, _) = OpenStore::unlock(failure.store, &Passphrase::new(PASSPHRASE), t0())
        .expect("right passphrase");
    let clinician = sign_in(&mut open, Role::Clinician);
    assert_eq!(allergy_of(&open, &clinician, &id), "penicillin");
    drop(dir);
}

#[test]
fn recovery_key_opens_and_passphrase_change_keeps_records() {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let id = clinic
        .store
        .save_submission(&manager, submission("Grace", "Hopper", "latex"), t0())
        .expect("save");
    let printed = clinic.recovery.to_printable().to_string();
    let (store, _dir, _) = close(clinic);

    // The manager forgot the passphrase: the printed recovery key opens the vault.
    let typed = RecoveryKey::parse(&printed).expect("parse");
    let mut open = OpenStore::unlock_with_recovery(store, &typed, t0()).expect("recovery opens");
    let manager = sign_in(&mut open, Role::Manager);
    // They set a new one: typed twice, by the rules of any new passphrase.
    let new = Passphrase::new("a brand new passphrase");
    assert!(matches!(
        open.reset_passphrase_by_recovery(
            None,
            &new,
            &Passphrase::new("a brand new passfrase"),
            t0()
        ),
        Err(StaffAdminError::Passphrase(PassphraseRejection::Mismatch))
    ));
    let (whose, _) = open
        .reset_passphrase_by_recovery(None, &new, &new, t0())
        .expect("the only manager's passphrase set anew");
    assert_eq!(whose, manager.staff_id());
    assert_eq!(allergy_of(&open, &manager, &id), "latex");
    let store = open.close(Some(&manager), t0()).expect("close");

    let failure = OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0())
        .expect_err("old passphrase no longer works");
    let (mut open, _) = OpenStore::unlock(
        failure.store,
        &Passphrase::new("a brand new passphrase"),
        t0(),
    )
    .expect("new one does");
    let manager = sign_in(&mut open, Role::Manager);
    assert_eq!(allergy_of(&open, &manager, &id), "latex");
    // Opened with a passphrase, the recovery path is closed: a manager who knows theirs changes
    // it with the current one.
    assert!(matches!(
        open.reset_passphrase_by_recovery(None, &new, &new, t0()),
        Err(StaffAdminError::Store(StoreError::Forbidden))
    ));

    let wrong = RecoveryKey::parse(&"0".repeat(52)).expect("well-formed");
    let store = open.close(None, t0()).expect("close");
    let failure = OpenStore::unlock_with_recovery(store, &wrong, t0()).expect_err("wrong key");
    assert!(matches!(
        failure.error,
        StoreError::Vault(VaultError::WrongRecoveryKey)
    ));
}

#[test]
fn short_passphrase_is_refused_at_setup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&db_path(&dir)).expect("open");
    let err = OpenStore::setup(
        store,
        intake_kiosk::store::SetupRequest {
            clinic_name: "C".into(),
            manager_name: "M".into(),
            manager_passphrase: Passphrase::new("short"),
            manager_passphrase_again: Passphrase::new("short"),
            manager_pin: intake_kiosk::vault::Pin::new(MANAGER_PIN),
            staff: vec![],
        },
        t0(),
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("at least 12"), "{err}");
    let store = Store::open(&db_path(&dir)).expect("reopen");
    assert!(
        !store.is_set_up().expect("query"),
        "a failed setup leaves nothing behind"
    );
}

/// First-run setup applies the rules every other place a manager chooses a passphrase applies:
/// typed twice alike, and not one of the phrases every leaked-password list starts with.
#[test]
fn setup_refuses_a_mistyped_or_common_passphrase() {
    for (passphrase, again, says) in [
        (
            "correct horse battery staple",
            "correct horse battery stapel",
            "differ",
        ),
        ("password1234", "password1234", "too common"),
        ("Password 1 2 3 4", "Password 1 2 3 4", "too common"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&db_path(&dir)).expect("open");
        let err = OpenStore::setup(
            store,
            intake_kiosk::store::SetupRequest {
                clinic_name: "C".into(),
                manager_name: "M".into(),
                manager_passphrase: Passphrase::new(passphrase),
                manager_passphrase_again: Passphrase::new(again),
                manager_pin: intake_kiosk::vault::Pin::new(MANAGER_PIN),
                staff: vec![],
            },
            t0(),
        )
        .err()
        .expect("refused");
        assert!(err.to_string().contains(says), "{passphrase}: {err}");
        let store = Store::open(&db_path(&dir)).expect("reopen");
        assert!(!store.is_set_up().expect("query"), "{passphrase}");
    }
}

#[test]
fn ciphertext_moved_to_another_row_fails_to_open() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let a = clinic
        .store
        .save_submission(&clinician, submission("Ann", "A", "nuts"), t0())
        .expect("save a");
    let b = clinic
        .store
        .save_submission(&clinician, submission("Bob", "B", "shellfish"), t0())
        .expect("save b");
    let (store, dir, _) = close(clinic);
    drop(store);
    {
        let raw = rusqlite::Connection::open(db_path(&dir)).expect("raw open");
        let sealed_a: Vec<u8> = raw
            .query_row(
                "SELECT sealed_answers FROM submissions WHERE id = ?1",
                [&a],
                |r| r.get(0),
            )
            .expect("a");
        raw.execute(
            "UPDATE submissions SET sealed_answers = ?1 WHERE id = ?2",
            rusqlite::params![sealed_a, b],
        )
        .expect("swap into b");
        // And a signature copied into the answers column of its own row.
        raw.execute(
            "UPDATE submissions SET sealed_answers = sealed_signature WHERE id = ?1",
            [&a],
        )
        .expect("column swap");
    }
    let store = Store::open(&db_path(&dir)).expect("reopen");
    let (mut open, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("unlock");
    let clinician = sign_in(&mut open, Role::Clinician);
    assert!(matches!(
        open.read_medical(&clinician, &b, t0()),
        Err(StoreError::Tampered { .. })
    ));
    assert!(matches!(
        open.read_medical(&clinician, &a, t0()),
        Err(StoreError::Tampered { .. })
    ));
}

#[test]
fn a_submissions_id_sorts_by_when_the_form_was_saved() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let later = t0() + chrono::Duration::hours(1);
    let mut save = |first: &str, at| {
        clinic
            .store
            .save_submission(&clinician, submission(first, "Time", "none"), at)
            .expect("save")
    };
    // Saved out of order (a kiosk's clock put back): the ids follow the times, not the calls.
    let (second, first, also_first) = (save("Bo", later), save("Al", t0()), save("Cy", t0()));
    assert!(first < second && also_first < second);
    assert_ne!(first, also_first);
    assert_eq!(first[..12], format!("{:012x}", t0().timestamp_millis()));
    assert_eq!(first[..12], also_first[..12]);
}

#[test]
fn need_to_know_is_enforced_by_the_store() {
    let mut clinic = setup_clinic();
    let reception = sign_in(&mut clinic.store, Role::Reception);
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let id = clinic
        .store
        .save_submission(&reception, submission("Cy", "C", "aspirin"), t0())
        .expect("reception may save");

    assert!(matches!(
        clinic.store.read_medical(&reception, &id, t0()),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        clinic.store.audit_entries(&reception, None, None),
        Err(StoreError::Forbidden)
    ));
    assert_eq!(allergy_of(&clinic.store, &clinician, &id), "aspirin");
    assert_eq!(allergy_of(&clinic.store, &manager, &id), "aspirin");

    // Reception sees who and which consents, which is what the list holds — no answers.
    let list = clinic
        .store
        .submissions_since(&reception, t0(), t0())
        .expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].patient_name, "Cy C");
    assert_eq!(list[0].consents.len(), 2);

    // Every view is audited with who and which record.
    let entries = clinic
        .store
        .audit_entries(&manager, Some(&id), None)
        .expect("audit");
    let viewers: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == "record_viewed")
        .map(|e| e.actor.as_str())
        .collect();
    assert_eq!(viewers, vec![clinician.staff_id(), manager.staff_id()]);
}

#[test]
fn returning_patient_is_found_by_three_point_check_only() {
    let mut clinic = setup_clinic();
    let reception = sign_in(&mut clinic.store, Role::Reception);
    clinic
        .store
        .save_submission(&reception, submission("José", "Núñez", "none"), t0())
        .expect("save");
    let mut same = identity("JOSE\u{301}", "nunez");
    same.family_name = "NÚÑEZ".into();
    assert!(
        clinic
            .store
            .find_returning_patient(&reception, &same, t0())
            .expect("lookup")
            .is_some()
    );
    let mut other_postcode = identity("José", "Núñez");
    other_postcode.postcode = "EC1A 1BB".into();
    assert!(
        clinic
            .store
            .find_returning_patient(&reception, &other_postcode, t0())
            .expect("lookup")
            .is_none()
    );
}

#[test]
fn a_file_that_is_not_ours_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(
        &junk,
        b"this is a text file, not a database, with enough bytes to look like one",
    )
    .expect("write");
    let before = std::fs::read(&junk).expect("read");
    assert!(matches!(
        Store::open(&junk),
        Err(StoreError::NotADatabase { .. })
    ));
    assert_eq!(std::fs::read(&junk).expect("read"), before);

    let foreign = dir.path().join("other.sqlite3");
    {
        let c = rusqlite::Connection::open(&foreign).expect("create");
        c.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);")
            .expect("schema");
    }
    let before = std::fs::read(&foreign).expect("read");
    assert!(matches!(
        Store::open(&foreign),
        Err(StoreError::Foreign { .. })
    ));
    assert_eq!(std::fs::read(&foreign).expect("read"), before);
}

#[test]
fn a_corrupt_database_is_refused_and_left_untouched() {
    let clinic = setup_clinic();
    let (store, dir, _) = close(clinic);
    drop(store);
    let path = db_path(&dir);
    let mut bytes = std::fs::read(&path).expect("read");
    // Scribble over the second page onwards (b-tree pages), keep the header. The page size is
    // in the header (bytes 16-17, big-endian).
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    for b in bytes.iter_mut().skip(page + 8).take(3000) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("write");
    let err = Store::open(&path).expect_err("refused");
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NotADatabase { .. }
        ),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), bytes, "never modified");
}

#[test]
fn a_full_disk_fails_cleanly_and_loses_nothing() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let kept = clinic
        .store
        .save_submission(&clinician, submission("Kim", "K", "ibuprofen"), t0())
        .expect("save");
    clinic
        .store
        .store()
        .set_page_limit(1)
        .expect("cap at current size");
    // 200,000 letters that do not compress (a sealed value is packed when that makes it
    // smaller: one letter repeated would pack to a few hundred bytes and fit).
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let noise: String = (0..200_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + u8::try_from(state % 26).expect("< 26"))
        })
        .collect();
    let mut big = submission("Lee", "L", &noise);
    big.consents.push(common::consent(
        "photo_website",
        intake_kiosk::forms::Decision::Granted,
    ));
    let err = clinic
        .store
        .save_submission(&clinician, big, t0())
        .expect_err("must fail");
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert!(err.to_string().contains("disk is full"));
    // Nothing half-written: the earlier submission is intact and the failed one left no trace.
    assert_eq!(allergy_of(&clinic.store, &clinician, &kept), "ibuprofen");
    assert_eq!(clinic.store.pending_count().expect("count"), 1);
    assert_eq!(clinic.store.patient_count().expect("count"), 1);
    assert_eq!(clinic.store.store().integrity_check().expect("check"), "ok");
}

#[test]
fn migrations_run_twice_are_idempotent() {
    let clinic = setup_clinic();
    let (store, dir, _) = close(clinic);
    let version = store.schema_version().expect("version");
    assert!(version >= 1);
    store.migrate_again().expect("again");
    drop(store);
    let store = Store::open(&db_path(&dir)).expect("reopen");
    assert_eq!(store.schema_version().expect("version"), version);
    assert!(store.is_set_up().expect("still set up"));
}

#[test]
fn no_patient_value_reaches_the_files() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let canaries = [
        "Zebediah",
        "Quillfeather",
        "CANARYALLERGY-peanut",
        "canary-note-7731",
    ];
    let mut s = submission(canaries[0], canaries[1], canaries[2]);
    s.answers.set(
        "notes",
        intake_kiosk::forms::AnswerValue::Text(canaries[3].into()),
    );
    clinic
        .store
        .save_submission(&clinician, s, t0())
        .expect("save");
    let _ = clinic.store.read_medical(
        &clinician,
        &clinic
            .store
            .submissions_since(&clinician, t0(), t0())
            .expect("list")[0]
            .id,
        t0(),
    );
    // While open (the WAL holds the latest pages) and after closing.
    for canary in canaries {
        assert!(
            files_containing(clinic.dir.path(), canary.as_bytes()).is_empty(),
            "{canary} found while open"
        );
    }
    let (store, dir, _) = close(clinic);
    drop(store);
    for canary in canaries
        .iter()
        .chain(["Maya Manager", "Rita Reception", "sw1a", "SW1A 1AA"].iter())
    {
        let hits = files_containing(dir.path(), canary.as_bytes());
        assert!(hits.is_empty(), "{canary} found in {hits:?}");
    }
}

#[test]
fn a_submission_stays_readable_after_the_form_changes() {
    use intake_kiosk::forms::{FormDefinition, tr};
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let old = clinic
        .store
        .save_submission(&clinician, submission("Old", "Form", "pollen"), t0())
        .expect("save");

    // The clinic changes its form: a question renamed, another removed, a new version.
    let mut v2 = FormDefinition::built_in();
    v2.version = "2027.1".into();
    v2.sections[1]
        .questions
        .retain(|q| q.id != "past_treatments");
    v2.sections[2].questions[0]
        .label
        .insert("en".into(), "Any allergies at all?".into());
    let mut s = submission("New", "Form", "dust");
    s.form = intake_kiosk::forms::DefinitionText::of(&v2);
    let new = clinic
        .store
        .save_submission(&clinician, s, t0())
        .expect("save v2");

    let old_record = clinic
        .store
        .read_medical(&clinician, &old, t0())
        .expect("old readable");
    let old_form =
        FormDefinition::from_stored(old_record.form_definition_json.as_deref().expect("stored"))
            .expect("parses");
    assert_eq!(
        old_form,
        FormDefinition::built_in(),
        "the old submission shows the form its patient saw"
    );
    assert!(old_form.questions().any(|q| q.id == "past_treatments"));
    let new_record = clinic
        .store
        .read_medical(&clinician, &new, t0())
        .expect("new readable");
    let new_form =
        FormDefinition::from_stored(new_record.form_definition_json.as_deref().expect("stored"))
            .expect("parses");
    assert_eq!(
        tr(&new_form.sections[2].questions[0].label, "en"),
        "Any allergies at all?"
    );
    assert_ne!(old_record.form_hash, new_record.form_hash);

    // (A definition that does not match its hash cannot be handed to the store: `DefinitionText`
    // is only made by hashing its JSON.)
    assert_eq!(clinic.store.pending_count().expect("count"), 2);
}

/// `backup` restored into a new empty data folder (kept as long as the folder lives), opened
/// as the manager, every row and chain checked.
fn restored(
    backup: &std::path::Path,
) -> (OpenStore, intake_kiosk::store::Actor, tempfile::TempDir) {
    let target = tempfile::tempdir().expect("tempdir");
    let unlock = |s| {
        OpenStore::unlock_as_manager(s, &Passphrase::new(PASSPHRASE), t0()).map_err(|f| f.error)
    };
    let restored = intake_kiosk::store::restore(
        backup,
        &target.path().join("data").join("kiosk.sqlite3"),
        intake_kiosk::store::SyncRole::Kiosk,
        None,
        &unlock,
        t0(),
    )
    .expect("restores");
    let (open, actor) =
        unlock(Store::open(&restored.file).expect("open restored")).expect("unlock");
    assert!(open.verify_everything().expect("every row checks") > 0);
    (open, actor, target)
}

#[test]
fn a_backup_taken_while_another_connection_writes_restores_the_same_records() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let first = clinic
        .store
        .save_submission(&clinician, submission("Ada", "Lovelace", "latex"), t0())
        .expect("save");
    let (manager, manager_actor) = OpenStore::unlock_as_manager(
        Store::open(&db_path(&clinic.dir)).expect("open"),
        &Passphrase::new(PASSPHRASE),
        t0(),
    )
    .expect("second connection");
    // Another connection (the window) keeps saving forms while the backup is taken.
    let writer = std::thread::spawn(move || {
        let mut store = clinic.store;
        for i in 0..30 {
            store
                .save_submission(
                    &clinician,
                    submission(&format!("Writer{i}"), "Busy", "none"),
                    t0(),
                )
                .expect("save while backing up");
        }
        (store, clinician)
    });
    let backups = tempfile::tempdir().expect("tempdir");
    let done = manager
        .backup_into(backups.path(), "kiosk", t0())
        .expect("backup");
    let (store, clinician) = writer.join().expect("writer");
    let forms_in_backup = done
        .counts
        .iter()
        .find(|(t, _)| t == "submissions")
        .map(|(_, n)| *n)
        .expect("counted");
    assert!(forms_in_backup >= 1, "{:?}", done.counts);

    let (open, actor, _target) = restored(&done.file);
    // The same records as the snapshot: the first form, its consent history and allergy, and
    // as many forms as the backup counted.
    assert_eq!(allergy_of(&open, &actor, &first), "latex");
    let source_record = store.read_medical(&clinician, &first, t0()).expect("read");
    let copy_record = open.read_medical(&actor, &first, t0()).expect("read copy");
    assert_eq!(
        store
            .consent_history(&clinician, &source_record.patient_id, t0())
            .expect("history")
            .len(),
        open.consent_history(&actor, &copy_record.patient_id, t0())
            .expect("history")
            .len()
    );
    let copied_forms = open
        .submissions_since(&actor, t0() - chrono::Duration::days(1), t0())
        .expect("list")
        .len();
    assert_eq!(i64::try_from(copied_forms).unwrap(), forms_in_backup);
    assert!(matches!(
        open.verify_audit().expect("audit"),
        intake_kiosk::store::ChainCheck::Intact { .. }
    ));
    // The same audit chain: the copy's entries are the database's first ones at the snapshot,
    // entry for entry (the restore and this unlock add theirs after them).
    let in_backup = done
        .counts
        .iter()
        .find(|(t, _)| t == "audit_log")
        .map(|(_, n)| usize::try_from(*n).expect("a count"))
        .expect("counted");
    let source_audit = manager
        .audit_entries(&manager_actor, None, None)
        .expect("source audit");
    let copy_audit = open.audit_entries(&actor, None, None).expect("copy audit");
    assert!(in_backup > 0 && source_audit.len() > in_backup);
    assert_eq!(copy_audit[..in_backup], source_audit[..in_backup]);
}

#[test]
fn two_backups_in_one_second_both_succeed_both_restore_and_keep_prunes_the_older() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let first = clinic
        .store
        .save_submission(&clinician, submission("Ada", "Lovelace", "latex"), t0())
        .expect("save");
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let backups = tempfile::tempdir().expect("tempdir");
    // A file a person put there under a name close to ours stays untouched throughout.
    let theirs = backups
        .path()
        .join("intake-kiosk-kiosk-20261123T090000Z_copy.sqlite3");
    std::fs::write(&theirs, "a person's copy").expect("write");

    // The same second (the clock fixed at t0): the second gets the next number.
    let one = clinic
        .store
        .backup_into(backups.path(), "kiosk", t0())
        .expect("first backup");
    let second = clinic
        .store
        .save_submission(&clinician, submission("Bo", "Berry", "none"), t0())
        .expect("save");
    let two = clinic
        .store
        .backup_into(backups.path(), "kiosk", t0())
        .expect("a second backup in the same second succeeds");
    assert_eq!(
        one.file.file_name().unwrap(),
        intake_kiosk::store::backup_file_name("kiosk", t0()).as_str()
    );
    assert_eq!(
        two.file.file_name().unwrap(),
        intake_kiosk::store::numbered_backup_file_name("kiosk", t0(), 2).as_str()
    );

    // Both restore, each with what it held.
    for (backup, forms) in [(&one.file, 1), (&two.file, 2)] {
        let (open, actor, _target) = restored(backup);
        let listed = open
            .submissions_since(&actor, t0() - chrono::Duration::days(1), t0())
            .expect("list");
        assert_eq!(listed.len(), forms, "{}", backup.display());
        assert_eq!(allergy_of(&open, &actor, &first), "latex");
        if forms == 2 {
            assert_eq!(allergy_of(&open, &actor, &second), "none");
        }
    }

    // A third in that second, keeping two: the first one (and its checksum) goes.
    let kept = clinic
        .store
        .backup_kept(backups.path(), "kiosk", Some(2), manager.staff_id(), t0())
        .expect("third backup");
    assert_eq!(kept.removed, std::slice::from_ref(&one.file));
    assert!(!one.file.exists());
    assert!(
        !backups
            .path()
            .join(format!(
                "{}.sha256",
                one.file.file_name().unwrap().to_string_lossy()
            ))
            .exists()
    );
    assert!(two.file.exists() && kept.done.file.exists());
    assert_eq!(
        kept.done.file.file_name().unwrap(),
        intake_kiosk::store::numbered_backup_file_name("kiosk", t0(), 3).as_str()
    );
    assert_eq!(
        std::fs::read(&theirs).expect("still there"),
        b"a person's copy"
    );
}

#[test]
fn a_returning_patients_form_notes_the_visit_and_one_saved_under_an_earlier_clock_moves_it_not_back()
 {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let (_, ada) = save_ada(&mut clinic.store, &clinician);
    let path = db_path(&clinic.dir);
    let last_visit = || -> String {
        rusqlite::Connection::open(&path)
            .expect("open")
            .query_row(
                "SELECT last_visit_at FROM visit_state WHERE patient_id = ?1",
                [&ada],
                |r| r.get(0),
            )
            .expect("visit state")
    };
    // Kept to the millisecond in UTC, `Z`: the compact form the visit state keeps.
    let kept =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert_eq!(last_visit(), kept(t0()));
    assert_eq!(last_visit(), "2026-11-23T09:00:00.000Z");
    let mut again = submission("Ada", "Lovelace", "penicillin");
    let later = t0() + chrono::Duration::days(30);
    again.patient = returning(&clinic.store, &clinician, &ada);
    clinic
        .store
        .save_submission(&clinician, again, later)
        .expect("save");
    assert_eq!(last_visit(), kept(later));
    // The tablet's clock set back: the form is kept, the last visit stays the latest.
    let mut late = submission("Ada", "Lovelace", "none");
    late.patient = returning(&clinic.store, &clinician, &ada);
    clinic
        .store
        .save_submission(&clinician, late, t0() + chrono::Duration::days(1))
        .expect("save");
    assert_eq!(last_visit(), kept(later));
    let record = clinic
        .store
        .open_record(&clinician, &ada, later)
        .expect("the record and its chains check out");
    assert_eq!(
        record
            .submissions
            .expect("a clinician sees the forms")
            .len(),
        3
    );
}

#[test]
fn a_kiosks_backup_is_not_restored_as_a_desk_and_a_slipped_newer_path_is_never_made() {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    clinic
        .store
        .create_sync_identity(
            &manager,
            intake_kiosk::store::SyncRole::Kiosk,
            "kiosk-1",
            &[7u8; 64],
            t0(),
        )
        .expect("identity");
    let backups = tempfile::tempdir().unwrap();
    let done = clinic
        .store
        .backup_into(backups.path(), "kiosk", t0())
        .expect("backup");
    let unlock = |s| {
        OpenStore::unlock_as_manager(s, &Passphrase::new(PASSPHRASE), t0()).map_err(|f| f.error)
    };
    let target = tempfile::tempdir().unwrap();
    let data = target.path().join("data");
    let as_desk = intake_kiosk::store::restore(
        &done.file,
        &data.join("desk.sqlite3"),
        intake_kiosk::store::SyncRole::Desk,
        None,
        &unlock,
        t0(),
    );
    let refused = as_desk.expect_err("a kiosk's backup as a desk").to_string();
    assert!(
        refused.contains("is a kiosk's backup, not a desk's"),
        "{refused}"
    );
    assert!(
        std::fs::read_dir(&data).unwrap().next().is_none(),
        "nothing left in the data folder"
    );

    // `newer` naming no database: refused before anything is made, there or in the data folder.
    let typo = target.path().join("shared").join("typo.sqlite3");
    let slipped = intake_kiosk::store::restore(
        &done.file,
        &data.join("kiosk.sqlite3"),
        intake_kiosk::store::SyncRole::Kiosk,
        Some(&typo),
        &unlock,
        t0(),
    );
    let refused = slipped.expect_err("no newer database").to_string();
    assert!(refused.contains("there is no database at"), "{refused}");
    assert!(!typo.exists() && !typo.parent().unwrap().exists());
    assert!(!data.join("kiosk.sqlite3").exists());
}
