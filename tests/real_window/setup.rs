//! First-run setup by touch at 1280×800: a fresh data folder (no `--demo`), every field filled by
//! a tap and typing — the receptionist's name and PIN at the bottom of the page included — a
//! weak PIN refused naming whose it is, the kiosk created with one tap, the recovery key noted,
//! and the PIN pad showing the three staff; the receptionist's PIN typed at the bottom then
//! signs her in.

use crate::machine::{Display, tools_present};
use crate::patient::sign_in;
use crate::window::App;

const PASSPHRASE: &str = "a long clinic passphrase";

/// The page's fields, top to bottom, with what is typed and whether it is a secret.
const FIELDS: [(&str, &str); 9] = [
    ("Clinic name", "Riverside Clinic"),
    ("Manager's name", "Morgan"),
    ("Manager's PIN (6+ digits)", "402718"),
    ("Passphrase", PASSPHRASE),
    ("Passphrase again", PASSPHRASE),
    ("Clinician's name", "Casey"),
    ("Clinician's PIN", "918273"),
    ("Receptionist's name", "Robin"),
    // Refused first (too easy), then replaced.
    ("Receptionist's PIN", "123456"),
];
const RECEPTION_PIN: &str = "560193";
/// Where a field's clear button (×) sits: this far left of the field's right edge (the style's
/// 16-pixel icon inside its 12-pixel padding).
const CLEAR_FROM_RIGHT: i32 = 20;

#[test]
fn first_run_setup_by_touch_in_landscape() {
    if !tools_present() {
        return;
    }
    let display = Display::start(1280, 800);
    let data = tempfile::tempdir().expect("data folder");
    let data_dir = data.path().to_str().expect("UTF-8 path");
    let app = App::start(&display, &["--data-dir", data_dir]);
    app.wait("first-run setup", |v| v.screen() == "FirstRun");
    app.shot("setup-01-empty");

    for (label, text) in FIELDS {
        app.fill(label, text, false);
    }
    app.shot("setup-02-filled");

    // The × at the right end of a focused field empties it (the field's own tap area once
    // covered it: drawn, and dead to a finger).
    let (label, name) = FIELDS[7];
    app.focus_field(label, true);
    let field = app.element("TextInput", label);
    app.display
        .tap_at(field.x + field.w - CLEAR_FROM_RIGHT, field.centre().1);
    app.wait_text(label, "");
    app.display.type_text(name);
    app.wait_text(label, name);

    // One tap on "Create the kiosk" right after typing a PIN: the weak receptionist's PIN is
    // refused, and the refusal says whose PIN it is.
    create(&app);
    let v = app.wait("the weak PIN refused", |v| !v.get("message").is_empty());
    assert_eq!(v.screen(), "FirstRun");
    assert!(
        v.get("message").contains("Robin"),
        "the refusal names the receptionist: {:?}",
        v.get("message")
    );
    app.shot("setup-03-weak-pin-refused");

    // The field keeps what was typed; a tap puts the cursor at its end: erase it, type a good one.
    app.focus_field("Receptionist's PIN", true);
    for _ in 0..6 {
        app.display.key("BackSpace");
    }
    app.wait_text("Receptionist's PIN", "");
    app.display.type_text(RECEPTION_PIN);
    app.wait_text("Receptionist's PIN", RECEPTION_PIN);
    create(&app);
    app.wait("the recovery key", |v| v.screen() == "RecoveryKey");
    app.shot("setup-04-recovery-key");
    app.tap_button("I have written it down");

    // The PIN pad with the three staff entered at setup.
    let v = app.wait("the PIN pad", |v| v.screen() == "Locked");
    for name in ["Morgan", "Casey", "Robin"] {
        assert!(
            v.with_role("Button").any(|b| b.label.starts_with(name)),
            "{name} is not on the PIN pad: {:?}",
            v.with_role("Button").map(|b| &b.label).collect::<Vec<_>>()
        );
    }
    app.shot("setup-05-pin-pad");
    let robin = v
        .with_role("Button")
        .find(|b| b.label.starts_with("Robin"))
        .expect("Robin")
        .label
        .clone();
    sign_in(&app, &robin, RECEPTION_PIN);
    app.shot("setup-06-signed-in-as-receptionist");
}

/// One tap on "Create the kiosk", brought into view first (the on-screen keyboard may cover it).
fn create(app: &App) {
    let button = app.reveal("Button", "Create the kiosk");
    let (x, y) = button.centre();
    app.display.tap_at(x, y);
}
