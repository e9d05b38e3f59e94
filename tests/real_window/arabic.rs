//! A patient who reads Arabic: the language picked by touch on the privacy notice and again on the
//! consents page; both pages, drawn right to left, keep every control inside the window, in both
//! orientations, and both bars and the review read from the right. The README's Arabic pictures
//! come from here
//! (`REAL_WINDOW_SHOTS=… REAL_WINDOW_SHOT_SCALE=100%`, the landscape ones).

use crate::machine::{Display, tools_present};
use crate::patient::{every_control_within_the_width, fill_section, sign_in};
use crate::window::{App, Element, View};

const ARABIC: &str = "العربية";

/// The top bar's language picker: the one button whose name is "Language: <current language>",
/// in whatever language the page is in.
fn picker(v: &View) -> Option<Element> {
    v.with_role("Button")
        .find(|e| e.label.ends_with(": English") || e.label.ends_with(&format!(": {ARABIC}")))
        .cloned()
}

/// The languages in the picker's list, in their own names.
const LANGUAGES: [&str; 8] = [
    "English",
    "Français",
    "Español",
    "Deutsch",
    "Polski",
    "Română",
    "Português",
    ARABIC,
];

/// Opens the picker and taps `name` in its list; returns once the page is in `code`.
///
/// The probe gives a popup's elements relative to the popup (Slint's positions stop at a popup's
/// root), so the list's place in the window is worked out as `language_picker.slint` lays it out:
/// under the picker, 4 px below it, its right edge on the picker's (its left edge, while the page
/// reads from the right and the picker stands at the left), 8 px of padding around the buttons.
/// The whole list must lie inside the window.
fn pick_language(app: &App, name: &str, code: &str) {
    let open = app.wait("the language picker", |v| picker(v).is_some());
    let picker = picker(&open).expect("the picker");
    let from_the_right = open.get("language") == "ar";
    app.tap_button(&picker.label);
    let v = app.wait("the list of languages", |v| {
        LANGUAGES.iter().all(|l| v.find("Button", l).is_some())
    });
    let items: Vec<&Element> = LANGUAGES
        .iter()
        .filter_map(|l| v.find("Button", l))
        .collect();
    let width = items.iter().map(|e| e.x + e.w).max().expect("items") + 8;
    let height = items.iter().map(|e| e.y + e.h).max().expect("items") + 8;
    let left = if from_the_right {
        picker.x
    } else {
        picker.x + picker.w - width
    };
    let top = picker.y + picker.h + 4;
    let (w, h) = (app.display.width as i32, app.display.height as i32);
    assert!(
        left >= 0 && left + width <= w && top + height <= h,
        "the list of languages ({left},{top} {width}x{height}) is not inside the {w}x{h} window"
    );
    let item = v.find("Button", name).expect("the language in the list");
    app.display
        .tap_at(left + item.x + item.w / 2, top + item.y + item.h / 2);
    app.wait(&format!("the page in {name}"), |v| {
        v.get("language") == code
    });
}

/// Every control lies inside the window's width (the top bar and the cards, drawn right to left,
/// included), and the picker names the language shown.
fn controls_inside(app: &App, language: &str) {
    let v = app.view();
    every_control_within_the_width(app, &v);
    let picker = picker(&v).expect("the language picker on the page");
    assert!(picker.label.ends_with(language), "{:?}", picker.label);
}

fn in_arabic(width: u32, height: u32) {
    if !tools_present() {
        return;
    }
    let display = Display::start(width, height);
    let app = App::start(&display, &["--demo"]);
    sign_in(&app, "Chris (clinician)", "918273");
    app.tap_button("Hand over for a new patient");
    app.wait("the privacy notice", |v| {
        v.screen() == "Handover" && v.get("kind") == "notice"
    });
    pick_language(&app, ARABIC, "ar");
    controls_inside(&app, ARABIC);
    app.shot_once("ar-02-notice");
    // Back to English to fill the sections (the answers are typed in Latin script either way).
    pick_language(&app, "English", "en");
    app.next();
    loop {
        let kind = app.view().get("kind").to_owned();
        match kind.as_str() {
            "section" => {
                fill_section(&app);
                app.next();
            }
            "consents" => break,
            other => panic!("unexpected step {other:?} before the consents"),
        }
    }
    pick_language(&app, ARABIC, "ar");
    controls_inside(&app, ARABIC);
    let v = app.view();
    let boxes: Vec<&Element> = v.with_role("Checkbox").collect();
    assert!(!boxes.is_empty(), "no consent box in view");
    for b in &boxes {
        assert!(!b.label.trim().is_empty(), "a consent box with no name");
        assert!(
            !b.checked,
            "{:?} is ticked before the patient chose",
            b.label
        );
    }
    app.shot_once("ar-05-consents");
    mirrored(&app);
    // On to the review, in Arabic: each part's "Edit" at the left end of its title's line.
    app.tap_button(NEXT);
    let v = app.wait("the review", |v| v.get("kind") == "review");
    let edits: Vec<&Element> = v
        .with_role("Button")
        .filter(|e| e.label.starts_with(EDIT))
        .collect();
    assert!(!edits.is_empty(), "no Edit button in view");
    for edit in edits {
        let title = &edit.label[EDIT.len()..];
        let line = v.find("Text", title).expect("the part's title");
        assert!(
            edit.x + edit.w <= line.x + line.w / 2,
            "{:?} at {}..{} is not left of its title ({}..{})",
            edit.label,
            edit.x,
            edit.x + edit.w,
            line.x,
            line.x + line.w
        );
    }
    app.shot_once("ar-06-review");
}

/// The words on the kiosk's buttons in Arabic, as the catalogue has them.
const NEXT: &str = "التالي";
const BACK: &str = "رجوع";
const STAFF: &str = "للموظفين فقط";
/// An "Edit: <part>" button's name up to the part.
const EDIT: &str = "تعديل: ";

/// The top bar and the bottom bar read from the right: the progress on the right and the staff
/// button at the left end; Back on the right and Next on the left.
fn mirrored(app: &App) {
    let v = app.view();
    let x = |label: &str| {
        v.find("Button", label)
            .unwrap_or_else(|| panic!("{label}"))
            .x
    };
    let picker = picker(&v).expect("the language picker");
    assert!(
        x(STAFF) < picker.x,
        "the staff button is not left of the language picker"
    );
    assert!(x(NEXT) < x(BACK), "Next is not left of Back");
    assert!(
        picker.x + picker.w < app.display.width as i32 / 2,
        "the top bar's controls are not on the left"
    );
}

#[test]
fn a_patient_reads_the_notice_and_consents_in_arabic_in_landscape() {
    in_arabic(1280, 800);
}

#[test]
fn a_patient_reads_the_notice_and_consents_in_arabic_in_portrait() {
    in_arabic(800, 1280);
}
