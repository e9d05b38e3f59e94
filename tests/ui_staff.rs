//! The PIN pad's delay after wrong PINs, and touch-target sizes on every screen reached.

mod ui_common;

use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use intake_kiosk::ui::{KioskUi, PinAdapter, Screen};
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

/// Every button, checkbox and text field on screen is at least 48×48 logical pixels.
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
