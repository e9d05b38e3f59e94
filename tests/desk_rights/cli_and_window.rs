//! The desk's use cases are written once (`desk::actions`): the same action taken in the desk
//! window (its controller, as the window drives it) and with the `desk` command line, on two
//! copies of one database, leaves the same records — and a refusal refuses in both.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use intake_kiosk::desk::{Desk, DeskScreen};
use intake_kiosk::forms::current_state;
use intake_kiosk::store::{AuditKind, Store};

use super::*;

/// Runs `intake-kiosk desk ARGS --data-dir DIR` with the manager's passphrase on stdin.
fn cli(dir: &Path, args: &[&str]) -> (bool, String) {
    cli_with(dir, args, &[])
}

/// [`cli`] with more lines on stdin after the passphrase (values given as `-`).
fn cli_with(dir: &Path, args: &[&str], lines: &[&str]) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake-kiosk"))
        .arg("desk")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run intake-kiosk");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{PASSPHRASE}").expect("write the passphrase");
    for line in lines {
        writeln!(stdin, "{line}").expect("write a value");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The desk window's controller on `dir`, opened and signed in as the manager.
fn window(dir: &Path) -> Desk {
    let store = Store::open(&dir.join("desk.sqlite3")).expect("open the copy");
    let now = Utc::now();
    let mut desk = Desk::new(store, dir.join("exports"), now);
    desk.unlock(PASSPHRASE, now);
    let manager = desk
        .staff(now)
        .into_iter()
        .find(|t| t.name == "Maya Manager")
        .expect("the manager's tile");
    desk.select_staff(&manager.id);
    desk.sign_in(MANAGER_PIN, now);
    assert_eq!(desk.screen(), DeskScreen::Home, "{:?}", desk.message());
    desk
}

/// One action: its command line, and the same action in the window.
type Step<'a> = (&'a [&'a str], &'a dyn Fn(&mut Desk));

/// What both sides must agree on, read back from a copy.
#[derive(Debug, PartialEq)]
struct Outcome {
    stress: Option<String>,
    consents: Vec<(String, Decision)>,
    postcode: String,
    restricted: bool,
    requests: Vec<(RequestKind, NaiveDate)>,
    breaches: Vec<(Risk, usize)>,
    record_kept: bool,
}

fn outcome(dir: &Path, patient: &str, submission: &str) -> Outcome {
    let store = Store::open(&dir.join("desk.sqlite3")).expect("open");
    let (store, manager) = OpenStore::unlock_as_manager(
        store,
        &intake_kiosk::vault::Passphrase::new(PASSPHRASE),
        t0(),
    )
    .map_err(|f| f.error)
    .expect("unlock");
    let Ok(record) = store.open_record(&manager, patient, t0()) else {
        return Outcome {
            stress: None,
            consents: Vec::new(),
            postcode: String::new(),
            restricted: false,
            requests: Vec::new(),
            breaches: Vec::new(),
            record_kept: false,
        };
    };
    let stress = store
        .read_medical(&manager, submission, t0())
        .ok()
        .and_then(|m| match m.answers.get("stress") {
            Some(AnswerValue::Number(n)) => Some(n.to_string()),
            _ => None,
        });
    Outcome {
        stress,
        consents: current_state(&record.consents).into_iter().collect(),
        postcode: record.identity.postcode.clone(),
        restricted: record.restricted_at.is_some(),
        requests: store
            .rights_requests(&manager)
            .unwrap()
            .into_iter()
            .map(|r| (r.kind, r.due_on))
            .collect(),
        breaches: store
            .breaches(&manager)
            .unwrap()
            .into_iter()
            .map(|b| (b.risk, b.records.len()))
            .collect(),
        record_kept: true,
    }
}

/// Two copies of one desk database with one patient who granted SMS marketing.
fn two_copies() -> (tempfile::TempDir, PathBuf, PathBuf, String, String) {
    let (mut desk, manager, _, _) = desk_with_staff();
    let mut form = submission("Ada", "Lovelace", "latex");
    form.consents
        .push(consent("marketing_email", Decision::Granted));
    let submission_id = desk.store.save_submission(&manager, form, t0()).unwrap();
    let patient = patient_of(&desk.store, &manager, &submission_id);
    let source = db_path(&desk.dir);
    drop(desk.store);
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (root.path().join("cli"), root.path().join("window"));
    for dir in [&a, &b] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::copy(&source, dir.join("desk.sqlite3")).unwrap();
    }
    (root, a, b, patient, submission_id)
}

#[test]
fn each_desk_action_leaves_the_same_records_from_the_window_and_the_command_line() {
    let (_root, a, b, patient, submission) = two_copies();
    let before = outcome(&a, &patient, &submission);
    assert_eq!(before, outcome(&b, &patient, &submission));
    assert!(before.record_kept);

    // A value that does not fit its question is refused by both, and nothing changes.
    let (ok, said) = cli(
        &a,
        &[
            "amend-answer",
            "--submission",
            &submission,
            "--question",
            "stress",
            "--value",
            "very",
            "--reason",
            "typo",
        ],
    );
    assert!(!ok, "{said}");
    let mut desk = window(&b);
    desk.open_patient(&patient, Utc::now());
    desk.open_form(&submission, Utc::now());
    desk.amend_answer("stress", "very", "typo", Utc::now());
    assert!(!desk.message().1, "{:?}", desk.message());
    assert_eq!(outcome(&a, &patient, &submission), before);
    assert_eq!(outcome(&b, &patient, &submission), before);

    // A search with a date of birth that is not a date is refused by both, in the same words,
    // as typed input (it used to reach the store on the command line and come back as "stored
    // value could not be read").
    let (ok, said) = cli(
        &a,
        &[
            "find",
            "--given",
            "Ana",
            "--family",
            "Demo",
            "--dob",
            "1990-99-01",
        ],
    );
    assert!(!ok, "{said}");
    let mut desk = window(&b);
    desk.search("Ana", "Demo", "1990-99-01", Utc::now());
    let (words, good) = desk.message();
    assert!(!good);
    assert!(!said.contains("stored value"), "{said}");
    assert!(
        said.to_lowercase()
            .contains(&words.to_lowercase().replace('.', "")),
        "{said:?} / {words:?}"
    );
    drop(desk);

    // Then each action, one after the other, on both copies.
    let steps: [Step; 6] = [
        (
            &[
                "amend-answer",
                "--submission",
                &submission,
                "--question",
                "stress",
                "--value",
                "7",
                "--reason",
                "asked again",
            ],
            &|d: &mut Desk| d.amend_answer("stress", "7", "asked again", Utc::now()),
        ),
        (
            &[
                "withdraw",
                "--patient",
                &patient,
                "--item",
                "marketing_email",
            ],
            &|d: &mut Desk| d.withdraw("marketing_email", Utc::now()),
        ),
        (
            &[
                "amend-details",
                "--patient",
                &patient,
                "--postcode",
                " ZZ9 9ZZ ",
                "--email",
                "",
                "--phone",
                "",
                "--reason",
                "moved",
            ],
            &|d: &mut Desk| d.amend_contact(" ZZ9 9ZZ ", "", "", "moved", Utc::now()),
        ),
        (&["restrict", "--patient", &patient], &|d: &mut Desk| {
            d.toggle_restriction(Utc::now())
        }),
        (
            &[
                "request",
                "--patient",
                &patient,
                "--kind",
                "access",
                "--requester",
                "Ada",
                "--identity-check",
                "passport",
            ],
            &|d: &mut Desk| d.log_request("access", "Ada", "passport", Utc::now()),
        ),
        (
            &[
                "breach",
                "--what",
                "tablet left unlocked",
                "--risk",
                "high",
                "--from",
                "2000-01-01",
                "--until",
                "2100-01-01",
            ],
            &|d: &mut Desk| d.record_breach("tablet left unlocked", "high", Utc::now()),
        ),
    ];
    for (args, act) in steps {
        let (ok, said) = cli(&a, args);
        assert!(ok, "{args:?}: {said}");
        let mut desk = window(&b);
        desk.open_patient(&patient, Utc::now());
        desk.open_form(&submission, Utc::now());
        act(&mut desk);
        assert!(desk.message().1, "{args:?}: {:?}", desk.message());
        drop(desk);
        let (from_cli, from_window) = (
            outcome(&a, &patient, &submission),
            outcome(&b, &patient, &submission),
        );
        assert_eq!(from_cli, from_window, "after {args:?}");
        assert_ne!(from_cli, before, "{args:?} changed nothing");
    }
    let after = outcome(&a, &patient, &submission);
    assert_eq!(after.stress.as_deref(), Some("7"));
    assert_eq!(after.postcode, "ZZ9 9ZZ");
    assert!(after.restricted);

    // Erasure: the same record held (a recent medical record) in both, the same statement.
    let (ok, said) = cli(&a, &["erase", "--patient", &patient]);
    assert!(ok, "{said}");
    let mut desk = window(&b);
    desk.open_patient(&patient, Utc::now());
    desk.erase(Utc::now());
    let statement =
        std::fs::read_to_string(b.join("exports").join(format!("erasure-{patient}.txt")))
            .expect("the window saved the statement");
    drop(desk);
    let held = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("Held:"))
            .map(str::to_owned)
    };
    assert_eq!(held(&said), held(&statement));
    assert_eq!(
        outcome(&a, &patient, &submission),
        outcome(&b, &patient, &submission)
    );
}

/// A patient's details need not stand on the command line (any user of the machine can read it
/// in the process list): given as `-`, each is read from stdin after the passphrase, checked by
/// the option's own rule, and a refusal names the option, not the value. An erasure from the
/// command line removes the patient's access export from the desk's export folder, as the
/// window's does.
#[test]
fn patient_details_come_from_stdin_and_a_command_line_erasure_removes_the_access_export() {
    let (_root, a, _b, patient, submission) = two_copies();
    let before = outcome(&a, &patient, &submission);
    let (ok, said) = cli_with(
        &a,
        &["find", "--given", "-", "--family", "-", "--dob", "-"],
        &["Ada", "Lovelace", "1987-06-15"],
    );
    assert!(ok, "{said}");
    assert!(said.lines().any(|l| l.trim() == patient), "{said}");
    let (ok, said) = cli_with(
        &a,
        &["find", "--given", "-", "--family", "-", "--dob", "-"],
        &["Ada", "Lovelace", "15/06/1987"],
    );
    assert!(!ok, "{said}");
    assert!(said.contains("the date of birth: expected"), "{said}");
    assert!(
        !said.contains("15/06/1987"),
        "the value is not echoed: {said}"
    );
    let (ok, said) = cli_with(
        &a,
        &[
            "amend-details",
            "--patient",
            &patient,
            "--phone",
            "-",
            "--reason",
            "-",
        ],
        &["+44 7700 900777", "new phone"],
    );
    assert!(ok, "{said}");
    let (ok, said) = cli(&a, &["record", "--patient", &patient]);
    assert!(ok && said.contains("+44 7700 900777"), "{said}");
    // One line short: refused before anything changes, saying what was expected.
    let (ok, said) = cli_with(
        &a,
        &[
            "amend-answer",
            "--submission",
            &submission,
            "--question",
            "stress",
            "--value",
            "-",
            "--reason",
            "-",
        ],
        &["7"],
    );
    assert!(!ok && said.contains("the reason"), "{said}");
    assert_eq!(outcome(&a, &patient, &submission).stress, before.stress);

    // The access export in the desk's export folder goes with the erasure.
    let exports = a.join("exports");
    let (ok, said) = cli(
        &a,
        &[
            "access-export",
            "--patient",
            &patient,
            "--to",
            exports.to_str().unwrap(),
        ],
    );
    assert!(ok, "{said}");
    let copies = || {
        std::fs::read_dir(&exports)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("patient-")
            })
            .count()
    };
    assert_eq!(copies(), 3);
    let (ok, said) = cli(&a, &["erase", "--patient", &patient]);
    assert!(ok, "{said}");
    assert_eq!(copies(), 0, "the erased details stay in no export");
}

/// A desk whose audit log holds a time a week after its clock (it ran ahead, then was put
/// right): a withdrawal is refused by the window and the command line alike, both naming the
/// clock, and nothing is written in either copy; once a manager confirms the clock (the window's
/// button, `desk confirm-clock`), both take it, with the same result.
#[test]
fn a_clock_behind_the_records_refuses_the_same_in_the_window_and_on_the_command_line() {
    let (_root, a, b, patient, submission) = two_copies();
    let ahead = Utc::now() + Duration::days(7);
    for dir in [&a, &b] {
        let store = Store::open(&dir.join("desk.sqlite3")).expect("open");
        let (store, manager) = OpenStore::unlock_as_manager(
            store,
            &intake_kiosk::vault::Passphrase::new(PASSPHRASE),
            Utc::now(),
        )
        .map_err(|f| f.error)
        .expect("unlock");
        store
            .record_event(manager.staff_id(), AuditKind::SignedIn, "", ahead)
            .expect("an entry a week ahead");
    }
    let before = outcome(&a, &patient, &submission);
    let withdraw = [
        "withdraw",
        "--patient",
        &patient,
        "--item",
        "marketing_email",
    ];
    let (ok, said) = cli(&a, &withdraw);
    assert!(!ok, "{said}");
    assert!(
        said.contains("which this desk has already recorded") && said.contains("confirm-clock"),
        "{said}"
    );
    let mut desk = window(&b);
    assert!(
        desk.home(Utc::now()).alerts[0]
            .text
            .starts_with("The clock reads ")
    );
    assert!(desk.clock_to_confirm(Utc::now()));
    desk.open_patient(&patient, Utc::now());
    desk.withdraw("marketing_email", Utc::now());
    let (words, good) = desk.message();
    assert!(!good && words.starts_with("The clock reads "), "{words}");
    drop(desk);
    assert_eq!(outcome(&a, &patient, &submission), before);
    assert_eq!(outcome(&b, &patient, &submission), before);

    let (ok, said) = cli(&a, &["confirm-clock"]);
    assert!(ok, "{said}");
    let mut desk = window(&b);
    desk.confirm_clock(Utc::now());
    assert!(desk.message().1, "{:?}", desk.message());
    assert!(!desk.clock_to_confirm(Utc::now()));
    desk.open_patient(&patient, Utc::now());
    desk.withdraw("marketing_email", Utc::now());
    assert!(desk.message().1, "{:?}", desk.message());
    drop(desk);
    let (ok, said) = cli(&a, &withdraw);
    assert!(ok, "{said}");
    let after = outcome(&a, &patient, &submission);
    assert_eq!(after, outcome(&b, &patient, &submission));
    assert_ne!(after, before);
}
