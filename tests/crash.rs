//! Durability under SIGKILL: a child process saves submissions in a loop and reports each one
//! after `save_submission` returns; the parent kills it at random moments. Every reported
//! submission must be present and open, and the database must pass integrity_check.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use intake_kiosk::staff::Role;
use intake_kiosk::store::{OpenStore, Store};
use intake_kiosk::vault::Passphrase;

const CHILD_ENV: &str = "INTAKE_KIOSK_CRASH_CHILD_DB";
const KILLS: usize = 50;

/// A child's store: the database the parent named in `env`, unlocked (`None` when `env` is not
/// set: the test binary runs its child bodies as ordinary tests too).
fn child_store(env: &str) -> Option<OpenStore> {
    let path = std::env::var(env).ok()?;
    let store = Store::open(std::path::Path::new(&path)).expect("child open");
    let (store, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("child unlock");
    Some(store)
}

/// The child's body; does nothing unless the parent started this binary with `CHILD_ENV` set.
#[test]
fn crash_child_writer() {
    let Some(mut store) = child_store(CHILD_ENV) else {
        return;
    };
    let clinician = sign_in(&mut store, Role::Clinician);
    println!("ready");
    for i in 0.. {
        let id = store
            .save_submission(
                &clinician,
                submission(&format!("P{i}"), "Crash", &format!("allergy-{i}")),
                t0(),
            )
            .expect("child save");
        println!("saved {id} allergy-{i}");
    }
}

/// A small xorshift generator seeded from the clock: kill moments differ from run to run.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn saved_submissions_survive_sigkill() {
    let clinic = setup_clinic();
    let path = db_path(&clinic.dir);
    drop(clinic.store.close(None, t0()).expect("close"));
    let mut seed = u64::from(Instant::now().elapsed().subsec_nanos()) | 0x9E37_79B9_7F4A_7C15;
    let mut reported: Vec<(String, String)> = Vec::new();
    for _ in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "crash_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait until it has saved once (so every kill proves something, however loaded the
        // machine), then let it run 0–60 ms more before the kill.
        // libtest may print "test crash_child_writer ... " on the same line before "ready".
        let mut lines = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
            let saved = line.contains("saved ");
            lines.push(line);
            if saved || Instant::now() > deadline {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(next_random(&mut seed) % 60));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        reader.join().expect("reader");
        lines.extend(rx.try_iter());
        for line in lines {
            if let Some(rest) = line.find("saved ").map(|at| &line[at + 6..]) {
                let (id, allergy) = rest.split_once(' ').expect("id and allergy");
                reported.push((id.to_owned(), allergy.to_owned()));
            }
        }
    }
    assert!(
        reported.len() >= KILLS,
        "the child saved too little to prove anything: {}",
        reported.len()
    );

    let store = Store::open(&path).expect("reopen after kills");
    assert_eq!(store.integrity_check().expect("integrity"), "ok");
    let (mut store, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("unlock");
    let clinician = sign_in(&mut store, Role::Clinician);
    for (id, allergy) in &reported {
        assert_eq!(
            &allergy_of(&store, &clinician, id),
            allergy,
            "submission {id} lost or damaged"
        );
    }
}

const ROTATE_CHILD_ENV: &str = "INTAKE_KIOSK_ROTATE_CHILD_DB";
const ROTATION_SUBMISSIONS: usize = 2_000;
const ROTATION_KILLS: usize = 20;

/// The rotation child's body: opens, signs the manager in, says "ready", rotates the data key,
/// says "rotated". Does nothing unless the parent set `ROTATE_CHILD_ENV`.
#[test]
fn crash_child_rotator() {
    let Some(mut store) = child_store(ROTATE_CHILD_ENV) else {
        return;
    };
    let manager = sign_in(&mut store, Role::Manager);
    println!("ready");
    store
        .rotate_data_key(
            &manager,
            &[Passphrase::new(PASSPHRASE)],
            t0(),
            &mut |_, _| {},
        )
        .expect("child rotate");
    println!("rotated");
}

/// Runs the child test `name` on the database at `path` (given through `env`); kills it
/// `kill_after` after it says "ready" (never, when `None`). Returns how long it ran after "ready",
/// whether it ended by itself with success, and the lines it printed after "ready".
fn run_child(
    name: &str, env: &str, path: &std::path::Path, kill_after: Option<Duration>,
) -> (Duration, bool, Vec<String>) {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(env, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(300)) {
        if line.ends_with("ready") {
            break;
        }
    }
    let started = Instant::now();
    let ended_well = match kill_after {
        Some(delay) => {
            std::thread::sleep(delay);
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
            false
        }
        None => child.wait().expect("child ends").success(),
    };
    let ran = started.elapsed();
    reader.join().expect("reader");
    (ran, ended_well, rx.try_iter().collect())
}

/// Runs the rotation child once; kills it `kill_after` after it is ready (never, when `None`).
/// Returns how long it ran after "ready" and whether it finished.
fn run_rotator(path: &std::path::Path, kill_after: Option<Duration>) -> (Duration, bool) {
    let (ran, ended_well, lines) =
        run_child("crash_child_rotator", ROTATE_CHILD_ENV, path, kill_after);
    let rotated = lines.iter().any(|line| line.contains("rotated"));
    (ran, ended_well || rotated)
}

#[test]
fn a_rotation_killed_at_any_point_leaves_a_database_that_reads() {
    let mut clinic = setup_clinic();
    let clinician = sign_in(&mut clinic.store, Role::Clinician);
    let mut saved = Vec::with_capacity(ROTATION_SUBMISSIONS);
    for i in 0..ROTATION_SUBMISSIONS {
        let allergy = format!("allergy-{i}");
        let id = clinic
            .store
            .save_submission(
                &clinician,
                submission(&format!("P{i}"), "Rotate", &allergy),
                t0(),
            )
            .expect("save");
        saved.push((id, allergy));
    }
    let path = db_path(&clinic.dir);
    drop(clinic.store.close(None, t0()).expect("close"));

    // One rotation run to the end tells how long one takes; the kills fall inside that span.
    let (full, finished) = run_rotator(&path, None);
    assert!(finished, "an uninterrupted rotation finishes");
    let span = u64::try_from(full.as_millis()).unwrap_or(u64::MAX).max(1);
    let mut seed = u64::from(Instant::now().elapsed().subsec_nanos()) | 0x9E37_79B9_7F4A_7C15;
    let mut interrupted = 0;
    for _ in 0..ROTATION_KILLS {
        let delay = Duration::from_millis(next_random(&mut seed) % span);
        let (_, finished) = run_rotator(&path, Some(delay));
        if !finished {
            interrupted += 1;
        }
        let store = Store::open(&path).expect("opens after the kill (quick_check ok)");
        assert_eq!(store.integrity_check().expect("integrity"), "ok");
        let (mut store, _) = OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0())
            .expect("the passphrase opens it, under the old key or the new");
        // Every row, consent chain and the audit chain check under the one key that opened
        // it: never a mix.
        store.verify_everything().expect("every row checks");
        let clinician = sign_in(&mut store, Role::Clinician);
        let listed = store
            .submissions_since(&clinician, t0() - chrono::Duration::days(1), t0())
            .expect("every identity and consent opens");
        assert_eq!(listed.len(), ROTATION_SUBMISSIONS);
        for (id, allergy) in saved.iter().step_by(97) {
            assert_eq!(&allergy_of(&store, &clinician, id), allergy);
        }
        drop(store.close(None, t0()).expect("close"));
    }
    assert!(interrupted > 0, "no kill landed inside a rotation");
    let store = Store::open(&path).expect("reopen");
    let (mut store, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("unlock");
    let clinician = sign_in(&mut store, Role::Clinician);
    for (id, allergy) in &saved {
        assert_eq!(&allergy_of(&store, &clinician, id), allergy, "{id}");
    }
}

const IMPORT_CHILD_ENV: &str = "INTAKE_KIOSK_IMPORT_CHILD_DB";
const IMPORT_FORMS: usize = 200;
const IMPORT_KILLS: usize = 8;

/// The key the desk's store links kiosk-1 with (the store checks no signature).
const IMPORT_KEY: intake_kiosk::store::OfferedKey<'static> = intake_kiosk::store::OfferedKey {
    kiosk_id: "kiosk-1",
    sign_public: &[7u8; 32],
    comparison_code: "123 456",
};

/// A kiosk of its own with `IMPORT_FORMS` forms, and what it offers the desk.
fn kiosk_offer() -> (Clinic, intake_kiosk::store::Outgoing) {
    let mut kiosk = setup_clinic();
    let clinician = sign_in(&mut kiosk.store, Role::Clinician);
    for i in 0..IMPORT_FORMS {
        kiosk
            .store
            .save_submission(
                &clinician,
                submission(&format!("P{i}"), "Import", &format!("allergy-{i}")),
                t0(),
            )
            .expect("save");
    }
    let manager = sign_in(&mut kiosk.store, Role::Manager);
    let out = kiosk.store.outgoing(&manager).expect("outgoing");
    (kiosk, out)
}

/// The desk's import of bundle 1 from kiosk-1, the way the desk runs it (one transaction, with
/// the rollback journal while it is alone).
fn import_offer(store: &mut OpenStore, out: &intake_kiosk::store::Outgoing) -> usize {
    let manager = sign_in(store, Role::Manager);
    let head = intake_kiosk::store::AuditHead {
        length: 10,
        last_tag: "00".repeat(32),
        previous: None,
    };
    store
        .import_bundle(&manager, "kiosk-1", 1, &head, "h1", out, t0())
        .expect("import")
        .added
        .len()
}

/// The import child's body: opens the desk, builds a kiosk's bundle, says "ready", imports it,
/// says "imported". Does nothing unless the parent set `IMPORT_CHILD_ENV`.
#[test]
fn crash_child_importer() {
    let Some(mut store) = child_store(IMPORT_CHILD_ENV) else {
        return;
    };
    let (_kiosk, out) = kiosk_offer();
    println!("ready");
    let added = import_offer(&mut store, &out);
    println!("imported {added}");
}

/// Runs the import child on the desk at `path`; kills it `kill_after` after it is ready (never,
/// when `None`). Returns how long it ran after "ready" and whether it said it had imported.
fn run_importer(path: &std::path::Path, kill_after: Option<Duration>) -> (Duration, bool) {
    let (ran, _, lines) = run_child("crash_child_importer", IMPORT_CHILD_ENV, path, kill_after);
    let said = format!("imported {IMPORT_FORMS}");
    (ran, lines.iter().any(|line| line.contains(&said)))
}

#[test]
fn an_import_killed_at_any_point_leaves_all_of_the_bundle_or_none_and_the_wal_back() {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    desk.store
        .link_kiosk(&manager, IMPORT_KEY, t0())
        .expect("link");
    desk.store
        .confirm_kiosk(&manager, "kiosk-1", "123 456", t0())
        .expect("confirm");
    let pristine = db_path(&desk.dir);
    drop(desk.store.close(None, t0()).expect("close"));
    let work = desk.dir.path().join("work.sqlite3");
    let fresh_copy = || {
        for suffix in ["-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
        }
        std::fs::copy(&pristine, &work).expect("copy the desk");
    };

    // One import run to the end tells how long one takes; the kills fall inside that span or
    // just after it (so that some find the bundle committed).
    fresh_copy();
    let (full, imported) = run_importer(&work, None);
    assert!(imported, "an uninterrupted import finishes");
    let span = u64::try_from(full.as_millis()).unwrap_or(u64::MAX).max(1);
    let (_kiosk, offer) = kiosk_offer();
    let mut seed = u64::from(Instant::now().elapsed().subsec_nanos()) | 0x9E37_79B9_7F4A_7C15;
    let (mut none, mut all, mut journalled) = (0, 0, 0);
    for _ in 0..IMPORT_KILLS {
        fresh_copy();
        let delay = Duration::from_millis(next_random(&mut seed) % (span + span / 2));
        let (_, said_imported) = run_importer(&work, Some(delay));
        if std::path::Path::new(&format!("{}-journal", work.display())).exists() {
            journalled += 1;
        }
        let store = Store::open(&work).expect("opens after the kill (quick_check ok)");
        assert_eq!(store.integrity_check().expect("integrity"), "ok");
        let (mut store, _) =
            OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("unlock");
        store.verify_everything().expect("every row checks");
        let clinician = sign_in(&mut store, Role::Clinician);
        let held = store
            .submissions_since(&clinician, t0() - chrono::Duration::days(1), t0())
            .expect("list")
            .len();
        if store.bundle_imported("kiosk-1", 1).expect("imported?") {
            assert_eq!(
                held, IMPORT_FORMS,
                "the bundle noted as imported, all of it held"
            );
            all += 1;
        } else {
            assert!(!said_imported, "an import that said so is kept");
            assert_eq!(held, 0, "none of a bundle that was not imported");
            // And the desk takes the bundle afterwards.
            assert_eq!(import_offer(&mut store, &offer), IMPORT_FORMS);
            none += 1;
        }
        drop(store.close(None, t0()).expect("close"));
        let raw = rusqlite::Connection::open(&work).expect("raw");
        let mode: String = raw
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(
            mode, "wal",
            "the WAL again after the open that followed the kill"
        );
    }
    eprintln!(
        "import kills: {none} left none of the bundle ({journalled} a journal to roll back), {all} all of it"
    );
    assert_eq!(none + all, IMPORT_KILLS);
}
