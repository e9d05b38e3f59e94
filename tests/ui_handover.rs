//! The whole day through the UI, headless, as a person would: set up, open, PIN, hand over, fill,
//! consent, sign, submit, hand back, PIN, see the form listed. Then the escape attempts and the
//! idle wipe. One #[test]: mock time may be initialised once per process.

mod ui_common;

use std::time::Duration;

use i_slint_backend_testing::{AccessibleLiveness, AccessibleRole, ElementHandle};
use intake_kiosk::forms::Decision;
use intake_kiosk::staff::Role;
use intake_kiosk::store::{OpenStore, Store};
use intake_kiosk::ui::{HomeAdapter, Screen};
use intake_kiosk::vault::{Passphrase, Pin};
use slint::ComponentHandle;
use slint::platform::{Key, WindowEvent};
use ui_common::*;

const PASSPHRASE: &str = "a long clinic passphrase";

fn set_up(ui: &intake_kiosk::ui::KioskUi) {
    assert_eq!(screen(ui), Screen::FirstRun);
    type_into(ui, "Clinic name", "Glow Skin Clinic");
    type_into(ui, "Manager's name", "Maya Manager");
    type_into(ui, "Manager's PIN (6+ digits)", "402718");
    type_into(ui, "Passphrase", PASSPHRASE);
    type_into(ui, "Passphrase again", "a different passphrase");
    click(ui, "Create the kiosk");
    assert_eq!(
        screen(ui),
        Screen::FirstRun,
        "mismatched passphrases are refused"
    );
    type_into(ui, "Passphrase again", PASSPHRASE);
    type_into(ui, "Clinician's name", "Chris Clinician");
    type_into(ui, "Clinician's PIN", "918273");
    type_into(ui, "Receptionist's name", "Rita Reception");
    type_into(ui, "Receptionist's PIN", "560193");
    click(ui, "Create the kiosk");
    assert_eq!(screen(ui), Screen::RecoveryKey);
    click(ui, "I have written it down");
    assert_eq!(screen(ui), Screen::Locked);
}

fn fill_form(ui: &intake_kiosk::ui::KioskUi, given: &str, allergy: &str) {
    fill_form_as(
        ui,
        (
            given,
            "Lovelace",
            "1985-12-10",
            "SW1A 1AA",
            "ada@example.org",
        ),
        allergy,
    );
}

/// Fills the form as (given, family, date of birth, postcode, email).
fn fill_form_as(
    ui: &intake_kiosk::ui::KioskUi,
    (given, family, dob, postcode, email): (&str, &str, &str, &str, &str), allergy: &str,
) {
    assert_eq!(screen(ui), Screen::Handover);
    click(ui, "Next"); // past the privacy notice
    type_into(ui, "First name *", given);
    type_into(ui, "Last name *", family);
    type_into(ui, "Date of birth (YYYY-MM-DD) *", dob);
    type_into(ui, "Postcode *", postcode);
    type_into(ui, "Email", email);
    click(ui, "Next");
    if given == "Ada" {
        arabic_reads_from_the_right(ui);
    }
    click(ui, "Do you have any medical conditions?: No");
    click(ui, "Are you pregnant or breastfeeding?: No");
    // The chosen answer is "checked" for a screen reader; the other is not.
    let state = |label: &str| {
        ElementHandle::find_by_accessible_label(&ui.window, label)
            .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .and_then(|e| e.accessible_checked())
    };
    assert_eq!(state("Are you pregnant or breastfeeding?: No"), Some(true));
    assert_eq!(
        state("Are you pregnant or breastfeeding?: Yes"),
        Some(false)
    );
    click(ui, "Skin conditions: Eczema");
    click(ui, "Next");
    click(
        ui,
        "Do you have any allergies (medicines, food, products, latex)?: Yes",
    );
    type_into(ui, "What are you allergic to, and what happens? *", allergy);
    click(ui, "Next");
}

/// On the medical page, a patient who reads Arabic: a row of answers starts on the right ("Yes"
/// right of "No"); back in English it starts on the left again.
fn arabic_reads_from_the_right(ui: &intake_kiosk::ui::KioskUi) {
    let definition = intake_kiosk::forms::FormDefinition::built_in();
    let question = definition
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .find(|q| q.id == "conditions_any")
        .expect("the question");
    let yes_left_of_no = |lang: &str| {
        let label = intake_kiosk::forms::tr(&question.label, lang);
        // The words on the buttons, as the catalogues have them.
        let (yes, no) = if lang == "ar" {
            ("نعم", "لا")
        } else {
            ("Yes", "No")
        };
        let answer = |word: &str| {
            find(ui, &format!("{label}: {word}"), AccessibleRole::Button)
                .unwrap_or_else(|| panic!("{lang}: {label}: {word}"))
                .absolute_position()
                .x
        };
        answer(yes) < answer(no)
    };
    // Each pair (a, b) in the language's words: a's x, then b's.
    let x_of = |label: &str| {
        find(ui, label, AccessibleRole::Button)
            .unwrap_or_else(|| panic!("{label}"))
            .absolute_position()
            .x
    };
    // Back before Next, and the language before the staff button, in the reading direction.
    let reads_left_to_right = |lang: &str| {
        let [back, next, language, staff] = if lang == "ar" {
            ["رجوع", "التالي", "اللغة: العربية", "للموظفين فقط"]
        } else {
            ["Back", "Next", "Language: English", "Staff only"]
        };
        let footer = x_of(back) < x_of(next);
        let header = x_of(language) < x_of(staff);
        assert_eq!(
            footer, header,
            "{lang}: the header and the footer read one way"
        );
        footer
    };
    assert!(yes_left_of_no("en"));
    assert!(reads_left_to_right("en"));
    let handover = ui.window.global::<intake_kiosk::ui::HandoverAdapter>();
    let theme = ui.window.global::<intake_kiosk::ui::Theme>();
    handover.invoke_set_language("ar".into());
    assert!(!yes_left_of_no("ar"), "read from the right: Yes first");
    assert!(
        !reads_left_to_right("ar"),
        "read from the right: Next on the left"
    );
    assert!(theme.get_right_to_left());
    handover.invoke_set_language("en".into());
    assert!(yes_left_of_no("en"));
    assert!(reads_left_to_right("en"));
    assert!(!theme.get_right_to_left());
}

/// On the review, a part's "Edit" ends its title's line: on the right, or on the left in Arabic.
fn review_reads_from_the_right(ui: &intake_kiosk::ui::KioskUi) {
    let definition = intake_kiosk::forms::FormDefinition::built_in();
    let edit_right_of_title = |lang: &str| {
        let title = intake_kiosk::forms::tr(&definition.sections[0].title, lang);
        let edit = if lang == "ar" { "تعديل" } else { "Edit" };
        let x = |label: &str, role| {
            find(ui, label, role)
                .unwrap_or_else(|| panic!("{lang}: {label}"))
                .absolute_position()
                .x
        };
        x(&format!("{edit}: {title}"), AccessibleRole::Button) > x(title, AccessibleRole::Text)
    };
    assert!(edit_right_of_title("en"));
    let handover = ui.window.global::<intake_kiosk::ui::HandoverAdapter>();
    handover.invoke_set_language("ar".into());
    assert!(
        !edit_right_of_title("ar"),
        "read from the right: Edit on the left"
    );
    handover.invoke_set_language("en".into());
    assert!(edit_right_of_title("en"));
}

fn to_consents(ui: &intake_kiosk::ui::KioskUi) {
    for _ in 0..3 {
        click(ui, "Next"); // medications, lifestyle, GP
    }
}

/// The submissions the database file holds by itself, without its WAL: a copy of the file alone,
/// opened where no WAL stands beside it.
fn submissions_in_database_file(db: &std::path::Path) -> i64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("alone.sqlite3");
    std::fs::copy(db, &copy).expect("copy the database file");
    let conn = rusqlite::Connection::open(&copy).expect("open the copy");
    conn.query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_day_at_the_kiosk() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kiosk.sqlite3");
    let ui = new_kiosk(&db);
    set_up(&ui);

    // Wrong PIN first, then the right one.
    enter_pin(&ui, "Chris Clinician", "111222");
    assert_eq!(screen(&ui), Screen::Locked);
    enter_pin(&ui, "Chris Clinician", "918273");
    assert_eq!(screen(&ui), Screen::StaffHome);

    click(&ui, "Hand over for a new patient");
    fill_form(&ui, "Ada", "Penicillin: rash");
    to_consents(&ui);

    // Every consent is its own box and starts unticked.
    let boxes = all_with_role(&ui, AccessibleRole::Checkbox);
    assert_eq!(boxes.len(), 8, "{boxes:?}");
    assert!(
        boxes.iter().all(|(_, ticked)| !ticked),
        "pre-ticked: {boxes:?}"
    );
    click(&ui, "Next"); // the review
    click(&ui, "Next");
    click(&ui, "Submit");
    assert_eq!(
        screen(&ui),
        Screen::Handover,
        "no treatment consent, no signature: refused"
    );
    let problems = ui
        .window
        .global::<intake_kiosk::ui::HandoverAdapter>()
        .get_problems();
    assert!(!problems.is_empty());
    // A screen reader reads the problem out as it appears.
    let said = ElementHandle::find_by_accessible_label(&ui.window, &problems)
        .find(|e| e.accessible_role() == Some(AccessibleRole::Text))
        .expect("the problem on screen");
    assert_eq!(
        said.accessible_live_region(),
        Some(AccessibleLiveness::Assertive)
    );
    // The kiosk took the patient back to the consents; tick treatment and SMS only.
    click(&ui, "Consent to assessment and treatment");
    click(&ui, "Offers and news by SMS text message");
    assert!(checked(&ui, "Consent to assessment and treatment"));
    assert!(!checked(&ui, "Offers and news by email"));
    review_edit_and_sign(&ui);
    ElementHandleExt::click_signature(&ui);
    click(&ui, "Submit");
    assert_eq!(screen(&ui), Screen::HandBack);

    // The patient's receipt: a reference and their choices, no name and no health data.
    let receipt = ui.window.global::<intake_kiosk::ui::ReceiptAdapter>();
    assert!(receipt.get_visible());
    assert_eq!(receipt.get_reference().len(), 14, "A1B2-C3D4-E5F6");
    let choices: Vec<(String, bool)> = slint::Model::iter(&receipt.get_choices())
        .map(|r| (r.title.to_string(), r.granted))
        .collect();
    assert_eq!(
        choices.iter().filter(|(_, granted)| *granted).count(),
        2,
        "{choices:?}"
    );
    assert!(exists(&ui, "Receipt code", AccessibleRole::Image));
    assert!(
        !exists(&ui, "Chris Clinician", AccessibleRole::Button),
        "no PIN pad under the receipt"
    );
    click(&ui, "Done");
    assert!(!receipt.get_visible());

    // Escape attempts on the hand-back screen change nothing.
    try_to_escape(&ui);
    assert_eq!(screen(&ui), Screen::HandBack);

    enter_pin(&ui, "Chris Clinician", "918273");
    assert_eq!(screen(&ui), Screen::StaffHome);
    assert!(
        exists(&ui, "Ada Lovelace", AccessibleRole::ListItem),
        "the submission is listed"
    );
    assert_eq!(
        submissions_in_database_file(&db),
        1,
        "taking the tablet back copied the WAL into the database file (the next submit does not)"
    );
    assert!(ui.window.global::<HomeAdapter>().get_may_see_medical());
    // A clinician can open the form and read the answers, with the questions the patient saw.
    click(&ui, "Open the form of Ada Lovelace");
    assert!(exists(&ui, "Penicillin: rash", AccessibleRole::Text));
    assert!(exists(
        &ui,
        "What are you allergic to, and what happens?",
        AccessibleRole::Text
    ));
    click(&ui, "Close the form");
    assert!(!exists(&ui, "Penicillin: rash", AccessibleRole::Text));

    // The same patient comes back: all three details must match (case, spacing, accents aside).
    type_into(&ui, "First name", "ada");
    type_into(&ui, "Last name", "LOVELACE");
    type_into(&ui, "Date of birth (YYYY-MM-DD)", "1985-12-10");
    type_into(&ui, "Postcode", "EC1A 1BB");
    click(&ui, "Find patient");
    assert!(
        !exists(&ui, "Hand over for this patient", AccessibleRole::Button),
        "wrong postcode: no match"
    );
    type_into(&ui, "Postcode", "sw1a1aa");
    click(&ui, "Find patient");
    click(&ui, "Hand over for this patient");
    assert_eq!(screen(&ui), Screen::Handover);
    // Ada fills her form again, with a new email.
    fill_form_as(
        &ui,
        (
            "Ada",
            "Lovelace",
            "1985-12-10",
            "SW1A 1AA",
            "ada@new.example",
        ),
        "Penicillin: rash",
    );
    to_consents(&ui);
    // Earlier choices show only after the patient confirms their own date of birth.
    assert!(!exists(
        &ui,
        "Last time you agreed to this.",
        AccessibleRole::Text
    ));
    type_into(&ui, "Your date of birth (YYYY-MM-DD)", "1985-10-12");
    click(&ui, "Show my earlier choices");
    assert!(
        !exists(&ui, "Last time you agreed to this.", AccessibleRole::Text),
        "wrong date: hidden"
    );
    type_into(&ui, "Your date of birth (YYYY-MM-DD)", "1985-12-10");
    click(&ui, "Show my earlier choices");
    assert!(
        exists(&ui, "Last time you agreed to this.", AccessibleRole::Text),
        "right date: shown"
    );
    assert!(
        all_with_role(&ui, AccessibleRole::Checkbox)
            .iter()
            .all(|(_, ticked)| !ticked),
        "still unticked"
    );
    click(&ui, "Consent to assessment and treatment");
    click(&ui, "Next"); // the review
    click(&ui, "Next");
    ElementHandleExt::click_signature(&ui);
    click(&ui, "Submit");
    assert_eq!(screen(&ui), Screen::HandBack);
    click(&ui, "Done");
    enter_pin(&ui, "Chris Clinician", "918273");
    assert_eq!(screen(&ui), Screen::StaffHome);
    assert_eq!(
        staff_message(&ui),
        "",
        "confirmed: nothing for staff to fix"
    );

    // Staff look Ada up, but Bob holds the tablet: three wrong dates of birth, then he submits.
    type_into(&ui, "First name", "Ada");
    type_into(&ui, "Last name", "Lovelace");
    type_into(&ui, "Date of birth (YYYY-MM-DD)", "1985-12-10");
    type_into(&ui, "Postcode", "SW1A 1AA");
    click(&ui, "Find patient");
    click(&ui, "Hand over for this patient");
    fill_form_as(
        &ui,
        (
            "Bob",
            "Mallory",
            "1990-01-01",
            "EC1A 1BB",
            "bob@example.net",
        ),
        "none",
    );
    to_consents(&ui);
    for wrong in ["1990-01-01", "1985-10-12", "1985-12-11"] {
        type_into(&ui, "Your date of birth (YYYY-MM-DD)", wrong);
        click(&ui, "Show my earlier choices");
    }
    assert!(
        !exists(&ui, "Show my earlier choices", AccessibleRole::Button),
        "three tries"
    );
    click(&ui, "Consent to assessment and treatment");
    click(&ui, "Offers and news by email");
    click(&ui, "Next"); // the review
    click(&ui, "Next");
    ElementHandleExt::click_signature(&ui);
    click(&ui, "Submit");
    assert_eq!(screen(&ui), Screen::HandBack);
    click(&ui, "Done");
    enter_pin(&ui, "Chris Clinician", "918273");
    assert_eq!(screen(&ui), Screen::StaffHome);
    assert!(
        staff_message(&ui).contains("saved as a new patient's record"),
        "staff are told: {}",
        staff_message(&ui)
    );
    assert!(exists(&ui, "Bob Mallory", AccessibleRole::ListItem));

    // A second handover: escape attempts, then the patient walks away and the form is wiped.
    click(&ui, "Hand over for a new patient");
    click(&ui, "Next");
    type_into(&ui, "First name *", "Grace");
    // A typed answer stops at its cap (200 for a short text): longer text is not taken, and the
    // count shows (and is read out) as the patient nears it.
    let name_field = || {
        ElementHandle::find_by_accessible_label(&ui.window, "First name *")
            .find(|e| e.accessible_role() == Some(AccessibleRole::TextInput))
            .expect("first name")
    };
    assert_eq!(
        name_field().accessible_description().unwrap_or_default(),
        "Required. "
    );
    type_into(&ui, "First name *", &"x".repeat(201));
    assert_eq!(field_value(&ui, "First name *"), "Grace");
    assert_eq!(
        ui.with_kiosk(|k| k.form.text_of("given_name")),
        "Grace",
        "the kiosk took no longer text"
    );
    type_into(&ui, "First name *", &"y".repeat(170));
    assert!(
        name_field()
            .accessible_description()
            .unwrap_or_default()
            .contains("170 of 200 characters"),
        "{:?}",
        name_field().accessible_description()
    );
    type_into(&ui, "First name *", "Grace");
    on_screen_keyboard(&ui, &name_field);
    try_to_escape(&ui);
    assert_eq!(screen(&ui), Screen::Handover);
    for _ in 0..89 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
    assert!(
        !ui.window
            .global::<intake_kiosk::ui::HandoverAdapter>()
            .get_countdown_visible()
    );
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    assert!(
        ui.window
            .global::<intake_kiosk::ui::HandoverAdapter>()
            .get_countdown_visible(),
        "warning at 90 s"
    );
    for _ in 0..31 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
    assert_eq!(screen(&ui), Screen::HandBack, "idle too long: hand back");
    assert!(!exists(&ui, "First name *", AccessibleRole::TextInput));
    // Its words to the patient come from the controller, in the patient's language (English
    // here; kiosk::pages' tests take Arabic and Polish).
    assert!(exists(
        &ui,
        "Thank you. Please hand the tablet back to a member of staff.",
        AccessibleRole::Text
    ));
    enter_pin(&ui, "Rita Reception", "560193");
    assert_eq!(screen(&ui), Screen::StaffHome);
    assert!(
        !ui.window.global::<HomeAdapter>().get_may_see_medical(),
        "reception: no medical view"
    );
    assert!(
        exists(&ui, "Ada Lovelace", AccessibleRole::ListItem),
        "reception sees who"
    );
    assert!(
        !exists(&ui, "Open the form of Ada Lovelace", AccessibleRole::Button),
        "but cannot open it"
    );
    click(&ui, "Hand over for a new patient");
    click(&ui, "Next");
    assert_eq!(
        field_value(&ui, "First name *"),
        "",
        "the next handover starts blank"
    );

    // Staff end a handover only through the PIN prompt.
    click(&ui, "Staff only");
    enter_pin(&ui, "Rita Reception", "560193");
    assert_eq!(screen(&ui), Screen::StaffHome);
    click(&ui, "Lock now");
    assert_eq!(screen(&ui), Screen::Locked);
    drop(ui);

    // What was stored: one submission, each consent its own event, sealed.
    let store = Store::open(&db).expect("reopen");
    let (mut store, _) =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), chrono::Utc::now()).expect("unlock");
    let clinician_id = store
        .list_staff(chrono::Utc::now())
        .expect("staff")
        .into_iter()
        .find(|m| m.role == Role::Clinician)
        .expect("clinician")
        .id;
    let clinician = store
        .sign_in(&clinician_id, &Pin::new("918273"), chrono::Utc::now())
        .expect("sign in");
    let list = store
        .submissions_since(
            &clinician,
            chrono::Utc::now() - chrono::Duration::days(1),
            chrono::Utc::now(),
        )
        .expect("list");
    // Newest first: Bob's form, Ada's second, Ada's first. The wiped form was never saved.
    assert_eq!(list.len(), 3, "the wiped form was never saved");
    let (bob, ada_again, ada_first) = (&list[0], &list[1], &list[2]);
    assert_eq!(
        ada_again.patient_id, ada_first.patient_id,
        "confirmed: one record"
    );
    assert_ne!(
        bob.patient_id, ada_first.patient_id,
        "not confirmed: a new record"
    );
    assert_eq!(bob.patient_name, "Bob Mallory");
    let now = chrono::Utc::now();
    let ada = store
        .patient_identity(&clinician, &ada_first.patient_id, now)
        .expect("Ada");
    assert_eq!(
        (ada.given_name.as_str(), ada.postcode.as_str()),
        ("Ada", "SW1A 1AA")
    );
    assert_eq!(ada.email, "ada@new.example", "her own change");
    let kept: Vec<String> = store
        .amendments(&clinician, &ada_first.patient_id, now)
        .expect("history")
        .into_iter()
        .filter_map(|a| match a.previous {
            intake_kiosk::store::Previous::Identity(old) => Some(old.email.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        kept,
        vec!["ada@example.org".to_owned()],
        "the old email is kept"
    );
    let history = store
        .consent_history(&clinician, &ada_first.patient_id, now)
        .expect("history");
    assert_eq!(history.len(), 16, "two forms of eight decisions");
    let granted: Vec<&str> = history
        .iter()
        .filter(|e| e.decision == Decision::Granted)
        .map(|e| e.item_id.as_str())
        .collect();
    assert_eq!(
        granted,
        vec!["treatment", "marketing_sms", "treatment"],
        "Bob's email-marketing yes is not Ada's"
    );
    let bobs = store
        .consent_history(&clinician, &bob.patient_id, now)
        .expect("Bob's history");
    assert!(
        bobs.iter()
            .any(|e| e.item_id == "marketing_email" && e.decision == Decision::Granted)
    );
    let record = store
        .read_medical(&clinician, &ada_first.id, chrono::Utc::now())
        .expect("medical");
    assert!(
        matches!(record.answers.get("allergies_detail"), Some(intake_kiosk::forms::AnswerValue::Text(t)) if t == "Penicillin: rash")
    );
    assert!(!record.signature.is_empty());
    assert_eq!(record.identity.given_name, "Ada");
}

/// The review page before signing: the answers as the clinic reads them and the choices in
/// words; "Edit" goes back to a part, "Back to my answers" returns, then on to sign.
fn review_edit_and_sign(ui: &intake_kiosk::ui::KioskUi) {
    click(ui, "Next");
    review_reads_from_the_right(ui);
    let read = |line: &str| exists(ui, line, AccessibleRole::Text);
    for line in [
        "First name: Ada",
        "Email: ada@example.org",
        "Date of birth (YYYY-MM-DD): 10 December 1985",
        "Do you have any medical conditions?: No",
        "Skin conditions: Eczema",
        "Do you have any allergies (medicines, food, products, latex)?: Yes",
        "What are you allergic to, and what happens?: Penicillin: rash",
        "Stress level, 1 (low) to 10 (high): Not answered",
        "Consent to assessment and treatment: Yes, I agree",
        "Offers and news by SMS text message: Yes, I agree",
        "Offers and news by email: No, I do not agree",
    ] {
        assert!(read(line), "the review shows {line:?}");
    }
    assert!(
        !exists(ui, "Signature pad", AccessibleRole::Image),
        "the review comes before the signature"
    );
    // An email address with a slip in it is marked on the review, in words, before any Submit.
    click(ui, "Edit: About you");
    type_into(ui, "Email", "ada@example");
    click(ui, "Back to my answers");
    assert!(read(
        "Email: ada@example. Please give an email address such as name@example.com."
    ));
    click(ui, "Edit: About you");
    type_into(ui, "Email", "ada@example.org");
    click(ui, "Back to my answers");
    assert!(read("Email: ada@example.org"));
    // Edit the allergies, come straight back, and see the change.
    click(ui, "Edit: Allergies");
    type_into(
        ui,
        "What are you allergic to, and what happens? *",
        "Penicillin: hives",
    );
    long_answer(ui, "What are you allergic to, and what happens? *");
    click(ui, "Back to my answers");
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(600));
    assert!(
        !exists(ui, "key 1", AccessibleRole::Button),
        "the keyboard went with the field"
    );
    assert!(read(
        "What are you allergic to, and what happens?: Penicillin: mild hives."
    ));
    // The lifestyle part: the stress level, a number field low on its page.
    click(ui, "Edit: Lifestyle");
    type_into(ui, "Stress level, 1 (low) to 10 (high)", "4");
    click(ui, "Back to my answers");
    assert!(read("Stress level, 1 (low) to 10 (high): 4"));
    click(ui, "Edit: Allergies");
    type_into(
        ui,
        "What are you allergic to, and what happens? *",
        "Penicillin: rash",
    );
    click(ui, "Back to my answers");
    // "Edit" on the choices goes to the consents page.
    click(ui, "Edit: Your choices");
    assert!(checked(ui, "Consent to assessment and treatment"));
    click(ui, "Back to my answers");
    click(ui, "Next");
    assert!(exists(ui, "Signature pad", AccessibleRole::Image));
}

/// A longer answer's field, which holds "Penicillin: hives": several lines high and growing
/// with what is written (all of it in view), and a typo reached with the keyboard's arrows.
fn long_answer(ui: &intake_kiosk::ui::KioskUi, label: &str) {
    let field = || find(ui, label, AccessibleRole::TextInput).expect("the field");
    let height = || field().size().height;
    let empty_height = height();
    assert!(empty_height >= 100.0, "two lines at least: {empty_height}");
    let long = "Penicillin, amoxicillin and other antibiotics of that family: a rash over the arms within an hour, once with swelling of the lips. ".repeat(6);
    type_into(ui, label, &long);
    assert!(
        height() > empty_height + 60.0,
        "the field grew with the answer: {} then {}",
        empty_height,
        height()
    );
    type_into(ui, label, "Penicillin: hives");
    assert_eq!(height(), empty_height, "and shrank back");
    field().mock_single_click(slint::platform::PointerEventButton::Left);
    for _ in 0.."hives".len() {
        click(ui, "cursor left");
    }
    for key in ["key m", "key i", "key l", "key d", "key space"] {
        click(ui, key);
    }
    for _ in 0.."hives".len() {
        click(ui, "cursor right");
    }
    click(ui, "key .");
    assert_eq!(field_value(ui, label), "Penicillin: mild hives.");
}

/// The on-screen keyboard by its keys, into the field `field` finds (it holds "Grace" and keeps
/// it): shift capitalises one letter, a second tap holds capitals until a third; the marks a
/// phone number, an address or a list needs are keys of their own.
fn on_screen_keyboard(ui: &intake_kiosk::ui::KioskUi, field: &dyn Fn() -> ElementHandle) {
    field().mock_single_click(slint::platform::PointerEventButton::Left);
    click(ui, "shift");
    assert!(
        exists(ui, "key L", AccessibleRole::Button),
        "capitals after shift"
    );
    click(ui, "key L");
    assert!(
        exists(ui, "key e", AccessibleRole::Button),
        "for one letter"
    );
    click(ui, "key e");
    for mark in ["+", "(", ")", ",", ";", ":", "?", "!", "&"] {
        click(ui, &format!("key {mark}"));
    }
    click(ui, "shift");
    click(ui, "shift");
    click(ui, "key A");
    click(ui, "key B");
    click(ui, "caps lock");
    click(ui, "key c");
    assert_eq!(field_value(ui, "First name *"), "GraceLe+(),;:?!&ABc");
    // Arabic letters on a layer of their own, the marks kept; the accents layer leaves it.
    type_into(ui, "First name *", "");
    click(ui, "Arabic letters");
    for key in ["key ل", "key ي", "key ل", "key ى", "key ,"] {
        click(ui, key);
    }
    click(ui, "accents");
    click(ui, "key ł");
    assert!(
        !exists(ui, "key ل", AccessibleRole::Button),
        "one layer at a time"
    );
    click(ui, "accents");
    assert!(
        exists(ui, "key q", AccessibleRole::Button),
        "back to the letters"
    );
    assert_eq!(field_value(ui, "First name *"), "ليلى,ł");
    type_into(ui, "First name *", "Grace");
}

/// The message staff home shows, in words.
fn staff_message(ui: &intake_kiosk::ui::KioskUi) -> String {
    ui.window
        .global::<intake_kiosk::ui::KioskAdapter>()
        .get_message()
        .to_string()
}

fn try_to_escape(ui: &intake_kiosk::ui::KioskUi) {
    let w = ui.window.window();
    for key in [Key::Escape, Key::Tab, Key::F4] {
        w.dispatch_event(WindowEvent::KeyPressed { text: key.into() });
        w.dispatch_event(WindowEvent::KeyReleased { text: key.into() });
    }
    // Alt+F4 and Ctrl+W as a keyboard sends them: modifier down, key, modifier up.
    for (modifier, key) in [
        (Key::Alt, slint::SharedString::from(Key::F4)),
        (Key::Control, "w".into()),
        (Key::Meta, "d".into()),
    ] {
        w.dispatch_event(WindowEvent::KeyPressed {
            text: modifier.into(),
        });
        w.dispatch_event(WindowEvent::KeyPressed { text: key.clone() });
        w.dispatch_event(WindowEvent::KeyReleased { text: key });
        w.dispatch_event(WindowEvent::KeyReleased {
            text: modifier.into(),
        });
    }
    w.dispatch_event(WindowEvent::CloseRequested);
}

/// Drawing on the signature pad: a tap at its centre.
struct ElementHandleExt;
impl ElementHandleExt {
    fn click_signature(ui: &intake_kiosk::ui::KioskUi) {
        let pad = i_slint_backend_testing::ElementHandle::find_by_accessible_label(
            &ui.window,
            "Signature pad",
        )
        .next()
        .expect("signature pad");
        pad.mock_single_click(slint::platform::PointerEventButton::Left);
    }
}
