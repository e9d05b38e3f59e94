//! Every screen fits both orientations: every actionable element of every kiosk and desk screen
//! lies wholly inside the window (or can be scrolled wholly into view) at 1280×800 and 800×1280,
//! with large text off and on. The rule itself is written down in `ui_layout_check/mod.rs`.
//!
//! Kiosk: first-run setup (also with a refusal shown), the recovery key, unlock (passphrase and
//! recovery key), the PIN pad (also with a name chosen, and with nine staff), staff home for a
//! manager (every panel, every part of "Staff and keys") and a clinician (a form opened from the
//! list), every step of a handover (privacy notice short and full, each section page, with the
//! conditional field open and with the on-screen keyboard up under the lowest field, consents,
//! review, signature), the language list, the staff PIN prompt and idle countdown over a page,
//! the receipt, "please hand back", and the PIN pad with thirty staff (the names scroll). Desk:
//! closed, sign-in (with the PIN field), home for a manager (with search results), a record (with
//! the erase and merge confirmations, an open form and an answer being corrected).

mod ui_common;
mod ui_layout_check;

use std::sync::Arc;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_desk};
use intake_kiosk::desk::Desk;
use intake_kiosk::store::Store;
use intake_kiosk::ui::{
    DeskAdapter, DeskScreen, DeskUi, HandoverAdapter, KioskUi, Screen, Theme, WorkMode,
};
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, Model};
use ui_common::*;
use ui_layout_check::Checker;

/// Known and not yet fixed, as (where, label). Each entry must still fail: remove it once fixed.
const KIOSK_KNOWN: &[(&str, &str)] = &[];

/// The desk's, as KIOSK_KNOWN.
const DESK_KNOWN: &[(&str, &str)] = &[];

/// The size the flow is driven at between checks (as `ui_common::new_kiosk` sets it).
const KIOSK_DRIVE: (f32, f32) = (1280.0, 2000.0);
const DESK_DRIVE: (f32, f32) = (1280.0, 3000.0);

fn check(c: &mut Checker, ui: &KioskUi, name: &str) {
    let large = |on: bool| ui.window.global::<Theme>().set_large_text(on);
    c.screen(&ui.window, ui.window.window(), &large, KIOSK_DRIVE, name);
}

fn check_overlay(c: &mut Checker, ui: &KioskUi, name: &str) {
    let large = |on: bool| ui.window.global::<Theme>().set_large_text(on);
    c.overlay(&ui.window, ui.window.window(), &large, KIOSK_DRIVE, name);
}

/// Taps the last text field of the page, as a finger would: the on-screen keyboard comes up.
fn tap_lowest_field(ui: &KioskUi) -> bool {
    let fields = ElementQuery::from_root(&ui.window)
        .match_descendants()
        .match_accessible_role(AccessibleRole::TextInput)
        .find_all();
    let Some(lowest) = fields
        .into_iter()
        .max_by(|a, b| a.absolute_position().y.total_cmp(&b.absolute_position().y))
    else {
        return false;
    };
    lowest.mock_single_click(PointerEventButton::Left);
    // As the event loop does before it draws the next frame: the view's change handler scrolls
    // the field above the keyboard.
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::ZERO);
    true
}

fn keyboard_up(ui: &KioskUi) -> bool {
    exists(ui, "key q", AccessibleRole::Button) || exists(ui, "key Q", AccessibleRole::Button)
}

/// First run and the recovery key, on a new, empty data file.
fn first_run(c: &mut Checker, dir: &std::path::Path) {
    let ui = new_kiosk(&dir.join("new.sqlite3"));
    assert_eq!(screen(&ui), Screen::FirstRun);
    check(c, &ui, "first-run setup");
    click(&ui, "Create the kiosk");
    assert_eq!(screen(&ui), Screen::FirstRun, "nothing typed: refused");
    check(c, &ui, "first-run setup with a refusal");
    type_into(&ui, "Clinic name", "Glow Skin Clinic");
    type_into(&ui, "Manager's name", "Maya Manager");
    type_into(&ui, "Manager's PIN (6+ digits)", "402718");
    type_into(&ui, "Passphrase", DEMO_PASSPHRASE);
    type_into(&ui, "Passphrase again", DEMO_PASSPHRASE);
    click(&ui, "Create the kiosk");
    assert_eq!(screen(&ui), Screen::RecoveryKey);
    check(c, &ui, "recovery key");
}

#[test]
fn every_kiosk_screen_fits_both_orientations_with_and_without_large_text() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Checker::default();
    first_run(&mut c, dir.path());

    // The demo clinic with three forms today (the desk's demo file).
    let path = dir.path().join("demo.sqlite3");
    drop(create_demo_desk(&path).expect("demo clinic"));
    let ui = new_kiosk(&path);
    assert_eq!(screen(&ui), Screen::Closed);
    check(&mut c, &ui, "unlock");
    click(&ui, "Forgot the passphrase? Use the recovery key");
    check(&mut c, &ui, "unlock with the recovery key");
    click(&ui, "Use a passphrase instead");
    type_into(&ui, "Manager passphrase", DEMO_PASSPHRASE);
    click(&ui, "Open the kiosk");
    assert_eq!(screen(&ui), Screen::Locked);
    check(&mut c, &ui, "PIN pad");
    click(&ui, "Maya (manager)");
    click(&ui, "1");
    check(&mut c, &ui, "PIN pad, a name chosen");
    click(&ui, "Erase");

    enter_pin(&ui, "Maya (manager)", "402718");
    assert_eq!(screen(&ui), Screen::StaffHome);
    check(&mut c, &ui, "manager's staff home: Forms today");
    for panel in ["Staff", "Clinic form", "Back office"] {
        click(&ui, panel);
        check(&mut c, &ui, &format!("manager's staff home: {panel}"));
    }
    click(&ui, "Staff and keys");
    check(&mut c, &ui, "Staff and keys: People");
    click(&ui, "New PIN");
    check(&mut c, &ui, "Staff and keys: People, a new PIN");
    for part in ["My passphrase and PIN", "New manager", "Keys"] {
        click(&ui, part);
        check(&mut c, &ui, &format!("Staff and keys: {part}"));
    }
    // Six more staff: nine names on the PIN pad must wrap, not run off the window.
    let six = ["Ada", "Bea", "Cleo", "Dani", "Eli", "Flo"]
        .iter()
        .enumerate();
    add_staff_and_lock(
        &ui,
        six.map(|(i, name)| (format!("{name} Longer-Surname"), format!("58301{i}"))),
        9,
    );
    check(&mut c, &ui, "PIN pad with nine staff");

    enter_pin(&ui, "Chris (clinician)", "918273");
    assert_eq!(screen(&ui), Screen::StaffHome);
    check(&mut c, &ui, "clinician's staff home");
    click(&ui, "Open the form of Ana Demo");
    check(&mut c, &ui, "a form opened from today's list");
    click(&ui, "Close the form");

    click(&ui, "Hand over for a new patient");
    handover(&mut c, &ui);
    assert_eq!(screen(&ui), Screen::HandBack);
    check(&mut c, &ui, "receipt");
    click(&ui, "Done");
    check(&mut c, &ui, "please hand back");

    // Thirty staff: more names than fit beside (or above) the digits with large text. The names
    // scroll within their own area; the digits stay in the window.
    enter_pin(&ui, "Maya (manager)", "402718");
    assert_eq!(screen(&ui), Screen::StaffHome);
    add_staff_and_lock(
        &ui,
        (0..21).map(|i| {
            (
                format!("Staff Member {i:02}"),
                format!("7{:02}4{:02}", 10 + i * 3, 90 - i * 2),
            )
        }),
        30,
    );
    check(&mut c, &ui, "PIN pad with thirty staff");
    // 8 fixed screens + 6 staff home panels + 5 staff and keys parts + the handover's
    // (9 steps, the full notice, 3 language/overlay states, keyboards), each × 4.
    c.finish(4 * 31, KIOSK_KNOWN);
}

/// From a manager's staff home: adds each (name, PIN) on the Staff panel, checks the PIN pad then
/// lists `total` names, and locks the kiosk (the PIN pad shows).
fn add_staff_and_lock(ui: &KioskUi, staff: impl Iterator<Item = (String, String)>, total: usize) {
    click(ui, "Staff");
    for (name, pin) in staff {
        type_into(ui, "Name", &name);
        type_into(ui, "PIN", &pin);
        click(ui, "Add");
        assert_eq!(field_value(ui, "PIN"), "", "the PIN is not kept once sent");
    }
    assert_eq!(
        ui.window
            .global::<intake_kiosk::ui::PinAdapter>()
            .get_staff()
            .row_count(),
        total
    );
    click(ui, "Forms today");
    click(ui, "Lock now");
}

/// Every step of the handover, filled as a patient would so that it can be submitted.
fn handover(c: &mut Checker, ui: &KioskUi) {
    let adapter = ui.window.global::<HandoverAdapter>();
    assert_eq!(screen(ui), Screen::Handover);
    check(c, ui, "privacy notice");
    click(ui, "Read the full privacy notice");
    check(c, ui, "privacy notice in full");

    click(ui, "Language: English");
    check_overlay(c, ui, "the language list");
    click(ui, "English");
    click(ui, "Staff only");
    assert!(adapter.get_pin_prompt());
    check_overlay(c, ui, "the staff PIN prompt over the form");
    click(ui, "Cancel, back to the form");
    adapter.set_countdown_visible(true);
    check_overlay(c, ui, "the idle countdown over the form");
    click(ui, "I'm still here");
    adapter.set_countdown_visible(false);
    click(ui, "Next");

    let count = adapter.get_step_count();
    while adapter.get_step() + 1 < count {
        let step = adapter.get_step();
        let kind = adapter.get_step_kind().to_string();
        let name = format!(
            "step {} ({kind}: {})",
            step + 1,
            if kind == "section" {
                adapter.get_step_title().to_string()
            } else {
                kind.clone()
            }
        );
        check(c, ui, &name);
        match step {
            1 => {
                type_into(ui, "First name *", "Ada");
                type_into(ui, "Last name *", "Lovelace");
                type_into(ui, "Date of birth (YYYY-MM-DD) *", "1985-12-10");
                type_into(ui, "Postcode *", "SW1A 1AA");
            }
            2 => {
                click(ui, "Do you have any medical conditions?: No");
                click(ui, "Are you pregnant or breastfeeding?: No");
            }
            3 => {
                click(
                    ui,
                    "Do you have any allergies (medicines, food, products, latex)?: Yes",
                );
                check(c, ui, &format!("{name}, the detail field open"));
                type_into(
                    ui,
                    "What are you allergic to, and what happens? *",
                    "none known",
                );
            }
            _ => {}
        }
        if kind == "consents" {
            click(ui, "Consent to assessment and treatment");
        }
        let tapped = kind == "section" && tap_lowest_field(ui);
        if tapped {
            assert!(
                keyboard_up(ui),
                "{name}: a tapped field brings the keyboard"
            );
            check(
                c,
                ui,
                &format!("{name}, the keyboard up for the lowest field"),
            );
        }
        click(ui, "Next");
        if tapped {
            // As the event loop does before it draws the next frame: the change handlers run
            // while the old page's fields still exist. The keyboard goes with its page.
            i_slint_backend_testing::mock_elapsed_time(std::time::Duration::ZERO);
            assert!(
                !keyboard_up(ui),
                "{name}: the keyboard stayed up on the next page"
            );
        }
        assert_eq!(
            adapter.get_step(),
            step + 1,
            "{name}: {}",
            adapter.get_problems()
        );
    }
    assert_eq!(adapter.get_step_kind(), "sign");
    check(c, ui, "signature");
    let pad = ElementHandle::find_by_accessible_label(&ui.window, "Signature pad")
        .next()
        .expect("signature pad");
    let p = pad.absolute_position();
    let s = pad.size();
    let window = ui.window.window();
    for (x, y, pressed) in [(0.2, 0.5, true), (0.5, 0.3, false), (0.8, 0.6, false)] {
        let position = slint::LogicalPosition::new(p.x + s.width * x, p.y + s.height * y);
        window.dispatch_event(slint::platform::WindowEvent::PointerMoved { position });
        if pressed {
            window.dispatch_event(slint::platform::WindowEvent::PointerPressed {
                position,
                button: PointerEventButton::Left,
            });
        }
    }
    window.dispatch_event(slint::platform::WindowEvent::PointerReleased {
        position: slint::LogicalPosition::new(p.x + s.width * 0.8, p.y + s.height * 0.6),
        button: PointerEventButton::Left,
    });
    click(ui, "Submit");
    assert_eq!(screen(ui), Screen::HandBack, "{}", adapter.get_problems());
}

fn desk_check(c: &mut Checker, ui: &DeskUi, name: &str) {
    let large = |on: bool| ui.window.global::<Theme>().set_large_text(on);
    c.screen(&ui.window, ui.window.window(), &large, DESK_DRIVE, name);
}

fn desk_click(ui: &DeskUi, label: &str) {
    ElementHandle::find_by_accessible_label(&ui.window, label)
        .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
        .unwrap_or_else(|| panic!("no button {label:?} on the desk"))
        .invoke_accessible_default_action();
}

fn desk_type(ui: &DeskUi, label: &str, text: &str) {
    ElementHandle::find_by_accessible_label(&ui.window, label)
        .find(|e| e.accessible_role() == Some(AccessibleRole::TextInput))
        .unwrap_or_else(|| panic!("no field {label:?} on the desk"))
        .set_accessible_value(text);
}

#[test]
fn every_desk_screen_fits_both_orientations_with_and_without_large_text() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("desk.sqlite3");
    drop(create_demo_desk(&path).expect("demo desk"));
    let now = chrono::Utc::now();
    let desk = Desk::new(Store::open(&path).unwrap(), dir.path().join("exports"), now);
    let ui = DeskUi::new(desk, Arc::new(chrono::Utc::now), WorkMode::Inline).expect("window");
    ui.window
        .window()
        .set_size(slint::LogicalSize::new(DESK_DRIVE.0, DESK_DRIVE.1));
    ui.window.show().unwrap();
    let adapter = ui.window.global::<DeskAdapter>();
    let mut c = Checker::default();

    assert_eq!(adapter.get_screen(), DeskScreen::Closed);
    desk_check(&mut c, &ui, "desk: closed");
    desk_type(&ui, "Manager passphrase", DEMO_PASSPHRASE);
    desk_click(&ui, "Open the back office");
    assert_eq!(adapter.get_screen(), DeskScreen::SignIn);
    desk_check(&mut c, &ui, "desk: sign-in");
    desk_click(&ui, "Maya (manager)");
    desk_check(&mut c, &ui, "desk: sign-in, a name chosen");
    desk_type(&ui, "Your PIN", "402718");
    desk_click(&ui, "Sign in");
    assert_eq!(adapter.get_screen(), DeskScreen::Home);
    desk_check(&mut c, &ui, "desk: manager's home");
    desk_type(&ui, "First name", "Ana");
    desk_type(&ui, "Last name", "Demo");
    desk_type(&ui, "Date of birth (YYYY-MM-DD)", "1988-04-12");
    desk_click(&ui, "Search");
    desk_check(&mut c, &ui, "desk: search results");
    desk_click(&ui, "Ana Demo — born 1988-04-12 — SW1A 1AA");
    assert_eq!(adapter.get_screen(), DeskScreen::Record);
    desk_check(&mut c, &ui, "desk: a record");
    desk_click(&ui, "Erase (right to erasure)");
    desk_check(&mut c, &ui, "desk: a record, erasure to confirm");
    desk_click(&ui, "Cancel");
    desk_click(&ui, "Merge into this record");
    desk_check(&mut c, &ui, "desk: a record, merge to confirm");
    desk_click(&ui, "Do not merge");
    let first_form: String = adapter.get_submissions().row_data(0).unwrap().text.into();
    desk_click(&ui, &first_form);
    assert!(adapter.get_form_open());
    desk_click(&ui, "Correct What are you allergic to, and what happens?");
    desk_check(
        &mut c,
        &ui,
        "desk: a record, a form open, an answer being corrected",
    );
    desk_click(&ui, "Lock");
    assert_eq!(adapter.get_screen(), DeskScreen::SignIn);
    c.finish(4 * 9, DESK_KNOWN);
}
