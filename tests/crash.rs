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

/// The child's body; does nothing unless the parent started this binary with `CHILD_ENV` set.
#[test]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&path)).expect("child open");
    let (mut store, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("child unlock");
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
    let Ok(path) = std::env::var(ROTATE_CHILD_ENV) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&path)).expect("child open");
    let (mut store, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), t0()).expect("child unlock");
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

/// Runs the rotation child once; kills it `kill_after` after it is ready (never, when `None`).
/// Returns how long it ran after "ready" and whether it finished.
fn run_rotator(path: &std::path::Path, kill_after: Option<Duration>) -> (Duration, bool) {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "crash_child_rotator",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ROTATE_CHILD_ENV, path)
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
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(120)) {
        if line.ends_with("ready") {
            break;
        }
    }
    let started = Instant::now();
    let finished = match kill_after {
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
    let rotated = rx.try_iter().any(|line| line.contains("rotated"));
    (ran, finished || rotated)
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
