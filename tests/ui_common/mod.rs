//! Helpers for headless UI tests: find elements by accessible label and role, as a person would.
#![allow(dead_code)]

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use intake_kiosk::forms::FormDefinition;
use intake_kiosk::kiosk::{Kiosk, Timeouts};
use intake_kiosk::store::Store;
use intake_kiosk::ui::{KioskAdapter, KioskUi, Screen, WorkMode};
use slint::ComponentHandle;

pub fn new_kiosk(path: &std::path::Path) -> KioskUi {
    let store = Store::open(path).expect("open store");
    let kiosk = Kiosk::new(store, FormDefinition::built_in(), Timeouts::default()).expect("kiosk");
    let ui = KioskUi::new(kiosk, WorkMode::Inline).expect("window");
    // Elements outside the window are not found, as a person would not see them: a tall
    // portrait window lets the flow run without scrolling.
    ui.window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 2000.0));
    ui.window.show().expect("show");
    ui
}

pub fn screen(ui: &KioskUi) -> Screen {
    ui.window.global::<KioskAdapter>().get_screen()
}

pub fn find(ui: &KioskUi, label: &str, role: AccessibleRole) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(&ui.window, label)
        .find(|e| e.accessible_role() == Some(role))
}

pub fn exists(ui: &KioskUi, label: &str, role: AccessibleRole) -> bool {
    find(ui, label, role).is_some()
}

pub fn click(ui: &KioskUi, label: &str) {
    let e = find(ui, label, AccessibleRole::Button)
        .or_else(|| find(ui, label, AccessibleRole::Checkbox))
        .unwrap_or_else(|| {
            panic!(
                "no button or checkbox labelled {label:?} on {:?}",
                screen(ui)
            )
        });
    e.invoke_accessible_default_action();
}

pub fn type_into(ui: &KioskUi, label: &str, text: &str) {
    let e = find(ui, label, AccessibleRole::TextInput)
        .unwrap_or_else(|| panic!("no field labelled {label:?} on {:?}", screen(ui)));
    e.set_accessible_value(text);
}

pub fn field_value(ui: &KioskUi, label: &str) -> String {
    find(ui, label, AccessibleRole::TextInput)
        .unwrap_or_else(|| panic!("no field labelled {label:?}"))
        .accessible_value()
        .map(|v| v.to_string())
        .unwrap_or_default()
}

pub fn checked(ui: &KioskUi, label: &str) -> bool {
    find(ui, label, AccessibleRole::Checkbox)
        .unwrap_or_else(|| panic!("no checkbox labelled {label:?}"))
        .accessible_checked()
        .unwrap_or(false)
}

pub fn enter_pin(ui: &KioskUi, staff_name: &str, pin: &str) {
    click(ui, staff_name);
    for d in pin.chars() {
        click(ui, &d.to_string());
    }
    click(ui, "OK");
}

/// Every element of `role` on screen, once per label: (label, checked).
pub fn all_with_role(ui: &KioskUi, role: AccessibleRole) -> Vec<(String, bool)> {
    let found: std::collections::BTreeMap<String, bool> = ElementQuery::from_root(&ui.window)
        .match_descendants()
        .match_accessible_role(role)
        .find_all()
        .into_iter()
        .map(|e| {
            (
                e.accessible_label()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                e.accessible_checked().unwrap_or(false),
            )
        })
        .collect();
    found.into_iter().collect()
}

/// What `zbarimg` (an independent decoder) reads from the window as the software renderer draws
/// it at 1280×800; `None` when zbarimg is not installed (never under CI, which installs it).
pub fn qr_on_screen(ui: &KioskUi, dir: &std::path::Path) -> Option<String> {
    ui.window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 800.0));
    let shot = ui.window.window().take_snapshot().expect("snapshot");
    ui.window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 2000.0));
    let mut ppm = format!("P6\n{} {}\n255\n", shot.width(), shot.height()).into_bytes();
    for p in shot.as_slice() {
        ppm.extend_from_slice(&[p.r, p.g, p.b]);
    }
    let picture = dir.join("screen.ppm");
    std::fs::write(&picture, ppm).expect("write picture");
    let Ok(out) = std::process::Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&picture)
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs zbar-tools: zbarimg must be there"
        );
        eprintln!("zbarimg not installed; skipped");
        return None;
    };
    Some(
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned(),
    )
}
