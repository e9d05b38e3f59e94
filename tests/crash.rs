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
        // Wait until it is writing, then let it run 0–60 ms more before the kill.
        // libtest may print "test crash_child_writer ... " on the same line before "ready".
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
            if line.ends_with("ready") || Instant::now() > deadline {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(next_random(&mut seed) % 60));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        reader.join().expect("reader");
        for line in rx.try_iter() {
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
