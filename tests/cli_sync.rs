//! The sync actions as a script would run them: `intake-kiosk kiosk …` and `intake-kiosk desk …`,
//! secrets on stdin, from pairing (by text and by a photo of the QR code) to the kiosk's purge.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_clinic};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{OpenStore, Store};
use intake_kiosk::vault::{Passphrase, Pin};

const DESK_PASSPHRASE: &str = "back office passphrase 42";

thread_local! {
    /// Every stderr line (log lines at RUST_LOG=trace included) of this test's commands.
    static LOG: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn run(args: &[&str], stdin: &str) -> (bool, String, String) {
    let (code, stdout, stderr) = run_code(args, stdin);
    (code == 0, stdout, stderr)
}

/// The exit code, stdout and stderr; HOME and the XDG/systemd folders point nowhere useful so a
/// default data folder is never the tester's own.
fn run_code(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake-kiosk"))
        .env("HOME", "/nonexistent-home")
        .env_remove("XDG_DATA_HOME")
        .env_remove("STATE_DIRECTORY")
        .env_remove("CREDENTIALS_DIRECTORY")
        .env("RUST_LOG", "trace")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run intake-kiosk");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    LOG.with(|log| log.borrow_mut().push_str(&stderr));
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

fn ok(args: &[&str], stdin: &str) -> String {
    let (success, stdout, stderr) = run(args, stdin);
    assert!(success, "{args:?} failed:\n{stdout}\n{stderr}");
    stdout
}

/// The permission bits of `path` (0o600: this user only).
fn owner_only_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn line_after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in {text}"))
        .trim()
}

/// A demo kiosk, not yet used.
fn demo_kiosk(dir: &Path) {
    drop(create_demo_clinic(&dir.join("kiosk.sqlite3")).unwrap());
}

/// A desk set up in `dir` with the manager Dana (PIN 402718) and `passphrase`.
fn init_desk(dir: &str, passphrase: &str) {
    ok(
        &[
            "desk",
            "init",
            "--data-dir",
            dir,
            "--clinic",
            "Clinic",
            "--manager",
            "Dana",
        ],
        &format!("{passphrase}\n{passphrase}\n402718\n"),
    );
}

/// One form saved on the kiosk now (the desk refuses forms dated before the pairing).
fn save_a_form(dir: &Path) {
    let store = Store::open(&dir.join("kiosk.sqlite3")).unwrap();
    let now = chrono::Utc::now();
    let (mut open, _) = OpenStore::unlock(store, &Passphrase::new(DEMO_PASSPHRASE), now).unwrap();
    let chris = open
        .list_staff(now)
        .unwrap()
        .into_iter()
        .find(|m| m.role == Role::Clinician)
        .unwrap();
    let actor = open.sign_in(&chris.id, &Pin::new("918273"), now).unwrap();
    open.save_submission(&actor, common::submission("Ada", "Lovelace", "latex"), now)
        .unwrap();
}

#[test]
fn a_script_pairs_exports_imports_and_purges() {
    let root = tempfile::tempdir().unwrap();
    let (kiosk_dir, desk_dir, exchange, outbox) = (
        root.path().join("kiosk"),
        root.path().join("desk"),
        root.path().join("usb"),
        root.path().join("outbox"),
    );
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    demo_kiosk(&kiosk_dir);
    let k = kiosk_dir.to_str().unwrap();
    let d = desk_dir.to_str().unwrap();
    let x = exchange.to_str().unwrap();
    let kiosk_secret = format!("{DEMO_PASSPHRASE}\n");
    let desk_secret = format!("{DESK_PASSPHRASE}\n");

    let init = ok(
        &[
            "desk",
            "init",
            "--data-dir",
            d,
            "--clinic",
            "Demo Skin Clinic",
            "--manager",
            "Dana",
        ],
        &format!("{DESK_PASSPHRASE}\n{DESK_PASSPHRASE}\n402718\n"),
    );
    assert!(init.contains("recovery key"));
    // A wrong passphrase opens nothing.
    let (success, _, stderr) = run(&["desk", "kiosks", "--data-dir", d], "not the passphrase\n");
    assert!(!success && stderr.contains("passphrase"), "{stderr}");

    // Pairing by a photo of the QR code.
    let shown = ok(&["kiosk", "pair-start", "--data-dir", k], &kiosk_secret);
    let code = shown.lines().last().unwrap().trim().to_owned();
    assert!(code.starts_with("IKP1:"), "{shown}");
    let photo = root.path().join("qr.png");
    common::qr_png(&code, &photo);
    let paired = ok(
        &[
            "desk",
            "pair",
            "--data-dir",
            d,
            "--qr-image",
            photo.to_str().unwrap(),
            "--exchange",
            x,
        ],
        &desk_secret,
    );
    // The desk's link waits for a manager to confirm it; the desk does not show the code yet.
    assert!(paired.contains("WAITING FOR CONFIRMATION"), "{paired}");
    assert!(!paired.contains("comparison code"), "{paired}");
    let kiosk_id = line_after(&paired, "kiosk ")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let listed = ok(&["desk", "kiosks", "--data-dir", d], &desk_secret);
    assert!(
        listed.contains("WAITING FOR CONFIRMATION") && listed.contains("shown once confirmed"),
        "{listed}"
    );
    // A wrong code typed at the kiosk refuses the pairing.
    let (success, _, stderr) = run(
        &[
            "kiosk",
            "pair-finish",
            "--data-dir",
            k,
            "--from",
            x,
            "--confirm",
            "000 000",
        ],
        &kiosk_secret,
    );
    assert!(!success && stderr.contains("not confirmed"), "{stderr}");
    // A code shown and withdrawn (shown to the wrong desk, say): withdrawn once, logged, and
    // reading an answer then finds no pairing under way.
    ok(&["kiosk", "pair-start", "--data-dir", k], &kiosk_secret);
    let kiosk_file = std::path::Path::new(k).join("kiosk.sqlite3");
    let older = std::path::Path::new(k).join("older.sqlite3");
    rusqlite::Connection::open(&kiosk_file)
        .unwrap()
        .execute("VACUUM INTO ?1", [older.to_str().unwrap()])
        .unwrap();
    let cancel = ["kiosk", "pair-cancel", "--data-dir", k];
    let withdrawn = ok(&cancel, &kiosk_secret);
    assert!(withdrawn.contains("pairing code withdrawn"), "{withdrawn}");
    // The withdrawn offer's row put back from the older copy (its code would pair again until
    // it expires): refused, naming the table; taken out again, all is as before.
    let raw = rusqlite::Connection::open(&kiosk_file).unwrap();
    raw.execute("ATTACH DATABASE ?1 AS older", [older.to_str().unwrap()])
        .unwrap();
    let put_back =
        "INSERT INTO pairing_offers SELECT * FROM older.pairing_offers WHERE used_at IS NULL";
    assert_eq!(raw.execute(put_back, []).unwrap(), 1);
    let finish = ["kiosk", "pair-finish", "--data-dir", k, "--from", x];
    let (success, _, stderr) = run(&finish, &kiosk_secret);
    assert!(!success && stderr.contains("pairing_offers"), "{stderr}");
    let (success, _, stderr) = run(&["kiosk", "verify", "--data-dir", k], &kiosk_secret);
    assert!(!success && stderr.contains("pairing_offers"), "{stderr}");
    raw.execute("DELETE FROM pairing_offers", []).unwrap();
    drop(raw);
    std::fs::remove_file(&older).unwrap();
    let again = ok(&cancel, &kiosk_secret);
    assert!(again.contains("no pairing code was open"), "{again}");
    // Logged once (the log holds kinds and ids in the clear, no patient data).
    let raw = rusqlite::Connection::open(std::path::Path::new(k).join("kiosk.sqlite3")).unwrap();
    let logged: i64 = raw
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'pairing_cancelled'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 1);
    drop(raw);
    let (success, _, stderr) = run(
        &["kiosk", "pair-finish", "--data-dir", k, "--from", x],
        &kiosk_secret,
    );
    assert!(
        !success && stderr.contains("no pairing was started on this kiosk"),
        "{stderr}"
    );
    // Start again, this time by the copied text. The desk knows this kiosk id, still waiting
    // under the same key: the new code is taken as it is, no --replace needed.
    let shown = ok(&["kiosk", "pair-start", "--data-dir", k], &kiosk_secret);
    let code = shown.lines().last().unwrap().trim().to_owned();
    // This time the answer goes to the exchange folder the settings name (no --exchange).
    ok(
        &[
            "desk",
            "set",
            "--data-dir",
            d,
            "--key",
            "exchange_folder",
            "--value",
            x,
        ],
        &desk_secret,
    );
    let pair_again = ["desk", "pair", "--data-dir", d, "--code", &code];
    let answered = ok(&pair_again, &desk_secret);
    assert!(
        answered.contains("WAITING FOR CONFIRMATION") && !answered.contains("replaced"),
        "{answered}"
    );
    // A manager may still replace a waiting kiosk's key (here with the same one): logged.
    let replaced = ok(&[&pair_again[..], &["--replace"]].concat(), &desk_secret);
    assert!(replaced.contains("old key is replaced"), "{replaced}");
    // The kiosk reads the answer and shows its code; the manager types it at the desk.
    let finished = ok(
        &["kiosk", "pair-finish", "--data-dir", k, "--from", x],
        &kiosk_secret,
    );
    let kiosk_code = line_after(&finished, "comparison code:").to_owned();
    // Too late to withdraw: the code's answer was read, and that pairing waits for the codes.
    let (success, _, stderr) = run(&cancel, &kiosk_secret);
    assert!(
        !success && stderr.contains("its answer was read already") && stderr.contains("unpair"),
        "{stderr}"
    );
    let (success, _, stderr) = run(
        &["desk", "pair", "--data-dir", d, "--confirm", "000 000"],
        &desk_secret,
    );
    assert!(
        !success && stderr.contains("not kiosk") && stderr.contains("unconfirmed"),
        "{stderr}"
    );
    let confirmed = ok(
        &[
            "desk",
            "pair",
            "--data-dir",
            d,
            "--kiosk",
            &kiosk_id,
            "--confirm",
            &kiosk_code.replace(' ', ""),
            // Where the kiosk left its pairing nonce (here also the setting).
            "--exchange",
            x,
        ],
        &desk_secret,
    );
    assert_eq!(line_after(&confirmed, "comparison code:")[..7], kiosk_code);
    assert!(confirmed.contains("(confirmed)"), "{confirmed}");
    // The desk now shows the same code: the kiosk's manager confirms on the kiosk (typed
    // without its space, as at the desk; `pair-finish --confirm` checks it by the same rule).
    let finished = ok(
        &[
            "kiosk",
            "pair-confirm",
            "--data-dir",
            k,
            "--code",
            &kiosk_code.replace(' ', ""),
        ],
        &kiosk_secret,
    );
    assert!(finished.contains("paired with desk"), "{finished}");
    let listed = ok(&["desk", "kiosks", "--data-dir", d], &desk_secret);
    assert!(
        listed.contains(&format!("{kiosk_id}  CONFIRMED  code {kiosk_code}"))
            && listed.contains("key replaced"),
        "{listed}"
    );
    // Confirmed, the same code again is refused: only --replace sends the kiosk back to waiting.
    let (success, stdout, stderr) = run(&pair_again, &desk_secret);
    assert!(
        !success && stderr.contains("already paired") && stderr.contains("--replace"),
        "{stdout}\n{stderr}"
    );

    save_a_form(&kiosk_dir);
    let exported = ok(
        &["kiosk", "export", "--data-dir", k, "--to", x],
        &kiosk_secret,
    );
    assert!(exported.contains("with 1 form:"), "{exported}");
    // A second bundle, damaged on the way: the import takes the first, refuses the second and
    // says so with exit code 3 (partly done), which a script can tell from a failure.
    save_a_form(&kiosk_dir);
    let second = ok(
        &["kiosk", "export", "--data-dir", k, "--to", x],
        &kiosk_secret,
    );
    let second_file = second.trim().rsplit(": ").next().unwrap().to_owned();
    let mut bytes = std::fs::read(&second_file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&second_file, bytes).unwrap();
    let (code, imported, stderr) = run_code(
        &[
            "desk",
            "import",
            "--data-dir",
            d,
            "--from",
            x,
            "--outbox",
            outbox.to_str().unwrap(),
        ],
        &desk_secret,
    );
    assert_eq!(code, 3, "{imported}\n{stderr}");
    assert!(
        imported.contains("1 new form,") && imported.contains("REFUSED"),
        "{imported}"
    );
    std::fs::remove_file(&second_file).unwrap();
    // Without --from and --outbox the folders come from the settings (as the window's import
    // takes them); one not set (the outbox: the exchange folder was set for pairing) is
    // refused, naming it.
    let (set, _, stderr) = run(&["desk", "import", "--data-dir", d], &desk_secret);
    assert!(!set && stderr.contains("setting outbox_folder"), "{stderr}");
    for (key, value) in [
        ("exchange_folder", x),
        ("outbox_folder", outbox.to_str().unwrap()),
    ] {
        ok(
            &[
                "desk",
                "set",
                "--data-dir",
                d,
                "--key",
                key,
                "--value",
                value,
            ],
            &desk_secret,
        );
    }
    // The bundle imported before (the kiosk has not read its receipt yet) is no failure: a
    // daily job must not fail for it, and can tell it from a forged or altered bundle.
    let again = run(&["desk", "import", "--data-dir", d], &desk_secret);
    assert!(
        again.0
            && again
                .1
                .contains("imported before; the kiosk removes it once it reads its receipt"),
        "{}\n{}",
        again.1,
        again.2
    );
    assert!(!again.1.contains("REFUSED"), "{}", again.1);
    let receipts = ok(
        &["kiosk", "receipts", "--data-dir", k, "--from", x],
        &kiosk_secret,
    );
    assert!(receipts.contains("1 form delivered"), "{receipts}");
    let status = ok(&["kiosk", "status", "--data-dir", k], &kiosk_secret);
    assert!(
        status.contains("pending: 0") && status.contains("delivered and purged: 1"),
        "{status}"
    );
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 3);
    // Plain patient data in the outbox, and both databases, are readable by this user only.
    for file in std::fs::read_dir(&outbox).unwrap() {
        assert_eq!(owner_only_mode(&file.unwrap().path()), 0o600);
    }
    for db in [
        kiosk_dir.join("kiosk.sqlite3"),
        desk_dir.join("desk.sqlite3"),
    ] {
        assert_eq!(owner_only_mode(&db), 0o600, "{}", db.display());
    }

    // At the desk: find the patient on the blind index, read and change her consents.
    let found = ok(
        &[
            "desk",
            "find",
            "--data-dir",
            d,
            "--given",
            "ada",
            "--family",
            "LOVELACE",
            "--dob",
            "1987-06-15",
        ],
        &desk_secret,
    );
    let patient = found.lines().next().expect("one patient").trim().to_owned();
    let consents = ok(
        &["desk", "consents", "--data-dir", d, "--patient", &patient],
        &desk_secret,
    );
    assert!(consents.contains("now: treatment = granted"), "{consents}");
    assert!(
        consents.contains("now: marketing_sms = refused"),
        "{consents}"
    );
    let (success, _, stderr) = run(
        &[
            "desk",
            "withdraw",
            "--data-dir",
            d,
            "--patient",
            &patient,
            "--item",
            "marketing_sms",
        ],
        &desk_secret,
    );
    assert!(!success && stderr.contains("no granted"), "{stderr}");
    let withdrawn = ok(
        &[
            "desk",
            "withdraw",
            "--data-dir",
            d,
            "--patient",
            &patient,
            "--item",
            "treatment",
        ],
        &desk_secret,
    );
    assert!(withdrawn.contains("treatment withdrawn"), "{withdrawn}");
    let list = root.path().join("sms.csv");
    let listed = ok(
        &[
            "desk",
            "marketing-list",
            "--data-dir",
            d,
            "--channel",
            "sms",
            "--to",
            list.to_str().unwrap(),
        ],
        &desk_secret,
    );
    assert!(listed.starts_with("0 patients"), "{listed}");
    // UTF-8 with a BOM and CRLF (what Excel opens unasked), readable by this user only.
    assert_eq!(
        std::fs::read_to_string(&list).unwrap(),
        "\u{feff}given_name,family_name,contact\r\n"
    );
    assert_eq!(owner_only_mode(&list), 0o600);

    // Settings: listed with their defaults; a misspelt key is refused with a suggestion and
    // nothing is stored; a good value shows in the listing.
    let settings = ok(&["desk", "settings", "--data-dir", d], &desk_secret);
    assert!(
        settings.contains("hours.time_zone") && settings.contains("default Europe/London"),
        "{settings}"
    );
    let (success, _, stderr) = run(
        &[
            "desk",
            "set",
            "--data-dir",
            d,
            "--key",
            "hours.time_zon",
            "--value",
            "Europe/Paris",
        ],
        &desk_secret,
    );
    assert!(
        !success && stderr.contains("did you mean hours.time_zone?"),
        "{stderr}"
    );
    ok(
        &[
            "desk",
            "set",
            "--data-dir",
            d,
            "--key",
            "hours.time_zone",
            "--value",
            "Europe/Paris",
        ],
        &desk_secret,
    );
    let settings = ok(&["desk", "settings", "--data-dir", d], &desk_secret);
    assert!(
        settings
            .lines()
            .any(|l| l.starts_with("hours.time_zone") && l.contains(" Europe/Paris ")),
        "{settings}"
    );

    // A duplicate of Ada (another postcode typed) is merged into her record by a manager.
    let duplicate = {
        let store = Store::open(&desk_dir.join("desk.sqlite3")).unwrap();
        let (mut open, manager) =
            OpenStore::unlock_as_manager(store, &Passphrase::new(DESK_PASSPHRASE), common::t0())
                .unwrap();
        let mut form = common::submission("Ada", "Lovelace", "latex");
        if let intake_kiosk::store::PatientRef::New(identity) = &mut form.patient {
            identity.postcode = "EC1A 1BB".into();
        }
        let sid = open.save_submission(&manager, form, common::t0()).unwrap();
        open.read_medical(&manager, &sid, common::t0())
            .unwrap()
            .patient_id
    };
    let find = [
        "desk",
        "find",
        "--data-dir",
        d,
        "--given",
        "Ada",
        "--family",
        "Lovelace",
        "--dob",
        "1987-06-15",
    ];
    assert_eq!(ok(&find, &desk_secret).lines().count(), 2);
    let (success, _, stderr) = run(
        &[
            "desk",
            "merge",
            "--data-dir",
            d,
            "--into",
            &patient,
            "--from",
            &duplicate,
        ],
        &desk_secret,
    );
    assert!(!success && stderr.contains("--reason"), "{stderr}");
    let merged = ok(
        &[
            "desk",
            "merge",
            "--data-dir",
            d,
            "--into",
            &patient,
            "--from",
            &duplicate,
            "--reason",
            "same person, postcode mistyped",
        ],
        &desk_secret,
    );
    assert!(
        merged.contains("1 form and 2 consent decisions moved"),
        "{merged}"
    );
    assert_eq!(ok(&find, &desk_secret).trim(), patient);
    let record = ok(
        &["desk", "record", "--data-dir", d, "--patient", &patient],
        &desk_secret,
    );
    assert_eq!(record.matches("  form ").count(), 2, "{record}");
    assert!(record.contains("contact: SW1A 1AA"), "{record}");

    // The whole database checked, on both sides; then a row edited by hand is named.
    for (side, dir, secret) in [("kiosk", k, &kiosk_secret), ("desk", d, &desk_secret)] {
        let verified = ok(&[side, "verify", "--data-dir", dir], secret);
        assert!(verified.contains("all sound"), "{verified}");
    }
    // The log (every stderr line of the day, RUST_LOG=trace) names events, never a patient
    // value, a name, an answer or a secret.
    let log = LOG.with(|log| log.borrow().clone());
    assert!(
        log.contains("imported") && log.contains("exported"),
        "{log}"
    );
    for canary in [
        "Lovelace",
        "Ada",
        "latex",
        "1987-06-15",
        "EC1A",
        DEMO_PASSPHRASE,
        DESK_PASSPHRASE,
        "402718",
    ] {
        assert!(!log.contains(canary), "{canary:?} in the log:\n{log}");
    }
    let raw = rusqlite::Connection::open(std::path::Path::new(d).join("desk.sqlite3")).unwrap();
    raw.execute(
        "UPDATE patients SET last_visit_at = '2001-01-01T00:00:00+00:00'",
        [],
    )
    .unwrap();
    drop(raw);
    let (success, _, stderr) = run(&["desk", "verify", "--data-dir", d], &desk_secret);
    assert!(!success && stderr.contains("patients"), "{stderr}");
}

#[test]
fn a_misspelt_flag_is_refused_with_exit_2_naming_it_and_opens_nothing() {
    let root = tempfile::tempdir().unwrap();
    let d = root.path().to_str().unwrap();
    let (code, stdout, stderr) = run_code(&["desk", "kiosks", "--data-dri", d], "secret\n");
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("--data-dri") && stderr.contains("--data-dir"),
        "the flag and the suggestion: {stderr}"
    );
    // A required flag missing is refused the same way, before the passphrase is read.
    let (code, _, stderr) = run_code(&["desk", "find", "--data-dir", d, "--given", "A"], "");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--family"), "{stderr}");
    let (code, _, stderr) = run_code(
        &[
            "desk",
            "marketing-list",
            "--data-dir",
            d,
            "--channel=fax",
            "--to",
            "x.csv",
        ],
        "",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("fax") && stderr.contains("email"),
        "{stderr}"
    );
    // A typed value that cannot be one: refused the same way, before any passphrase is read,
    // the value cut short rather than echoed whole.
    let huge = "7".repeat(100_000);
    let cases: Vec<(Vec<&str>, &str)> = [
        (
            "desk find --given A --family B --dob 1990-99-01",
            "YYYY-MM-DD",
        ),
        (
            "desk amend-details --patient p --reason r --dob 12/04/1990",
            "YYYY-MM-DD",
        ),
        (
            "desk amend-details --patient p --reason r --email ana@gmail",
            "name@example.com",
        ),
        (
            "desk set --key desk.idle_seconds --value soon",
            "whole number",
        ),
        (
            "desk set --key kiosk.handover_idle_seconds --value 60",
            "kiosk",
        ),
        ("kiosk set --key hours.opens --value 9am", "HH:MM"),
        ("kiosk set --key no.such.key --value 1", "unknown setting"),
    ]
    .into_iter()
    .map(|(line, says)| (line.split(' ').collect(), says))
    .chain([(
        vec![
            "desk",
            "set",
            "--key",
            "desk.idle_seconds",
            "--value",
            &huge,
        ],
        "7777…",
    )])
    .collect();
    for (mut args, says) in cases {
        args.extend(["--data-dir", d]);
        let (code, _, stderr) = run_code(&args, "");
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(stderr.len() < 2_000, "{args:?}: {} bytes", stderr.len());
    }
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        0,
        "no database was created or opened"
    );
    // --flag=value works: with a real folder and no database, the message names the folder.
    let (code, _, stderr) = run_code(&["desk", "kiosks", &format!("--data-dir={d}")], "x\n");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no desk.sqlite3"), "{stderr}");
}

/// The command names listed under "Commands:" in a --help text.
fn commands_in(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        // A command's line; longer descriptions wrap onto lines indented further.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_command_has_help_and_the_program_a_version() {
    let (code, top, _) = run_code(&["--help"], "");
    assert_eq!(code, 0);
    assert!(top.contains("Exit codes"), "{top}");
    let sides = commands_in(&top);
    assert_eq!(sides, ["kiosk", "desk", "man", "completions"], "{top}");
    let mut seen = 0;
    for side in ["kiosk", "desk"] {
        let (code, help, _) = run_code(&[side, "--help"], "");
        assert_eq!(code, 0);
        for command in commands_in(&help) {
            let (code, text, stderr) = run_code(&[side, &command, "--help"], "");
            assert_eq!(code, 0, "{side} {command} --help: {stderr}");
            assert!(
                text.contains("Usage: intake-kiosk") && text.contains("3  partly done"),
                "{side} {command}: {text}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 40, "only {seen} commands listed");
    let (code, version, _) = run_code(&["--version"], "");
    assert_eq!(code, 0);
    assert_eq!(
        version.trim(),
        format!("intake-kiosk {}", env!("CARGO_PKG_VERSION"))
    );
    // The man pages and completions come from the same declarations.
    let man = tempfile::tempdir().unwrap();
    ok(&["man", "--to", man.path().to_str().unwrap()], "");
    let page = std::fs::read_to_string(man.path().join("intake-kiosk-desk-import.1")).unwrap();
    assert!(page.contains("outbox"), "{page}");
    let bash = ok(&["completions", "bash"], "");
    assert!(bash.contains("marketing-list"));
}

/// `kiosk backup` of the kiosk in `k` into `to`: the backup file it names.
fn kiosk_backup(k: &str, to: &Path, secret: &str) -> String {
    let done = ok(
        &[
            "kiosk",
            "backup",
            "--data-dir",
            k,
            "--to",
            to.to_str().unwrap(),
        ],
        secret,
    );
    done.trim().rsplit(": ").next().unwrap().to_owned()
}

#[test]
fn a_backup_is_private_restores_and_a_damaged_one_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let kiosk_dir = root.path().join("kiosk");
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    demo_kiosk(&kiosk_dir);
    save_a_form(&kiosk_dir);
    let secret = format!("{DEMO_PASSPHRASE}\n");
    let k = kiosk_dir.to_str().unwrap();
    let file = kiosk_backup(k, &root.path().join("backups"), &secret);
    let name = Path::new(&file)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        name.starts_with("intake-kiosk-kiosk-") && name.ends_with(".sqlite3"),
        "{name}"
    );
    for private in [file.clone(), format!("{file}.sha256")] {
        assert_eq!(owner_only_mode(Path::new(&private)), 0o600, "{private}");
    }

    // A wrong passphrase restores nothing; the right one restores into an empty folder.
    let restored = root.path().join("restored");
    let restore = |to: &Path, from: &str, secret: &str| {
        run_code(
            &[
                "kiosk",
                "restore",
                "--from",
                from,
                "--data-dir",
                to.to_str().unwrap(),
                "--newer",
                &kiosk_dir.join("kiosk.sqlite3").to_string_lossy(),
            ],
            secret,
        )
    };
    let (code, _, stderr) = restore(&restored, &file, "wrong passphrase\n");
    assert_eq!(code, 1, "{stderr}");
    assert!(!restored.join("kiosk.sqlite3").exists());
    let (code, out, stderr) = restore(&restored, &file, &secret);
    assert_eq!(code, 0, "{out}\n{stderr}");
    assert!(out.contains("no erasure was requested"), "{out}");
    let status = ok(
        &["kiosk", "status", "--data-dir", restored.to_str().unwrap()],
        &secret,
    );
    assert!(status.contains("pending: 1"), "{status}");
    let verified = ok(
        &["kiosk", "verify", "--data-dir", restored.to_str().unwrap()],
        &secret,
    );
    assert!(verified.contains("all sound"), "{verified}");
    // Not over a folder that holds a database.
    let (code, _, stderr) = restore(&restored, &file, &secret);
    assert_eq!(code, 1);
    assert!(stderr.contains("empty data folder"), "{stderr}");

    // A damaged backup (copied without its .sha256; a page of rows overwritten) is refused
    // with a clear message.
    let mut bytes = std::fs::read(&file).unwrap();
    // The page size, from the SQLite header (bytes 16-17, big-endian): every page but the first.
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    for p in 1..bytes.len() / page {
        bytes[p * page + 8..p * page + 200].fill(0x5A);
    }
    let damaged = root.path().join("damaged.sqlite3");
    std::fs::write(&damaged, bytes).unwrap();
    let elsewhere = root.path().join("elsewhere");
    let (code, _, stderr) = restore(&elsewhere, damaged.to_str().unwrap(), &secret);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("was refused; nothing was restored"),
        "{stderr}"
    );
    assert!(
        std::fs::read_dir(&elsewhere).map_or(true, |mut d| d.next().is_none()),
        "nothing left behind"
    );
    // Changed anywhere, even where no check reads: the SHA-256 written beside it refuses it.
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&file, bytes).unwrap();
    let (code, _, stderr) = restore(&elsewhere, &file, &secret);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("SHA-256"), "{stderr}");
}

#[test]
fn a_restore_leaves_an_existing_folders_permissions_and_refuses_a_fifo_for_a_checksum() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let kiosk_dir = root.path().join("kiosk");
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    demo_kiosk(&kiosk_dir);
    let secret = format!("{DEMO_PASSPHRASE}\n");
    let backups = root.path().join("backups");
    let done = ok(
        &[
            "kiosk",
            "backup",
            "--data-dir",
            kiosk_dir.to_str().unwrap(),
            "--to",
            backups.to_str().unwrap(),
        ],
        &secret,
    );
    let file = done.trim().rsplit(": ").next().unwrap().to_owned();
    // A shared folder, as /tmp is: restoring into an empty one keeps it open to others.
    let shared = root.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let (code, out, stderr) = run_code(
        &[
            "kiosk",
            "restore",
            "--from",
            &file,
            "--data-dir",
            shared.to_str().unwrap(),
        ],
        &secret,
    );
    assert_eq!(code, 0, "{out}\n{stderr}");
    assert_eq!(
        mode(&shared),
        0o1777,
        "the folder's permissions are its own"
    );
    assert_eq!(owner_only_mode(&shared.join("kiosk.sqlite3")), 0o600);

    // A FIFO where the backup's checksum is: refused at once, never waited on.
    let copy = root.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    let backup = copy.join("intake-kiosk-kiosk-20261201T180000Z.sqlite3");
    std::fs::copy(&file, &backup).unwrap();
    let fifo = format!("{}.sha256", backup.display());
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let elsewhere = root.path().join("elsewhere");
    let (code, _, stderr) = run_code(
        &[
            "kiosk",
            "restore",
            "--from",
            backup.to_str().unwrap(),
            "--data-dir",
            elsewhere.to_str().unwrap(),
        ],
        &secret,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("not an ordinary file"), "{stderr}");
}

#[test]
fn add_staff_takes_the_new_pin_from_the_line_after_the_passphrase_on_stdin_or_in_a_file() {
    let root = tempfile::tempdir().unwrap();
    let d = root.path().join("desk");
    let d = d.to_str().unwrap();
    init_desk(d, DESK_PASSPHRASE);
    let added = ok(
        &[
            "desk",
            "add-staff",
            "--data-dir",
            d,
            "--name",
            "Rita",
            "--role",
            "reception",
        ],
        &format!("{DESK_PASSPHRASE}\n551902\n"),
    );
    assert!(added.starts_with("staff member "), "{added}");
    let secrets = root.path().join("secrets");
    std::fs::write(&secrets, format!("{DESK_PASSPHRASE}\n662013\n")).unwrap();
    let added = ok(
        &[
            "desk",
            "add-staff",
            "--data-dir",
            d,
            "--secrets",
            secrets.to_str().unwrap(),
            "--name",
            "Chris",
            "--role",
            "clinician",
        ],
        "",
    );
    assert!(added.starts_with("staff member "), "{added}");
    // A PIN line missing: said by name.
    let (code, _, stderr) = run_code(
        &[
            "desk",
            "add-staff",
            "--data-dir",
            d,
            "--name",
            "Sam",
            "--role",
            "reception",
        ],
        &format!("{DESK_PASSPHRASE}\n"),
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("the new staff member's PIN"), "{stderr}");
}

/// The kiosk (`--demo`, a real window under Xvfb) gets SIGTERM: it exits 0 at once, its demo
/// folder gone. (Mid-handover, the controller wipes the form first: src/kiosk/tests.rs; the
/// real-window harness sends it mid-handover too, tests/real_window/signals.rs.)
#[test]
fn sigterm_ends_the_kiosk_cleanly_and_removes_the_demo_folder() {
    if Command::new("Xvfb").arg("-help").output().is_err() {
        panic!("Xvfb is needed for this test (apt-get install xvfb; .ci/run installs it)");
    }
    let display = format!(":{}", 90 + std::process::id() % 100);
    let mut xvfb = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let tmp = tempfile::tempdir().unwrap();
    let mut kiosk = Command::new(env!("CARGO_BIN_EXE_intake-kiosk"))
        .args(["--demo", "--windowed"])
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("SLINT_BACKEND", "winit-software")
        .env("TMPDIR", tmp.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the window (its log line), then stop it as systemd does.
    let stderr = kiosk.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let started = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("kiosk window started"));
    assert!(started, "the kiosk window did not start");
    // The demo's folder: a random name of its own, this user's only, in the kiosk's TMPDIR.
    let demo = common::the_demo_folder(tmp.path());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&demo).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the demo folder is this user's only");
    }
    let killed = Command::new("kill")
        .args(["-TERM", &kiosk.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let status = loop {
        if let Some(status) = kiosk.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let _ = kiosk.kill();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let status = status.expect("the kiosk did not stop within 2 s of SIGTERM");
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert!(!demo.exists(), "the demo folder is removed");
    assert!(
        rest.iter().any(|l| l.contains("SIGTERM received")),
        "{rest:?}"
    );
}

/// A running intake-kiosk may hold the data key and an open record: it can write no core file
/// (and, not dumpable, no other process of its user can read its memory). Checked from outside
/// while it waits for a secret on stdin.
#[test]
fn a_running_program_can_write_no_core_file() {
    let tmp = tempfile::tempdir().unwrap();
    demo_kiosk(tmp.path());
    let dir = tmp.path().to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake-kiosk"))
        .args(["kiosk", "change-pin", "--data-dir", dir])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limits = format!("/proc/{}/limits", child.id());
    let core_line = || {
        std::fs::read_to_string(&limits)
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .map(|l| {
                l.split_whitespace()
                    .skip(4)
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    };
    // Wait (up to 10 s) for it to reach the secret prompt: by then it has set its limits.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut seen = core_line();
    while seen.as_deref() != Some("0 0") && std::time::Instant::now() < deadline {
        assert!(child.try_wait().unwrap().is_none(), "it stopped early");
        std::thread::sleep(std::time::Duration::from_millis(20));
        seen = core_line();
    }
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen.as_deref(), Some("0 0"), "core file size limits");
}

#[test]
fn backup_keep_leaves_the_newest_of_its_own_and_needs_an_existing_folder() {
    let root = tempfile::tempdir().unwrap();
    let kiosk_dir = root.path().join("kiosk");
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    demo_kiosk(&kiosk_dir);
    let secret = format!("{DEMO_PASSPHRASE}\n");
    let k = kiosk_dir.to_str().unwrap();
    let backups = root.path().join("backups");
    let args = |to: &Path| -> Vec<String> {
        [
            "kiosk",
            "backup",
            "--data-dir",
            k,
            "--to",
            to.to_str().unwrap(),
            "--keep",
            "1",
        ]
        .map(String::from)
        .to_vec()
    };
    // For cron: an unmounted disk is refused, never replaced by a new empty folder.
    let (code, _, stderr) = run_code(
        &args(&backups)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &secret,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!backups.exists());

    std::fs::create_dir(&backups).unwrap();
    let older = backups.join("intake-kiosk-kiosk-20200101T000000Z.sqlite3");
    std::fs::write(&older, "an older backup").unwrap();
    // Finished (its checksum beside it): only such a backup counts, and goes.
    let older_sum = backups.join("intake-kiosk-kiosk-20200101T000000Z.sqlite3.sha256");
    std::fs::write(&older_sum, "0000  an older backup").unwrap();
    // Cut off before its checksum was written: neither counted nor removed.
    let cut_off = backups.join("intake-kiosk-kiosk-20210101T000000Z.sqlite3");
    std::fs::write(&cut_off, "half a backup").unwrap();
    std::fs::write(backups.join("notes.txt"), "mine").unwrap();
    let desks = backups.join("intake-kiosk-desk-20200101T000000Z.sqlite3");
    std::fs::write(&desks, "the desk's").unwrap();
    let out = ok(
        &args(&backups)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &secret,
    );
    assert!(out.contains("removed an older backup"), "{out}");
    assert!(!older.exists() && !older_sum.exists());
    assert!(backups.join("notes.txt").exists() && desks.exists() && cut_off.exists());
    let kept: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| intake_kiosk::store::is_backup_file_name(n, "kiosk"))
        .filter(|n| !n.contains("20210101"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(out.trim().ends_with(&kept[0]), "{out}");
}

/// `kiosk rotate-key` and `desk rotate-key` ask what the windows ask: your passphrase, then one
/// line for each other active manager (in any order); one missing is refused, naming them, and
/// nothing is rotated.
#[test]
fn rotate_key_takes_one_passphrase_per_active_manager_on_kiosk_and_desk() {
    const NOOR: &str = "north window cobalt 19";
    const OMAR: &str = "orchard tide saffron 44";
    let root = tempfile::tempdir().unwrap();
    for (role, yours) in [("kiosk", DEMO_PASSPHRASE), ("desk", DESK_PASSPHRASE)] {
        let dir = root.path().join(role);
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.to_str().unwrap();
        if role == "kiosk" {
            demo_kiosk(&dir);
        } else {
            init_desk(d, yours);
        }
        for (name, theirs, pin) in [("Noor", NOOR, "730519"), ("Omar", OMAR, "864203")] {
            ok(
                &[role, "add-manager", "--data-dir", d, "--name", name],
                &format!("{yours}\n{theirs}\n{theirs}\n{pin}\n"),
            );
        }
        let db = dir.join(format!("{role}.sqlite3"));

        let (code, _, stderr) = run_code(
            &[role, "rotate-key", "--data-dir", d],
            &format!("{yours}\n{NOOR}\n"),
        );
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("the passphrase of Omar"), "{stderr}");
        let (code, _, stderr) = run_code(
            &[role, "rotate-key", "--data-dir", d],
            &format!("{yours}\n{NOOR}\nnot Omar's passphrase\n"),
        );
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("missing: Omar"), "{stderr}");
        let rotations = |passphrase: &str| {
            let (open, actor) = OpenStore::unlock_as_manager(
                Store::open(&db).unwrap(),
                &Passphrase::new(passphrase),
                chrono::Utc::now(),
            )
            .unwrap_or_else(|_| panic!("{role}: {passphrase:?} opens"));
            open.audit_entries(&actor, None, None)
                .unwrap()
                .iter()
                .filter(|e| e.kind == "data_key_rotated")
                .count()
        };
        assert_eq!(rotations(OMAR), 0, "nothing rotated");

        let out = ok(
            &[role, "rotate-key", "--data-dir", d],
            &format!("{yours}\n{OMAR}\n{NOOR}\n"),
        );
        assert!(out.contains("data key rotated"), "{out}");
        assert!(out.contains("NEW RECOVERY KEY"), "{out}");
        // Each opens the rotated file with their own passphrase.
        for passphrase in [yours, NOOR, OMAR] {
            assert_eq!(rotations(passphrase), 1);
        }
    }
}

#[test]
fn a_forgotten_passphrase_is_set_anew_with_the_recovery_key() {
    const NEW: &str = "lantern moss harbour 27";
    const NOOR: &str = "north window cobalt 19";
    let root = tempfile::tempdir().unwrap();
    let d = root.path().to_str().unwrap();
    let out = ok(
        &[
            "desk",
            "init",
            "--data-dir",
            d,
            "--clinic",
            "Clinic",
            "--manager",
            "Dana",
        ],
        &format!("{DESK_PASSPHRASE}\n{DESK_PASSPHRASE}\n402718\n"),
    );
    let recovery = line_after(
        &out,
        "recovery key (print it and keep it locked away; it is shown once):",
    );
    let db = root.path().join("desk.sqlite3");
    let opens = |passphrase: &str| {
        OpenStore::unlock_as_manager(
            Store::open(&db).unwrap(),
            &Passphrase::new(passphrase),
            chrono::Utc::now(),
        )
        .is_ok()
    };
    let reset = |staff: Option<&str>, stdin: String| {
        let mut args = vec!["desk", "reset-passphrase", "--data-dir", d];
        args.extend(staff.iter().flat_map(|s| ["--staff", s]));
        run_code(&args, &stdin)
    };

    // A wrong recovery key, or two typings that differ: refused, the old passphrase still opens.
    let wrong = "0".repeat(52);
    let (code, _, stderr) = reset(None, format!("{wrong}\n{NEW}\n{NEW}\n"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("recovery key"), "{stderr}");
    let (code, _, stderr) = reset(None, format!("{recovery}\n{NEW}\n{NEW}x\n"));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("differ"), "{stderr}");
    assert!(opens(DESK_PASSPHRASE) && !opens(NEW));

    // The only manager's passphrase, set anew: the new one opens, the forgotten one no longer.
    let out = ok(
        &["desk", "reset-passphrase", "--data-dir", d],
        &format!("{recovery}\n{NEW}\n{NEW}\n"),
    );
    assert!(out.contains("passphrase set anew"), "{out}");
    assert!(opens(NEW) && !opens(DESK_PASSPHRASE));
    let (open, actor) = OpenStore::unlock_as_manager(
        Store::open(&db).unwrap(),
        &Passphrase::new(NEW),
        chrono::Utc::now(),
    )
    .unwrap();
    let entries = open.audit_entries(&actor, None, None).unwrap();
    assert!(
        entries.iter().any(|e| e.kind == "recovery_key_used")
            && entries
                .iter()
                .any(|e| e.kind == "passphrase_changed" && e.subject == "by recovery key"),
        "{entries:?}"
    );
    drop(open);

    // With two managers, the command asks which one (naming them), then sets that one's.
    ok(
        &["desk", "add-manager", "--data-dir", d, "--name", "Noor"],
        &format!("{NEW}\n{NOOR}\n{NOOR}\n730519\n"),
    );
    let (code, _, stderr) = reset(None, format!("{recovery}\n{NEW}2\n{NEW}2\n"));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("Dana") && stderr.contains("Noor"),
        "{stderr}"
    );
    // "… (active managers: <id> (Dana), <id> (Noor))"
    let noor = stderr
        .split(" (Noor)")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .unwrap()
        .to_owned();
    ok(
        &[
            "desk",
            "reset-passphrase",
            "--data-dir",
            d,
            "--staff",
            &noor,
        ],
        &format!("{recovery}\nnew for noor, long enough\nnew for noor, long enough\n"),
    );
    assert!(opens("new for noor, long enough") && !opens(NOOR) && opens(NEW));
}

#[test]
fn a_script_sets_the_kiosks_idle_limits_and_the_tablet_obeys_them_unless_edited_by_hand() {
    use intake_kiosk::kiosk::{IdleLimit, Kiosk, Message, Timeouts};
    let root = tempfile::tempdir().unwrap();
    let d = root.path().to_str().unwrap();
    demo_kiosk(root.path());
    let secret = format!("{DEMO_PASSPHRASE}\n");
    let set = |key: &str, value: &str| {
        run(
            &[
                "kiosk",
                "set",
                "--data-dir",
                d,
                "--key",
                key,
                "--value",
                value,
            ],
            &secret,
        )
    };
    // Out of range, and a setting only the desk reads: refused in words, nothing stored.
    let (success, _, stderr) = set("kiosk.handover_idle_seconds", "5");
    assert!(!success && stderr.contains("from 60 to 900"), "{stderr}");
    let (success, _, stderr) = set("retention.adult_years", "9");
    assert!(
        !success && stderr.contains("read by the desk, not here"),
        "{stderr}"
    );
    let (success, stdout, stderr) = set("kiosk.handover_idle_seconds", "300");
    assert!(success, "{stderr}");
    assert_eq!(stdout.trim(), "kiosk.handover_idle_seconds set to 300");
    let listed = ok(&["kiosk", "settings", "--data-dir", d], &secret);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("kiosk.handover_idle_seconds") && l.contains(" 300 ")),
        "{listed}"
    );
    assert!(!listed.contains("retention.adult_years"), "{listed}");

    // The tablet, opened for the day, wipes an untouched handover after 300 s.
    let path = root.path().join("kiosk.sqlite3");
    let open_kiosk = || {
        let mut k = Kiosk::new(
            Store::open(&path).unwrap(),
            intake_kiosk::forms::FormDefinition::built_in(),
            Timeouts::default(),
        )
        .unwrap();
        k.unlock(DEMO_PASSPHRASE);
        k
    };
    let k = open_kiosk();
    assert_eq!(k.idle_limit(IdleLimit::Handover), 300);
    assert_eq!(
        k.idle_limit(IdleLimit::StaffHome),
        180,
        "not set: the default"
    );
    drop(k);

    // A value changed by hand (a day-long handover) is not obeyed, and staff are told.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE settings SET value = '86400' WHERE key = 'kiosk.handover_idle_seconds'",
        [],
    )
    .unwrap();
    drop(conn);
    let k = open_kiosk();
    assert_eq!(k.idle_limit(IdleLimit::Handover), 120);
    assert_eq!(k.message(), Some(&Message::Tampered("settings".into())));
}

/// Pairs the kiosk in `k` with the desk in `d` through the folder `x`, by the code's text: the
/// desk's manager types the code the kiosk shows, the kiosk's the one the desk then shows.
/// Returns the kiosk id the desk lists.
fn pair_by_text(k: &str, d: &str, x: &str, kiosk_secret: &str, desk_secret: &str) -> String {
    let shown = ok(&["kiosk", "pair-start", "--data-dir", k], kiosk_secret);
    let code = shown.lines().last().unwrap().trim().to_owned();
    let answered = ok(
        &[
            "desk",
            "pair",
            "--data-dir",
            d,
            "--code",
            &code,
            "--exchange",
            x,
        ],
        desk_secret,
    );
    let kiosk_id = line_after(&answered, "kiosk ")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let finished = ok(
        &["kiosk", "pair-finish", "--data-dir", k, "--from", x],
        kiosk_secret,
    );
    let kiosk_code = line_after(&finished, "comparison code:").replace(' ', "");
    let confirm = [
        "desk",
        "pair",
        "--data-dir",
        d,
        "--kiosk",
        &kiosk_id,
        "--confirm",
        &kiosk_code,
        "--exchange",
        x,
    ];
    ok(&confirm, desk_secret);
    let confirm = [
        "kiosk",
        "pair-confirm",
        "--data-dir",
        k,
        "--code",
        &kiosk_code,
    ];
    ok(&confirm, kiosk_secret);
    kiosk_id
}

/// A tablet restored from a backup numbers its bundles and its log from an older state: the desk
/// refuses its bundle under a number it took before, saying why and what to do. `kiosk new-id`
/// gives it a new id; paired again, it sends every form the desk has not acknowledged, and the
/// desk takes each once.
#[test]
fn a_kiosk_restored_from_a_backup_pairs_again_under_a_new_id_and_nothing_is_lost() {
    let root = tempfile::tempdir().unwrap();
    let path = |name: &str| root.path().join(name);
    let (kiosk_dir, restored_dir) = (path("kiosk"), path("restored"));
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    demo_kiosk(&kiosk_dir);
    let (k, r) = (kiosk_dir.to_str().unwrap(), restored_dir.to_str().unwrap());
    let (d, x) = (path("desk"), path("usb"));
    let (d, x) = (d.to_str().unwrap(), x.to_str().unwrap());
    let outbox = path("outbox");
    let kiosk_secret = format!("{DEMO_PASSPHRASE}\n");
    let desk_secret = format!("{DESK_PASSPHRASE}\n");
    init_desk(d, DESK_PASSPHRASE);
    let old_id = pair_by_text(k, d, x, &kiosk_secret, &desk_secret);
    let import = || {
        let args = ["desk", "import", "--data-dir", d, "--from", x, "--outbox"];
        run_code(
            &[&args[..], &[outbox.to_str().unwrap()]].concat(),
            &desk_secret,
        )
    };

    // Form A, then the nightly backup, then form B; both go to the desk.
    save_a_form(&kiosk_dir);
    let backup = kiosk_backup(k, &path("backups"), &kiosk_secret);
    save_a_form(&kiosk_dir);
    ok(
        &["kiosk", "export", "--data-dir", k, "--to", x],
        &kiosk_secret,
    );
    let (code, imported, stderr) = import();
    assert_eq!(code, 0, "{imported}\n{stderr}");
    assert!(imported.contains("2 new forms"), "{imported}");

    // The tablet's disk fails; the backup is restored to a new folder (A in it, not yet sent)
    // and the clinic goes on: form C.
    let restore = ["kiosk", "restore", "--from", &backup, "--data-dir", r];
    ok(&restore, &kiosk_secret);
    save_a_form(&restored_dir);
    let status = ok(&["kiosk", "status", "--data-dir", r], &kiosk_secret);
    assert!(
        status.contains(&format!("this kiosk: {old_id}")),
        "{status}"
    );
    assert!(status.contains("pending: 2"), "{status}");
    // Its first bundle takes a number the desk has seen: refused, saying why and what to do.
    ok(
        &["kiosk", "export", "--data-dir", r, "--to", x],
        &kiosk_secret,
    );
    let (code, refused, _) = import();
    assert_ne!(code, 0, "{refused}");
    assert!(
        refused.contains("REFUSED")
            && refused.contains("as a tablet restored from a backup does")
            && refused.contains("kiosk new-id"),
        "{refused}"
    );
    let kiosks = ok(&["desk", "kiosks", "--data-dir", d], &desk_secret);
    assert_eq!(kiosks.matches("CONFIRMED").count(), 1, "{kiosks}");

    // A new id for the restored tablet (a manager's passphrase: the clinician's PIN is not one).
    let new_id = ok(&["kiosk", "new-id", "--data-dir", r], &kiosk_secret);
    let new_id = line_after(
        &new_id,
        &format!("this tablet was kiosk {old_id} and is now kiosk "),
    )
    .to_owned();
    assert_ne!(new_id, old_id);
    let status = ok(&["kiosk", "status", "--data-dir", r], &kiosk_secret);
    assert!(
        status.contains(&format!("this kiosk: {new_id}")) && status.contains("not paired"),
        "{status}"
    );
    let (sent, _, stderr) = run(
        &["kiosk", "export", "--data-dir", r, "--to", x],
        &kiosk_secret,
    );
    assert!(!sent && stderr.contains("not paired"), "{stderr}");
    assert_eq!(
        pair_by_text(r, d, x, &kiosk_secret, &desk_secret),
        new_id,
        "the desk pairs it as a new kiosk"
    );
    ok(
        &["kiosk", "export", "--data-dir", r, "--to", x],
        &kiosk_secret,
    );
    let (_, imported, _) = import();
    // C arrives; A is held already. The old id's refused file stays refused, as before.
    assert!(
        imported.contains("1 new form, 1 already held"),
        "{imported}"
    );
    let receipts = ok(
        &["kiosk", "receipts", "--data-dir", r, "--from", x],
        &kiosk_secret,
    );
    assert!(receipts.contains("2 forms delivered"), "{receipts}");
    let status = ok(&["kiosk", "status", "--data-dir", r], &kiosk_secret);
    assert!(
        status.contains("pending: 0") && status.contains("exported, awaiting receipt: 0"),
        "{status}"
    );
    for (side, dir, secret) in [("kiosk", r, &kiosk_secret), ("desk", d, &desk_secret)] {
        let verified = ok(&[side, "verify", "--data-dir", dir], secret);
        assert!(verified.contains("all sound"), "{side}: {verified}");
    }
}
