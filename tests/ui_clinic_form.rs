//! A manager loads the clinic's own form on staff home: a bad file is refused with its line and
//! changes nothing; a good one is used for the next handover and still in use the next day.

mod ui_common;

use i_slint_backend_testing::AccessibleRole;
use intake_kiosk::forms::FormDefinition;
use intake_kiosk::ui::{ClinicFormAdapter, KioskAdapter, Screen};
use slint::ComponentHandle;
use ui_common::*;

fn open_day(path: &std::path::Path) -> intake_kiosk::ui::KioskUi {
    let ui = new_kiosk(path);
    ui.with_kiosk(|k| k.unlock(intake_kiosk::demo::DEMO_PASSPHRASE));
    assert_eq!(screen(&ui), Screen::Locked);
    enter_pin(&ui, "Maya (manager)", "402718");
    assert_eq!(screen(&ui), Screen::StaffHome);
    click(&ui, "Clinic form");
    ui
}

fn message(ui: &intake_kiosk::ui::KioskUi) -> String {
    ui.window.global::<KioskAdapter>().get_message().to_string()
}

#[test]
fn a_manager_loads_the_clinics_form_from_staff_home() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kiosk.sqlite3");
    drop(intake_kiosk::demo::create_demo_clinic(&path).expect("demo clinic"));

    let mut json: serde_json::Value =
        serde_json::from_str(&FormDefinition::built_in().canonical_json()).unwrap();
    json["version"] = "2027-03".into();
    json["sections"][0]["title"]["en"] = "About you (Laser clinic)".into();
    let good = dir.path().join("laser-clinic.json");
    std::fs::write(&good, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    json["sections"][0]["questions"][0]["kind"] = "colour".into();
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, serde_json::to_string_pretty(&json).unwrap()).unwrap();

    let ui = open_day(&path);
    let form = ui.window.global::<ClinicFormAdapter>();
    assert!(form.get_built_in());
    type_into(
        &ui,
        "Form file (full path, e.g. on a USB stick)",
        bad.to_str().unwrap(),
    );
    click(&ui, "Check and use this file");
    let refused = message(&ui);
    assert!(
        refused.contains("was not used") && refused.contains("line "),
        "{refused}"
    );
    assert!(form.get_built_in(), "a bad file changes nothing");

    type_into(
        &ui,
        "Form file (full path, e.g. on a USB stick)",
        good.to_str().unwrap(),
    );
    click(&ui, "Check and use this file");
    assert!(message(&ui).contains("in use"), "{}", message(&ui));
    assert_eq!(form.get_version(), "2027-03");
    assert!(!form.get_built_in());
    assert!(exists(&ui, "Use the built-in form", AccessibleRole::Button));

    // The next day (a fresh start of the app) the clinic's form is still the one in use.
    click(&ui, "Close for the day");
    drop(ui);
    let ui = open_day(&path);
    let form = ui.window.global::<ClinicFormAdapter>();
    assert_eq!(form.get_version(), "2027-03");
    click(&ui, "Hand over for a new patient");
    assert_eq!(screen(&ui), Screen::Handover);
    let titles = ui.with_kiosk(|k| {
        intake_kiosk::forms::tr(&k.definition().sections[0].title, "en").to_owned()
    });
    assert_eq!(titles, "About you (Laser clinic)");
}
