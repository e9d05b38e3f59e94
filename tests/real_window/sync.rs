//! A kiosk and its back office, each in a real window on its own display, as two managers pair
//! them and the clinic then uses them: the desk's folders typed into the desk window, the kiosk's
//! exchange folder into its back-office panel; a picture without a code refused in words; the
//! kiosk's pairing QR code read by the desk from a screenshot of the kiosk's screen (the file a
//! phone's photo would be); the answer read on the kiosk, its code typed at the desk and
//! confirmed on both; a patient's whole handover by touch; *Send forms now*; *Import the bundles
//! now* at the desk, twice (the second takes nothing); the patient found at the desk by name and
//! date of birth, their form in the record; the forms handed on to the outbox; *Back up now* at
//! the desk and the backup restored on the command line into a new data folder, where `desk
//! find` finds the patient; *Read receipts* on the kiosk, which then counts them delivered.

use std::path::Path;

use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_clinic, create_demo_desk};

use crate::machine::{Display, app_cli, tools_present};
use crate::patient::{opened_for_the_day, pin_pad, sign, sign_in};
use crate::window::{App, View};

const MANAGER: (&str, &str) = ("Maya (manager)", "402718");

/// The patient.
const GIVEN: &str = "Noor";
const FAMILY: &str = "Okafor-Lind";
const PATIENT: &str = "Noor Okafor-Lind";
const BORN: &str = "1979-11-03";

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The kiosk panel's counts: "Waiting to send: N · sent, awaiting receipt: N · delivered: N".
fn counts(v: &View) -> (u32, u32, u32) {
    let line = v
        .elements
        .iter()
        .find(|e| e.label.starts_with("Waiting to send: "))
        .unwrap_or_else(|| panic!("no counts on the panel: {v:?}"))
        .label
        .clone();
    let n: Vec<u32> = line
        .split(" · ")
        .map(|part| {
            part.rsplit(": ")
                .next()
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("a count in {line:?}"))
        })
        .collect();
    (n[0], n[1], n[2])
}

/// Types into a desk field (a click on it first) and checks it holds the text.
fn type_into(app: &App, label: &str, value: &str) {
    app.focus_field(label, false);
    app.display.type_text(value);
    app.wait_text(label, value);
}

/// Taps a button, scrolled into view first, and waits for the window's answer: a new message.
fn press_for_message(app: &App, label: &str) -> View {
    let before = app.view().get("message").to_owned();
    let (x, y) = app.reveal("Button", label).centre();
    app.display.tap_at(x, y);
    app.wait(&format!("the answer to {label:?}"), |v| {
        v.get("message") != before && v.get("busy") != "true"
    })
}

/// 625 finder patterns (a dark ring, a light ring, a dark centre: 7 × 7 squares of 8 pixels)
/// every 80 pixels on a 2,000-pixel square, and no QR code.
fn finder_wall() -> image::GrayImage {
    image::GrayImage::from_fn(2000, 2000, |x, y| {
        let (cx, cy) = ((x % 80) / 8, (y % 80) / 8);
        let ring = cx
            .min(cy)
            .min(6_u32.saturating_sub(cx))
            .min(6_u32.saturating_sub(cy));
        let dark = cx < 7 && cy < 7 && ring != 1;
        image::Luma([if dark { 20 } else { 240 }])
    })
}

/// Taps *Start pairing* on the kiosk's back-office panel and waits for the QR code.
fn start_pairing(kiosk: &App) {
    let (x, y) = kiosk.reveal("Button", "Start pairing").centre();
    kiosk.display.tap_at(x, y);
    kiosk.wait("the pairing QR code", |v| {
        v.find("Image", "Pairing QR code").is_some()
    });
}

/// Taps *Cancel pairing* and waits until the code has left the screen, said so.
fn cancel_pairing(kiosk: &App) {
    let (x, y) = kiosk.reveal("Button", "Cancel pairing").centre();
    kiosk.display.tap_at(x, y);
    kiosk.wait("the code withdrawn", |v| {
        v.find("Image", "Pairing QR code").is_none()
            && v.get("message").starts_with("Pairing cancelled: ")
    });
}

/// The whole code on screen, then a picture of the screen at `path`: what the desk is given.
fn photo_of_code(kiosk: &App, path: &Path) {
    kiosk.reveal("Button", "Read the back office's answer");
    kiosk.reveal("Image", "Pairing QR code");
    std::thread::sleep(std::time::Duration::from_millis(300));
    kiosk.display.photo(path);
}

fn good(v: &View) -> bool {
    v.get("message-good") == "true"
}

/// A patient's handover with what the form requires and no more (the whole form by touch is
/// `patient`'s test): the four details, "No" to each yes/no question, the treatment consent
/// alone; signed and submitted, and handed back to a clinician.
fn short_handover(app: &App) {
    app.tap_button("Hand over for a new patient");
    app.wait("the privacy notice", |v| {
        v.screen() == "Handover" && v.get("kind") == "notice"
    });
    app.next();
    for (label, text) in [
        ("First name *", GIVEN),
        ("Last name *", FAMILY),
        ("Date of birth (YYYY-MM-DD) *", BORN),
        ("Postcode *", "N1 9GU"),
    ] {
        app.fill(label, text, false);
    }
    app.next();
    while app.view().get("kind") == "section" {
        let mut answered = Vec::new();
        loop {
            let v = app.view();
            let (top, bottom) = app.band(&v);
            let no = v
                .with_role("Button")
                .filter(|b| b.y >= top && b.bottom() <= bottom)
                .find(|b| b.label.ends_with(": No") && !answered.contains(&b.label))
                .cloned();
            match no {
                Some(b) => {
                    // Where it rests (a new page may still be moving).
                    let (x, y) = app.reveal("Button", &b.label).centre();
                    app.display.tap_at(x, y);
                    app.wait_selected(&b.label);
                    answered.push(b.label);
                }
                None if app.scroll(true) => {}
                None => break,
            }
        }
        app.next();
    }
    assert_eq!(app.view().get("kind"), "consents");
    let treatment = app
        .view()
        .with_role("Checkbox")
        .find(|c| c.label.starts_with("Consent to assessment and treatment"))
        .expect("the treatment consent")
        .label
        .clone();
    let (x, y) = app.reveal("Checkbox", &treatment).centre();
    app.display.tap_at(x, y);
    app.wait("the treatment consent ticked", |v| {
        v.find("Checkbox", &treatment).is_some_and(|c| c.checked)
    });
    app.next();
    assert_eq!(app.view().get("kind"), "review");
    app.next();
    sign(app);
    app.tap_button("Submit");
    app.wait("the receipt", |v| {
        v.screen() == "HandBack" && v.get("receipt") == "true"
    });
    app.tap_button("Done");
    pin_pad(app, "Chris (clinician)", "918273");
}

#[test]
fn two_managers_pair_a_kiosk_by_its_qr_code_and_the_desk_takes_its_forms_once() {
    if !tools_present() {
        return;
    }
    let kiosk_data = tempfile::tempdir().expect("kiosk data");
    drop(create_demo_clinic(&kiosk_data.path().join("kiosk.sqlite3")).expect("demo clinic"));
    let desk_data = tempfile::tempdir().expect("desk data");
    drop(create_demo_desk(&desk_data.path().join("desk.sqlite3")).expect("demo desk"));
    let exchange = tempfile::tempdir().expect("exchange folder");
    let outbox = tempfile::tempdir().expect("outbox folder");
    // Each window waits on the other for a while (the desk through the handover, the kiosk
    // through the import and the backup): their idle locks at their longest, so a slow machine
    // does not lock one mid-test.
    app_cli(
        "kiosk",
        kiosk_data.path(),
        &["set", "--key", "kiosk.staff_idle_seconds", "--value", "900"],
        &[DEMO_PASSPHRASE],
    );
    app_cli(
        "desk",
        desk_data.path(),
        &["set", "--key", "desk.idle_seconds", "--value", "3600"],
        &[DEMO_PASSPHRASE],
    );
    let pictures = tempfile::tempdir().expect("a phone's pictures");
    let backups = tempfile::tempdir().expect("the backup disk");

    // The desk: opened with the passphrase, a manager signed in, its two folders saved.
    let desk_display = Display::start(1280, 800);
    let desk = App::start(
        &desk_display,
        &["desk", "window", "--data-dir", text(desk_data.path())],
    );
    desk.wait("the closed desk", |v| v.screen() == "Closed");
    desk.type_and_enter("Manager passphrase", DEMO_PASSPHRASE);
    desk.desk_sign_in(MANAGER.0, MANAGER.1);
    type_into(
        &desk,
        "Exchange folder (full path; empty: keep)",
        text(exchange.path()),
    );
    type_into(
        &desk,
        "Outbox folder for the EMR (full path; empty: keep)",
        text(outbox.path()),
    );
    let v = press_for_message(&desk, "Save the folders");
    assert!(good(&v), "{}", v.get("message"));

    // The kiosk: opened for the day, the manager on its back-office panel, the same folder.
    let kiosk_display = Display::start(1280, 800);
    let kiosk = opened_for_the_day(&kiosk_display, kiosk_data.path());
    sign_in(&kiosk, MANAGER.0, MANAGER.1);
    kiosk.tap_button("Back office");
    kiosk.wait("the back-office panel", |v| {
        v.has_text("Not paired with a back office.")
    });
    kiosk.fill(
        "Exchange folder (USB stick or shared folder)",
        text(exchange.path()),
        false,
    );
    let (x, y) = kiosk.reveal("Button", "Use this folder").centre();
    kiosk_display.tap_at(x, y);
    kiosk.wait("the folder taken", |v| {
        v.get("message").starts_with("Saved: ") && v.get("message").contains(text(exchange.path()))
    });
    start_pairing(&kiosk);
    // A code withdrawn by a tap leaves the screen, said so; the next one is shown as before.
    cancel_pairing(&kiosk);
    // One withdrawn from the command line while the window shows it (the next tap says so:
    // `ui_back_office`), then put back from an older copy of the file.
    start_pairing(&kiosk);
    let kiosk_file = kiosk_data.path().join("kiosk.sqlite3");
    let older = pictures.path().join("kiosk-older.sqlite3");
    rusqlite::Connection::open(&kiosk_file)
        .and_then(|c| c.execute("VACUUM INTO ?1", [text(&older)]))
        .expect("an older copy of the kiosk's file");
    let withdrawn = app_cli(
        "kiosk",
        kiosk_data.path(),
        &["pair-cancel"],
        &[DEMO_PASSPHRASE],
    );
    assert!(withdrawn.contains("pairing code withdrawn"), "{withdrawn}");
    // Its offer put back from the older copy (the code would pair again until it expires): the
    // tap is refused, naming the table, and the code leaves the screen; taken out again, a new
    // code is drawn.
    let raw = rusqlite::Connection::open(&kiosk_file).expect("the kiosk's file");
    raw.execute("ATTACH DATABASE ?1 AS older", [text(&older)])
        .expect("attached");
    let put_back = raw
        .execute(
            "INSERT INTO pairing_offers SELECT * FROM older.pairing_offers WHERE used_at IS NULL",
            [],
        )
        .expect("put back");
    assert_eq!(put_back, 1);
    let (x, y) = kiosk
        .reveal("Button", "Read the back office's answer")
        .centre();
    kiosk_display.tap_at(x, y);
    kiosk.wait("the put-back offer refused", |v| {
        v.get("message")
            .starts_with("The kiosk's database was changed outside the app (table pairing_offers)")
            && v.find("Image", "Pairing QR code").is_none()
    });
    kiosk.shot("sync-00-kiosk-offer-put-back-refused");
    raw.execute("DELETE FROM pairing_offers WHERE used_at IS NULL", [])
        .expect("taken out");
    drop(raw);
    start_pairing(&kiosk);
    let photo = pictures.path().join("kiosk-qr.png");
    photo_of_code(&kiosk, &photo);
    kiosk.shot("sync-01-kiosk-pairing-qr");

    // First a picture without a code but with a wall of the squares that mark a code's
    // corners: refused in words (the decoder before quircs searched this one for 7.6 s, on the
    // window's own thread; the window now reads pictures on its worker).
    let wall = pictures.path().join("finder-wall.png");
    finder_wall().save(&wall).expect("the picture");
    type_into(
        &desk,
        "Pairing code, or picture of the QR code (full path)",
        text(&wall),
    );
    let v = press_for_message(&desk, "Pair this kiosk");
    assert!(
        !good(&v)
            && v.get("message").starts_with(&format!(
                "No pairing code could be read from {}: take a sharper photo",
                text(&wall)
            )),
        "{}",
        v.get("message")
    );
    type_into(
        &desk,
        "Pairing code, or picture of the QR code (full path)",
        text(&photo),
    );
    let v = press_for_message(&desk, "Pair this kiosk");
    assert!(good(&v), "{}", v.get("message"));
    // The one-time secret's field is emptied once sent.
    assert_eq!(
        v.find(
            "TextInput",
            "Pairing code, or picture of the QR code (full path)"
        )
        .map(|f| f.value.as_str()),
        Some("")
    );
    assert!(
        v.get("message").contains("waits for confirmation"),
        "{}",
        v.get("message")
    );
    desk.reveal("TextInput", "Code shown on the kiosk");
    desk.shot("sync-02-desk-kiosk-waiting");

    // The kiosk's manager withdraws that code before reading its answer and shows a new one. The
    // desk, whose kiosk still waits under the same key, answers the new code as it is (no "Same
    // tablet again"): the answer in the folder is the new code's, and the kiosk reads it below.
    let answer_file = std::fs::read_dir(exchange.path())
        .expect("the exchange folder")
        .map(|f| f.expect("an entry").path())
        .find(|p| text(p).ends_with(".ikpa"))
        .expect("the desk's answer");
    let first_answer = std::fs::read(&answer_file).expect("the first answer");
    cancel_pairing(&kiosk);
    start_pairing(&kiosk);
    let second_photo = pictures.path().join("kiosk-qr-again.png");
    photo_of_code(&kiosk, &second_photo);
    type_into(
        &desk,
        "Pairing code, or picture of the QR code (full path)",
        text(&second_photo),
    );
    let (x, y) = desk.reveal("Button", "Pair this kiosk").centre();
    desk.display.tap_at(x, y);
    let v = desk.wait("the new code answered", |v| {
        v.get("busy") != "true" && std::fs::read(&answer_file).is_ok_and(|now| now != first_answer)
    });
    assert!(
        good(&v) && v.get("message").contains("waits for confirmation"),
        "{}",
        v.get("message")
    );

    // The kiosk reads the answer and shows the code; the desk's manager types it.
    let (x, y) = kiosk
        .reveal("Button", "Read the back office's answer")
        .centre();
    kiosk_display.tap_at(x, y);
    let v = kiosk.wait("the code to compare", |v| {
        v.has_text("Does the back office show ")
    });
    let code = v
        .elements
        .iter()
        .find_map(|e| e.label.strip_prefix("Does the back office show "))
        .expect("the question")
        .trim_end_matches('?')
        .to_owned();
    assert_eq!(
        code.chars().filter(char::is_ascii_digit).count(),
        6,
        "six digits: {code:?}"
    );
    kiosk.shot("sync-03-kiosk-compare-codes");
    type_into(&desk, "Code shown on the kiosk", &code);
    let v = press_for_message(&desk, "Confirm kiosk 1");
    assert!(good(&v), "{}", v.get("message"));
    assert!(
        v.get("message").contains(&code),
        "the desk shows the same code: {}",
        v.get("message")
    );
    let (x, y) = kiosk.reveal("Button", "Same code: pair").centre();
    kiosk_display.tap_at(x, y);
    let v = kiosk.wait("paired", |v| {
        v.has_text("Paired with the back office (code")
    });
    let (waiting, _, _) = counts(&v);
    kiosk.shot("sync-04-kiosk-paired");

    // A patient's handover by touch, handed back to a clinician; then the manager sends.
    let (x, y) = kiosk.reveal("Button", "Lock now").centre();
    kiosk_display.tap_at(x, y);
    sign_in(&kiosk, "Chris (clinician)", "918273");
    short_handover(&kiosk);
    let (x, y) = kiosk.reveal("Button", "Lock now").centre();
    kiosk_display.tap_at(x, y);
    kiosk.wait("locked", |v| v.screen() == "Locked");
    pin_pad(&kiosk, MANAGER.0, MANAGER.1);
    kiosk.tap_button("Back office");
    let v = kiosk.wait("the panel", |v| v.has_text("Waiting to send: "));
    assert_eq!(counts(&v).0, waiting + 1, "the new form waits to be sent");
    let (x, y) = kiosk.reveal("Button", "Send forms now").centre();
    kiosk_display.tap_at(x, y);
    let v = kiosk.wait("the forms sent", |v| v.has_text("Waiting to send: 0 "));
    let sent = counts(&v).1;
    assert_eq!(sent, waiting + 1, "every form went into the bundle");

    // The desk imports them once, hands them on to the outbox, and finds the patient.
    let v = press_for_message(&desk, "Import the bundles now");
    assert!(good(&v), "{}", v.get("message"));
    desk.shot("sync-05-desk-imported");
    let outbox_files = || std::fs::read_dir(outbox.path()).expect("outbox").count();
    let handed_on = outbox_files();
    assert_eq!(
        handed_on,
        3 * sent as usize,
        "a FHIR Bundle, a JSON file and a printable page for each form"
    );
    assert!(
        v.get("message").starts_with(&format!("{sent} new form")),
        "{}",
        v.get("message")
    );
    let again = press_for_message(&desk, "Import the bundles now");
    assert!(good(&again), "{}", again.get("message"));
    assert!(
        again.get("message").starts_with("No new bundles in "),
        "the second import takes nothing: {}",
        again.get("message")
    );
    assert_eq!(outbox_files(), handed_on, "nothing handed on twice");

    // The search stands at the top of the home.
    desk.scroll_to_top();
    type_into(&desk, "First name", GIVEN);
    type_into(&desk, "Last name", FAMILY);
    let before = desk.view().get("message").to_owned();
    desk.focus_field("Date of birth (YYYY-MM-DD)", false);
    desk.type_and_enter("Date of birth (YYYY-MM-DD)", BORN);
    let v = desk.wait("the answer to the search", |v| v.get("message") != before);
    assert!(good(&v), "{}", v.get("message"));
    let v = desk.scroll_until("the patient found", |v| {
        v.with_role("Button").any(|b| b.label.starts_with(PATIENT))
    });
    let found: Vec<_> = v
        .with_role("Button")
        .filter(|b| b.label.starts_with(PATIENT))
        .cloned()
        .collect();
    assert_eq!(found.len(), 1, "the patient once: {found:?}");
    let (x, y) = found[0].centre();
    desk_display.tap_at(x, y);
    desk.wait("the record", |v| v.screen() == "Record");
    desk.scroll_until("the patient's treatment consent", |v| {
        v.has_text("Consent to assessment and treatment: granted")
    });
    desk.scroll_until("the form in the record", |v| v.has_text("Forms submitted"));
    desk.shot("sync-06-desk-record");

    // A backup from the desk window, restored on the command line into a new data folder: the
    // patient is in it.
    desk.scroll_to_top();
    desk.tap_button("Back to the register");
    desk.wait("the home", |v| v.screen() == "Home");
    type_into(
        &desk,
        "Backup folder (full path; empty: keep)",
        text(backups.path()),
    );
    let v = press_for_message(&desk, "Save the schedule");
    assert!(good(&v), "{}", v.get("message"));
    let v = press_for_message(&desk, "Back up now");
    assert!(good(&v), "{}", v.get("message"));
    let mut written: Vec<_> = std::fs::read_dir(backups.path())
        .expect("the backup folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    written.sort();
    // The backup and its checksum beside it.
    assert_eq!(written.len(), 2, "one backup: {written:?}");
    assert!(
        text(&written[0]).ends_with(".sqlite3") && text(&written[1]).ends_with(".sqlite3.sha256"),
        "{written:?}"
    );
    let restored = tempfile::tempdir().expect("a new data folder");
    app_cli(
        "desk",
        restored.path(),
        &["restore", "--from", text(&written[0])],
        &[DEMO_PASSPHRASE],
    );
    let found = app_cli(
        "desk",
        restored.path(),
        &["find", "--given", GIVEN, "--family", FAMILY, "--dob", BORN],
        &[DEMO_PASSPHRASE],
    );
    assert_eq!(
        found.lines().count(),
        1,
        "the patient in the restored desk: {found}"
    );

    // The desk's receipt, read on the kiosk: the forms are delivered.
    let (x, y) = kiosk.reveal("Button", "Read receipts").centre();
    kiosk_display.tap_at(x, y);
    let v = kiosk.wait("the forms delivered", |v| {
        v.has_text(&format!("delivered: {sent}"))
    });
    assert_eq!(counts(&v), (0, 0, sent));
    kiosk.shot("sync-07-kiosk-delivered");

    // The desk has signed its manager in, so its sign-ins now leave the visit states' sum out
    // while no other program writes its file. Another one does (a patient's visit state
    // deleted with sqlite3 while the window is open): the next sign-in takes the sum again and
    // is refused, naming the table.
    desk.scroll_to_top();
    desk.desk_lock();
    let desk_file =
        rusqlite::Connection::open(desk_data.path().join("desk.sqlite3")).expect("the desk's file");
    let deleted = desk_file
        .execute(
            "DELETE FROM visit_state WHERE patient_id IN (SELECT patient_id FROM visit_state LIMIT 1)",
            [],
        )
        .expect("a visit state deleted");
    assert_eq!(deleted, 1);
    drop(desk_file);
    desk.desk_enter_pin(MANAGER.0, MANAGER.1);
    let v = desk.wait("the sign-in refused", |v| {
        v.get("message")
            .starts_with("The desk's database was changed outside the app (table visit_state)")
    });
    assert_eq!(v.screen(), "SignIn");
    desk.shot("sync-08-desk-sign-in-refused");
}
