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

fn run(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake-kiosk"))
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
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
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

/// A PNG of `text` as a QR code, as a phone photo of the tablet would give.
fn qr_png(text: &str, path: &Path) {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let width = code.width();
    let scale = 6;
    let quiet = 4;
    let size = ((width + 2 * quiet) * scale) as u32;
    let colors = code.to_colors();
    let img = image::GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < width + quiet
            && my < width + quiet
            && colors[(my - quiet) * width + (mx - quiet)] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    img.save(path).unwrap();
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
    qr_png(&code, &photo);
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
    assert!(!success && stderr.contains("not paired"), "{stderr}");
    // Start again, this time by the copied text. The desk knows this kiosk id now: pairing it
    // again is refused unless the manager says to replace its key.
    let shown = ok(&["kiosk", "pair-start", "--data-dir", k], &kiosk_secret);
    let code = shown.lines().last().unwrap().trim().to_owned();
    let pair_again = [
        "desk",
        "pair",
        "--data-dir",
        d,
        "--code",
        &code,
        "--exchange",
        x,
    ];
    let (success, stdout, stderr) = run(&pair_again, &desk_secret);
    assert!(
        !success && stderr.contains("already paired") && stderr.contains("--replace"),
        "{stdout}\n{stderr}"
    );
    let replaced = ok(&[&pair_again[..], &["--replace"]].concat(), &desk_secret);
    assert!(replaced.contains("old key is replaced"), "{replaced}");
    // The kiosk reads the answer and shows its code; the manager types it at the desk.
    let finished = ok(
        &["kiosk", "pair-finish", "--data-dir", k, "--from", x],
        &kiosk_secret,
    );
    let kiosk_code = line_after(&finished, "comparison code:").to_owned();
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
        ],
        &desk_secret,
    );
    assert_eq!(line_after(&confirmed, "comparison code:")[..7], kiosk_code);
    assert!(confirmed.contains("(confirmed)"), "{confirmed}");
    // The desk now shows the same code: the kiosk's manager confirms on the kiosk.
    let finished = ok(
        &[
            "kiosk",
            "pair-confirm",
            "--data-dir",
            k,
            "--code",
            &kiosk_code,
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

    save_a_form(&kiosk_dir);
    let exported = ok(
        &["kiosk", "export", "--data-dir", k, "--to", x],
        &kiosk_secret,
    );
    assert!(exported.contains("with 1 forms"), "{exported}");
    let imported = ok(
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
    assert!(imported.contains("1 new forms"), "{imported}");
    let again = run(
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
    assert!(
        !again.0 && again.1.contains("already imported"),
        "{}",
        again.1
    );
    let receipts = ok(
        &["kiosk", "receipts", "--data-dir", k, "--from", x],
        &kiosk_secret,
    );
    assert!(receipts.contains("1 forms delivered"), "{receipts}");
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
        merged.contains("1 forms and 2 consent decisions moved"),
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
