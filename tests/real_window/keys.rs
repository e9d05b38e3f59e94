//! A data-key rotation on the kiosk's "Staff and keys" panel with three managers, by touch: the
//! clinic is set up with the demo staff and two more managers are added from the command line
//! (`kiosk add-manager --secrets FILE`); the kiosk is opened with a passphrase typed into the
//! window, a manager signs in on the PIN pad, and each manager's passphrase goes into its own
//! field by a tap and typing — every field, the lowest included, must take its tap. After
//! "Rotate the data key" the window says it is done, the fields are empty, and a new recovery key
//! shows; then, with the kiosk stopped, the command line opens the database with each manager's
//! passphrase, and the new recovery key opens it where the one from before no longer does.

use std::path::Path;
use std::time::Duration;

use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_clinic};
use intake_kiosk::kiosk::Message;
use intake_kiosk::store::{OpenStore, Store};
use intake_kiosk::vault::RecoveryKey;

use crate::machine::{Display, kiosk_cli as cli, tools_present};
use crate::patient::{opened_for_the_day, sign_in};
use crate::window::{View, tag};

/// The managers added from the command line: name, passphrase, PIN.
const MANAGERS: [(&str, &str, &str); 2] = [
    ("Omar", "omar keeps the north door key", "731946"),
    ("Priya", "priya keeps the garden gate key", "825037"),
];

/// The demo clinic's manager, who signs in and rotates.
const MAYA: (&str, &str) = ("Maya (manager)", "402718");

const KEYS_TITLE: &str = "New recovery key: write it down now, it is shown once";

/// The recovery key a `new-recovery-key` or `rotate-key` printed (the line after its heading).
fn printed_recovery_key(stdout: &str) -> String {
    let mut lines = stdout.lines();
    lines
        .by_ref()
        .find(|l| l.starts_with("NEW RECOVERY KEY"))
        .expect("a recovery key printed");
    lines.next().expect("the key's line").trim().to_owned()
}

/// The recovery key the panel shows under its heading.
fn shown_recovery_key(v: &View) -> String {
    let at = v
        .elements
        .iter()
        .position(|e| e.label == KEYS_TITLE)
        .expect("the new recovery key's heading");
    v.elements[at + 1..]
        .iter()
        .find(|e| e.role == "Text")
        .expect("the new recovery key under its heading")
        .label
        .clone()
}

/// Whether `key` opens the kiosk's database.
fn recovery_opens(db: &Path, key: &str) -> bool {
    let key = RecoveryKey::parse(key).expect("a well-formed recovery key");
    let store = Store::open(db).expect("open the database file");
    OpenStore::unlock_with_recovery(store, &key, chrono::Utc::now()).is_ok()
}

fn rotation_with_three_managers(width: u32, height: u32) {
    if !tools_present() {
        return;
    }
    let data = tempfile::tempdir().expect("data folder");
    let db = data.path().join("kiosk.sqlite3");
    drop(create_demo_clinic(&db).expect("the demo clinic"));
    for (name, passphrase, pin) in MANAGERS {
        let added = cli(
            data.path(),
            &["add-manager", "--name", name],
            &[DEMO_PASSPHRASE, passphrase, passphrase, pin],
        );
        assert!(added.contains("manager added"), "{added}");
    }
    // The recovery key from before the rotation (the demo clinic's own is not kept).
    let old_recovery =
        printed_recovery_key(&cli(data.path(), &["new-recovery-key"], &[DEMO_PASSPHRASE]));

    let display = Display::start(width, height);
    // Opened for the day with the manager's passphrase, typed into the window.
    let mut app = opened_for_the_day(&display, data.path());
    let shot = |name: &str| app.shot(&format!("{}-{name}", tag(&display, false)));
    sign_in(&app, MAYA.0, MAYA.1);

    app.tap_button("Staff and keys");
    app.tap_button("Keys");
    // One field per active manager, the signed-in one first.
    let fields = [
        ("Your passphrase", DEMO_PASSPHRASE),
        ("Passphrase of Omar", MANAGERS[0].1),
        ("Passphrase of Priya", MANAGERS[1].1),
    ];
    let v = app.wait("a passphrase field per manager", |v| {
        fields
            .iter()
            .all(|(label, _)| v.find("TextInput", label).is_some())
    });
    assert_eq!(
        v.with_role("TextInput")
            .filter(|f| f.label.contains("assphrase"))
            .count(),
        fields.len(),
        "three managers, three passphrase fields"
    );
    // Each by a single tap (`fill` waits for the tap to focus it) and typing.
    for (label, passphrase) in fields {
        app.fill(label, passphrase, false);
    }
    shot("10-staff-keys-three-passphrases");

    let rotate = app.reveal("Button", "Rotate the data key");
    let (x, y) = rotate.centre();
    display.tap_at(x, y);
    let done = Message::KeyRotated.text("en");
    let v = app.wait("the rotation done", |v| v.get("message") == done);
    assert!(
        v.has_text("The data key is rotated"),
        "the success message is on screen"
    );
    let new_recovery = shown_recovery_key(&v);
    shot("11-staff-keys-rotated");
    // What was typed left the fields (and the window) when the rotation was asked for.
    for (label, _) in fields {
        let field = app.reveal("TextInput", label);
        assert!(
            field.value.is_empty(),
            "{label:?} still holds what was typed"
        );
    }

    // Stopped as systemd stops it; then the command line and the recovery keys.
    let (status, _) = app.terminate(Duration::from_secs(30));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "the kiosk stops cleanly: {}",
        app.log()
    );
    for passphrase in [DEMO_PASSPHRASE, MANAGERS[0].1, MANAGERS[1].1] {
        let checked = cli(data.path(), &["verify"], &[passphrase]);
        assert!(checked.contains("all sound"), "{checked}");
    }
    assert!(
        recovery_opens(&db, &new_recovery),
        "the recovery key the window showed opens the rotated database"
    );
    assert!(
        !recovery_opens(&db, &old_recovery),
        "the recovery key from before the rotation still opens it"
    );
}

#[test]
fn a_manager_rotates_the_data_key_with_three_managers_passphrases_by_touch_in_landscape() {
    rotation_with_three_managers(1280, 800);
}

#[test]
fn a_manager_rotates_the_data_key_with_three_managers_passphrases_by_touch_in_portrait() {
    rotation_with_three_managers(800, 1280);
}
