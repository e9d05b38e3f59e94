//! The PIN pad's delay after wrong PINs, and touch-target sizes on every screen reached.

mod ui_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use intake_kiosk::kiosk::Message;
use intake_kiosk::ui::{KioskAdapter, KioskUi, PinAdapter, Screen};
use slint::ComponentHandle;
use ui_common::*;

fn demo_ui(dir: &tempfile::TempDir) -> KioskUi {
    let path = dir.path().join("kiosk.sqlite3");
    drop(intake_kiosk::demo::create_demo_clinic(&path).expect("demo clinic"));
    let ui = new_kiosk(&path);
    ui.with_kiosk(|k| k.unlock(intake_kiosk::demo::DEMO_PASSPHRASE));
    assert_eq!(screen(&ui), Screen::Locked);
    ui
}

/// The demo kiosk in `dir`, Maya (manager) signed in on the Staff and keys panel.
fn maya_on_staff_keys(dir: &tempfile::TempDir) -> KioskUi {
    let ui = demo_ui(dir);
    enter_pin(&ui, "Maya (manager)", "402718");
    assert_eq!(screen(&ui), Screen::StaffHome);
    click(&ui, "Staff and keys");
    ui
}

/// Every button, checkbox and text field on screen has an accessible label and is at least
/// 48×48 logical pixels.
fn assert_touch_targets(ui: &KioskUi, where_: &str) {
    for role in [
        AccessibleRole::Button,
        AccessibleRole::Checkbox,
        AccessibleRole::TextInput,
    ] {
        for e in ElementQuery::from_root(&ui.window)
            .match_descendants()
            .match_accessible_role(role)
            .find_all()
        {
            let size = e.size();
            let label = e.accessible_label().unwrap_or_default();
            assert!(
                !label.trim().is_empty(),
                "{where_}: a {role:?} without an accessible label"
            );
            assert!(
                size.width >= 48.0 && size.height >= 48.0,
                "{where_}: {role:?} {label:?} is {}x{}",
                size.width,
                size.height
            );
        }
    }
}

#[test]
fn wrong_pins_bring_a_delay_and_targets_are_large() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let ui = demo_ui(&dir);
    for (w, h) in [(1280.0, 800.0), (800.0, 1280.0)] {
        ui.window.window().set_size(slint::LogicalSize::new(w, h));
        assert_touch_targets(&ui, &format!("PIN pad {w}x{h}"));
    }
    ui.window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 2000.0));

    for _ in 0..3 {
        enter_pin(&ui, "Rita (reception)", "999990");
    }
    let status = ui.window.global::<PinAdapter>().get_status().to_string();
    assert!(
        status.contains("wait"),
        "after three wrong PINs a delay is shown: {status:?}"
    );
    // The right PIN is refused during the delay.
    enter_pin(&ui, "Rita (reception)", "560193");
    assert_eq!(screen(&ui), Screen::Locked);
    assert!(
        ui.window
            .global::<PinAdapter>()
            .get_status()
            .contains("wait")
    );

    // Let each delay pass (the kiosk's clock moves on an hour per try): the 10th wrong PIN locks
    // the account, and then even the right PIN is refused, a day later too.
    let offset = Arc::new(AtomicI64::new(0));
    let clock_offset = offset.clone();
    ui.with_kiosk(|k| {
        k.set_clock(Arc::new(move || {
            chrono::Utc::now() + chrono::Duration::seconds(clock_offset.load(Ordering::SeqCst))
        }))
    });
    for _ in 4..=10 {
        offset.fetch_add(3600, Ordering::SeqCst);
        enter_pin(&ui, "Rita (reception)", "999990");
    }
    offset.fetch_add(86_400, Ordering::SeqCst);
    enter_pin(&ui, "Rita (reception) · locked", "560193");
    assert_eq!(screen(&ui), Screen::Locked);
    let status = ui.window.global::<PinAdapter>().get_status().to_string();
    assert!(
        status.contains("locked"),
        "locked after ten wrong PINs: {status:?}"
    );

    // The manager lifts it from staff home with their passphrase; then Rita's PIN works again.
    enter_pin(&ui, "Maya (manager)", "402718");
    assert_eq!(screen(&ui), Screen::StaffHome);
    for panel in ["Clinic form", "Back office", "Forms today", "Staff"] {
        click(&ui, panel);
        for (w, h) in [(1280.0, 800.0), (800.0, 1280.0)] {
            ui.window.window().set_size(slint::LogicalSize::new(w, h));
            assert_touch_targets(&ui, &format!("manager's {panel} {w}x{h}"));
        }
        ui.window
            .window()
            .set_size(slint::LogicalSize::new(1280.0, 2000.0));
    }
    type_into(
        &ui,
        "Your passphrase, to unlock Rita (reception)",
        "wrong passphrase!!",
    );
    click(&ui, "Unlock Rita (reception)");
    assert!(
        exists(&ui, "Unlock Rita (reception)", AccessibleRole::Button),
        "a wrong passphrase unlocks nothing"
    );
    type_into(
        &ui,
        "Your passphrase, to unlock Rita (reception)",
        intake_kiosk::demo::DEMO_PASSPHRASE,
    );
    click(&ui, "Unlock Rita (reception)");
    assert!(!exists(
        &ui,
        "Unlock Rita (reception)",
        AccessibleRole::Button
    ));
    click(&ui, "Lock now");
    enter_pin(&ui, "Rita (reception)", "560193");
    assert_eq!(screen(&ui), Screen::StaffHome);
    click(&ui, "Lock now");

    // Another member of staff is not affected.
    enter_pin(&ui, "Chris (clinician)", "918273");
    assert_eq!(screen(&ui), Screen::StaffHome);
    for (w, h) in [(1280.0, 800.0), (800.0, 1280.0)] {
        ui.window.window().set_size(slint::LogicalSize::new(w, h));
        assert_touch_targets(&ui, &format!("staff home {w}x{h}"));
    }
    ui.window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 2000.0));
    click(&ui, "Hand over for a new patient");
    for step in 0..9 {
        for (w, h) in [(1280.0, 800.0), (800.0, 1280.0)] {
            ui.window.window().set_size(slint::LogicalSize::new(w, h));
            assert_touch_targets(&ui, &format!("handover step {step} {w}x{h}"));
        }
        ui.window
            .window()
            .set_size(slint::LogicalSize::new(1280.0, 2000.0));
        if step < 8 {
            click(&ui, "Next");
        }
    }
}

#[test]
fn a_manager_retires_staff_and_rotates_the_key_on_the_staff_and_keys_panel() {
    use intake_kiosk::ui::{KioskAdapter, StaffKeysAdapter};
    use slint::Model;
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let ui = maya_on_staff_keys(&dir);
    assert_touch_targets(&ui, "staff and keys");
    let keys = ui.window.global::<StaffKeysAdapter>();
    assert_eq!(keys.get_staff().row_count(), 3);

    // Retiring takes two touches: "Retire", then "Retire … now".
    click(&ui, "Retire");
    let first = keys.get_staff().row_data(0).expect("a row");
    assert!(first.active, "one touch retires nobody");
    click(&ui, &format!("Retire {} now", first.name));
    let retired = keys
        .get_staff()
        .iter()
        .find(|r| r.id == first.id)
        .expect("still listed");
    assert!(!retired.active, "retired, and still listed by name");
    assert_eq!(
        ui.window.global::<KioskAdapter>().get_message(),
        Message::StaffRetired.text("en")
    );

    // The data key is rotated with the manager's passphrase; the new recovery key is shown
    // once, until the manager says it is written down.
    click(&ui, "Keys");
    type_into(&ui, "Your passphrase", intake_kiosk::demo::DEMO_PASSPHRASE);
    click(&ui, "Rotate the data key");
    assert_eq!(
        ui.window.global::<KioskAdapter>().get_message(),
        Message::KeyRotated.text("en")
    );
    assert!(!keys.get_recovery_key().is_empty());
    click(&ui, "I have written it down");
    assert!(keys.get_recovery_key().is_empty());
    drop(ui);

    // The rotated database opens with the same passphrase and checks through.
    let store = intake_kiosk::store::Store::open(&dir.path().join("kiosk.sqlite3")).expect("open");
    let (open, _) = intake_kiosk::store::OpenStore::unlock(
        store,
        &intake_kiosk::vault::Passphrase::new(intake_kiosk::demo::DEMO_PASSPHRASE),
        chrono::Utc::now(),
    )
    .expect("unlock");
    open.verify_everything().expect("every row checks");
}

/// Two more managers, added on the kiosk's own panel: each with a passphrase and a PIN.
const NOOR: &str = "north window cobalt 19";
const OMAR: &str = "orchard tide saffron 44";

#[test]
fn a_rotation_on_the_kiosk_with_three_managers_asks_each_for_their_passphrase() {
    use intake_kiosk::ui::{KioskAdapter, StaffKeysAdapter};
    use slint::Model;
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let ui = maya_on_staff_keys(&dir);
    let keys = ui.window.global::<StaffKeysAdapter>();
    let message = || ui.window.global::<KioskAdapter>().get_message().to_string();
    for (name, passphrase, pin) in [("Noor", NOOR, "730519"), ("Omar", OMAR, "864203")] {
        click(&ui, "New manager");
        type_into(&ui, "Name", name);
        type_into(&ui, "Their PIN", pin);
        type_into(&ui, "Their passphrase (at least 12 characters)", passphrase);
        type_into(&ui, "Their passphrase again", passphrase);
        click(&ui, "Add this manager");
        assert_eq!(message(), Message::StaffAdded.text("en"));
    }

    // One field per active manager, hers first; the old fixed "other manager" field is gone.
    click(&ui, "Keys");
    let slots: Vec<(String, bool)> = keys
        .get_rotation_slots()
        .iter()
        .map(|s| (s.name.to_string(), s.me))
        .collect();
    assert_eq!(
        slots,
        [
            ("Maya (manager)".to_owned(), true),
            ("Noor".to_owned(), false),
            ("Omar".to_owned(), false)
        ]
    );
    for label in [
        "Your passphrase",
        "Passphrase of Noor",
        "Passphrase of Omar",
    ] {
        assert!(exists(&ui, label, AccessibleRole::TextInput), "{label}");
    }
    assert!(!exists(
        &ui,
        "The other manager's passphrase (if there is one)",
        AccessibleRole::TextInput
    ));

    // Omar's missing: refused, naming him; nothing rotated, and every field is emptied.
    type_into(&ui, "Your passphrase", intake_kiosk::demo::DEMO_PASSPHRASE);
    type_into(&ui, "Passphrase of Noor", NOOR);
    click(&ui, "Rotate the data key");
    assert_eq!(
        message(),
        Message::ManagerPassphraseNeeded("Omar".into()).text("en")
    );
    assert!(keys.get_rotation_slots().iter().all(|s| s.typed.is_empty()));
    assert!(keys.get_recovery_key().is_empty());

    // All three (typed in another order than listed): rotated.
    type_into(&ui, "Passphrase of Omar", OMAR);
    type_into(&ui, "Passphrase of Noor", NOOR);
    type_into(&ui, "Your passphrase", intake_kiosk::demo::DEMO_PASSPHRASE);
    click(&ui, "Rotate the data key");
    assert_eq!(message(), Message::KeyRotated.text("en"));
    assert!(!keys.get_recovery_key().is_empty());
    assert!(keys.get_rotation_slots().iter().all(|s| s.typed.is_empty()));

    // Each of them opens the rotated file with their own passphrase.
    let db = dir.path().join("kiosk.sqlite3");
    let opens = |passphrase: &str| {
        intake_kiosk::store::OpenStore::unlock_as_manager(
            intake_kiosk::store::Store::open(&db).expect("open"),
            &intake_kiosk::vault::Passphrase::new(passphrase),
            chrono::Utc::now(),
        )
        .is_ok()
    };
    for passphrase in [intake_kiosk::demo::DEMO_PASSPHRASE, NOOR, OMAR] {
        assert!(opens(passphrase), "{passphrase:?} opens the rotated file");
    }

    // A retired manager is asked for nothing: Omar retired, two fields, and two passphrases
    // rotate again.
    click(&ui, "I have written it down");
    let omar = keys
        .get_staff()
        .iter()
        .find(|r| r.name == "Omar")
        .expect("listed")
        .id;
    ui.with_kiosk(|k| k.retire_staff(&omar));
    assert_eq!(message(), Message::StaffRetired.text("en"));
    assert_eq!(keys.get_rotation_slots().row_count(), 2);
    assert!(!exists(
        &ui,
        "Passphrase of Omar",
        AccessibleRole::TextInput
    ));
    type_into(&ui, "Your passphrase", intake_kiosk::demo::DEMO_PASSPHRASE);
    type_into(&ui, "Passphrase of Noor", NOOR);
    click(&ui, "Rotate the data key");
    assert_eq!(message(), Message::KeyRotated.text("en"));
    drop(ui);
    assert!(!opens(OMAR), "a retired manager's passphrase opens nothing");
}

#[test]
fn what_was_typed_in_one_part_of_the_staff_panel_is_never_sent_from_another() {
    use intake_kiosk::ui::KioskAdapter;
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let ui = maya_on_staff_keys(&dir);
    let message = || ui.window.global::<KioskAdapter>().get_message().to_string();
    // A PIN typed under "My passphrase and PIN", then left there unsent.
    click(&ui, "My passphrase and PIN");
    type_into(&ui, "New PIN", "730519");
    // A new manager with every field but their PIN: the field is blank, and blank it is sent
    // (refused by the PIN rule), not as the PIN typed in the other part of the panel.
    click(&ui, "New manager");
    assert_eq!(field_value(&ui, "Their PIN"), "");
    type_into(&ui, "Name", "Noor");
    type_into(&ui, "Their passphrase (at least 12 characters)", NOOR);
    type_into(&ui, "Their passphrase again", NOOR);
    click(&ui, "Add this manager");
    assert_eq!(message(), Message::PinNotAllowed.text("en"));
    let added = ui.with_kiosk(|k| k.staff_keys().staff.iter().any(|s| s.name == "Noor"));
    assert!(!added, "no manager made with a PIN typed elsewhere");
    // The secrets of an attempt do not stay in the fields.
    for label in [
        "Their passphrase (at least 12 characters)",
        "Their passphrase again",
    ] {
        assert_eq!(field_value(&ui, label), "", "{label}");
    }
    // Back in the first part, the PIN typed there is gone too.
    click(&ui, "My passphrase and PIN");
    assert_eq!(field_value(&ui, "New PIN"), "");
}

#[test]
fn opened_with_the_recovery_key_a_manager_sets_a_forgotten_passphrase_anew() {
    use chrono::Utc;
    use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_clinic};
    use intake_kiosk::store::{OpenStore, Store};
    use intake_kiosk::ui::{KioskAdapter, StaffKeysAdapter};
    use intake_kiosk::vault::Passphrase;
    const NEW: &str = "lantern moss harbour 27";
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kiosk.sqlite3");
    drop(create_demo_clinic(&path).expect("demo clinic"));
    // The sheet printed at setup (a new key here: the demo keeps none).
    let opens = |passphrase: &str| {
        OpenStore::unlock_as_manager(
            Store::open(&path).unwrap(),
            &Passphrase::new(passphrase),
            Utc::now(),
        )
    };
    let (mut open, maya) = opens(DEMO_PASSPHRASE).unwrap_or_else(|_| panic!("the demo opens"));
    let (key, _) = open.new_recovery_key(&maya, Utc::now()).unwrap();
    let printed = key.to_printable().to_string();
    drop(open.close(Some(&maya), Utc::now()).unwrap());

    // Opened with a passphrase, the panel asks for the current one.
    let ui = new_kiosk(&path);
    ui.with_kiosk(|k| k.unlock(DEMO_PASSPHRASE));
    enter_pin(&ui, "Maya (manager)", "402718");
    click(&ui, "Staff and keys");
    click(&ui, "My passphrase and PIN");
    assert!(exists(&ui, "Current passphrase", AccessibleRole::TextInput));
    assert!(!ui.window.global::<StaffKeysAdapter>().get_set_anew());
    drop(ui);

    // The passphrase forgotten: a wrong one leaves its field (nothing typed is no attempt); the
    // recovery key opens, and the panel sets a new one without it.
    let ui = new_kiosk(&path);
    let said = || ui.window.global::<KioskAdapter>().get_message();
    click(&ui, "Open the kiosk");
    assert_eq!(said(), Message::PassphraseEmpty.text("en"));
    type_into(&ui, "Manager passphrase", "half-remembered words");
    click(&ui, "Open the kiosk");
    assert_eq!(said(), Message::WrongPassphrase.text("en"));
    assert_eq!(field_value(&ui, "Manager passphrase"), "");
    type_into(&ui, "Manager passphrase", "half-remembered words");
    click(&ui, "Forgot the passphrase? Use the recovery key");
    assert_eq!(
        field_value(&ui, "Recovery key"),
        "",
        "what was typed as a passphrase is not shown in plain text as a recovery key"
    );
    // Typed and left: shown as typed, so gone from the tablet after a minute untouched.
    type_into(&ui, "Recovery key", &printed);
    for _ in 0..59 {
        i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(1));
    }
    assert_eq!(
        field_value(&ui, "Recovery key"),
        printed,
        "not before a minute"
    );
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(1));
    assert_eq!(field_value(&ui, "Recovery key"), "", "wiped after a minute");
    type_into(&ui, "Recovery key", &printed);
    click(&ui, "Open the kiosk");
    assert_eq!(screen(&ui), Screen::Locked);
    enter_pin(&ui, "Maya (manager)", "402718");
    click(&ui, "Staff and keys");
    click(&ui, "My passphrase and PIN");
    assert!(!exists(
        &ui,
        "Current passphrase",
        AccessibleRole::TextInput
    ));
    assert_touch_targets(&ui, "my passphrase, set anew");
    type_into(&ui, "New passphrase (at least 12 characters)", NEW);
    type_into(&ui, "New passphrase again", "lantern moss harbour 72");
    click(&ui, "Change my passphrase");
    let message = || ui.window.global::<KioskAdapter>().get_message();
    assert_eq!(message(), Message::PassphraseMismatch.text("en"));
    // The fields are emptied once sent: both are typed again.
    assert_eq!(field_value(&ui, "New passphrase again"), "");
    type_into(&ui, "New passphrase (at least 12 characters)", NEW);
    type_into(&ui, "New passphrase again", NEW);
    click(&ui, "Change my passphrase");
    assert_eq!(message(), Message::PassphraseChanged.text("en"));
    drop(ui);

    assert!(opens(NEW).is_ok(), "the new passphrase opens");
    assert!(
        opens(DEMO_PASSPHRASE).is_err(),
        "the forgotten one no longer"
    );
}

#[test]
fn a_clock_set_back_starts_no_handover_and_only_a_manager_confirms_it_right() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let ui = demo_ui(&dir);
    // Two days behind what the demo recorded as it was made (a clock put back by hand).
    ui.with_kiosk(|k| k.set_clock(Arc::new(|| chrono::Utc::now() - chrono::Duration::days(2))));
    let message = || ui.window.global::<KioskAdapter>().get_message().to_string();
    let right = "The clock is right";
    enter_pin(&ui, "Rita (reception)", "560193");
    click(&ui, "Hand over for a new patient");
    assert_eq!(screen(&ui), Screen::StaffHome, "no handover started");
    assert!(
        message().starts_with("No handover: the clock reads"),
        "{}",
        message()
    );
    assert!(
        !exists(&ui, right, AccessibleRole::Button),
        "reception may not confirm"
    );
    click(&ui, "Lock now");
    enter_pin(&ui, "Maya (manager)", "402718");
    click(&ui, "Hand over for a new patient");
    assert_eq!(screen(&ui), Screen::StaffHome);
    click(&ui, right);
    assert!(
        message().starts_with("The clock is confirmed"),
        "{}",
        message()
    );
    assert!(!exists(&ui, right, AccessibleRole::Button));
    click(&ui, "Hand over for a new patient");
    assert_eq!(screen(&ui), Screen::Handover);
}
