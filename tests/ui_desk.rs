//! The desk window, headless: opened with a manager's passphrase, each person signs in with
//! their own PIN, the record shows what the role may see (and every open is in the access
//! history), consent withdrawal, erasure with its statement, and the idle lock.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_desk};
use intake_kiosk::desk::Desk;
use intake_kiosk::store::{OfferedKey, Store};
use intake_kiosk::ui::{DeskAdapter, DeskScreen, DeskUi, WorkMode};
use slint::{ComponentHandle, Model};

struct Harness {
    ui: DeskUi,
    offset: Arc<AtomicI64>,
    dir: Arc<tempfile::TempDir>,
}

impl Harness {
    /// The demo desk, with `add` run on its file before the window opens it (the one test
    /// with the idle timer: the event-loop backend is set up once per process).
    fn with(add: impl FnOnce(&std::path::Path)) -> Harness {
        i_slint_backend_testing::init_integration_test_with_mock_time();
        Harness::demo_desk(add)
    }

    /// The demo desk on the testing backend without an event loop (one per test thread).
    fn demo() -> Harness {
        Harness::demo_with(|_| {})
    }

    /// The demo desk, with `add` run on its file first, without an event loop (its timers
    /// still fire on `later`: mock time is per thread).
    fn demo_with(add: impl FnOnce(&std::path::Path)) -> Harness {
        i_slint_backend_testing::init_no_event_loop();
        Harness::demo_desk(add)
    }

    fn demo_desk(add: impl FnOnce(&std::path::Path)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        drop(create_demo_desk(&path).expect("demo desk"));
        add(&path);
        Harness::over(Arc::new(dir))
    }

    /// Another desk window over the same file (a second screen, or the desk started again).
    fn another_window(&self) -> Harness {
        Harness::over(self.dir.clone())
    }

    /// The demo desk with its own text in `language` (the testing backend set up by the caller).
    fn demo_in(language: &str, add: impl FnOnce(&std::path::Path)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        drop(create_demo_desk(&path).expect("demo desk"));
        add(&path);
        Harness::over_in(Arc::new(dir), language)
    }

    fn over(dir: Arc<tempfile::TempDir>) -> Harness {
        Harness::over_in(dir, "en")
    }

    fn over_in(dir: Arc<tempfile::TempDir>, language: &str) -> Harness {
        let path = dir.path().join("desk.sqlite3");
        let base = Utc::now();
        let offset = Arc::new(AtomicI64::new(0));
        let clock_offset = offset.clone();
        let clock = Arc::new(move || base + Duration::seconds(clock_offset.load(Ordering::SeqCst)));
        let desk = Desk::new(
            Store::open(&path).unwrap(),
            dir.path().join("exports"),
            base,
        )
        .with_language(language);
        let ui = DeskUi::new(desk, clock, WorkMode::Inline).expect("window");
        ui.window
            .window()
            .set_size(slint::LogicalSize::new(1280.0, 3000.0));
        ui.window.show().unwrap();
        Harness { ui, offset, dir }
    }

    fn screen(&self) -> DeskScreen {
        self.ui.window.global::<DeskAdapter>().get_screen()
    }

    fn find(&self, label: &str, role: AccessibleRole) -> Option<ElementHandle> {
        ElementHandle::find_by_accessible_label(&self.ui.window, label)
            .find(|e| e.accessible_role() == Some(role))
    }

    fn click(&self, label: &str) {
        self.find(label, AccessibleRole::Button)
            .unwrap_or_else(|| panic!("no button {label:?} on {:?}", self.screen()))
            .invoke_accessible_default_action();
    }

    fn has_button(&self, label: &str) -> bool {
        self.find(label, AccessibleRole::Button).is_some()
    }

    fn type_into(&self, label: &str, text: &str) {
        self.find(label, AccessibleRole::TextInput)
            .unwrap_or_else(|| panic!("no field {label:?} on {:?}", self.screen()))
            .set_accessible_value(text);
    }

    /// What the field labelled `label` holds.
    fn field_value(&self, label: &str) -> String {
        self.find(label, AccessibleRole::TextInput)
            .unwrap_or_else(|| panic!("no field {label:?} on {:?}", self.screen()))
            .accessible_value()
            .unwrap_or_default()
            .into()
    }

    /// Whether some text on screen contains `needle`.
    fn shows(&self, needle: &str) -> bool {
        ElementQuery::from_root(&self.ui.window)
            .match_descendants()
            .match_accessible_role(AccessibleRole::Text)
            .find_all()
            .iter()
            .any(|e| {
                e.accessible_label()
                    .is_some_and(|l| l.as_str().contains(needle))
            })
    }

    fn message(&self) -> String {
        self.ui.window.global::<DeskAdapter>().get_message().into()
    }

    fn sign_in(&self, name: &str, pin: &str) {
        self.click(name);
        self.type_into("Your PIN", pin);
        self.click("Sign in");
    }

    fn open_ana(&self) {
        self.type_into("First name", "Ana");
        self.type_into("Last name", "Demo");
        self.type_into("Date of birth (YYYY-MM-DD)", "1988-04-12");
        self.click("Search");
        self.click("Ana Demo — born 1988-04-12 — SW1A 1AA");
        assert_eq!(self.screen(), DeskScreen::Record, "{}", self.message());
    }

    /// Under "My passphrase": types the new passphrase and its repetition and asks for the
    /// change; returns what the desk said.
    fn new_passphrase(&self, new: &str, again: &str) -> String {
        self.type_into("New passphrase (at least 12 characters)", new);
        self.type_into("New passphrase again", again);
        self.click("Change my passphrase");
        self.message()
    }

    /// From Staff and keys: locks, closes this window and starts the desk again over the same
    /// folder, where `old` is refused and `new` opens it (at the sign-in screen).
    fn reopened_with_only(self, old: &str, new: &str) -> Harness {
        self.click("Back to home");
        self.click("Lock");
        let again = self.another_window();
        drop(self);
        assert_eq!(again.screen(), DeskScreen::Closed);
        again.unlock(old);
        assert_eq!(again.screen(), DeskScreen::Closed);
        assert_eq!(again.message(), "That passphrase is not right.");
        again.unlock(new);
        assert_eq!(again.screen(), DeskScreen::SignIn, "{}", again.message());
        again
    }

    /// Opens the desk with a passphrase.
    fn unlock(&self, passphrase: &str) {
        self.type_into("Manager passphrase", passphrase);
        self.click("Open the back office");
    }

    fn later(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
        i_slint_backend_testing::mock_elapsed_time(StdDuration::from_millis(1100));
    }
}

/// A duplicate of Ana: at one visit her name was typed "Anna" (or her date of birth was not
/// confirmed at the kiosk), so the form started a record of its own.
/// A second rights request and breach beside the demo's, and two kiosks waiting for their codes:
/// rows of buttons, one per item, to read in order.
fn two_of_each(path: &std::path::Path) {
    add_open_items(
        path,
        &["Ana Demo, in person".into()],
        &["A tablet left unlocked in the waiting room".into()],
        &[
            ("kiosk-waiting-1".into(), "482 915"),
            ("kiosk-waiting-2".into(), "117 304"),
        ],
    );
}

/// Open rights requests (portability, by each requester), breaches (a risk to people) and kiosks
/// waiting for their codes, added to the demo desk's own.
fn add_open_items(
    path: &std::path::Path, requesters: &[String], breaches: &[String], kiosks: &[(String, &str)],
) {
    use intake_kiosk::rights::{RequestKind, Risk};
    use intake_kiosk::store::{NewBreach, NewRightsRequest, OpenStore};
    let (open, manager) = OpenStore::unlock_as_manager(
        Store::open(path).unwrap(),
        &intake_kiosk::vault::Passphrase::new(DEMO_PASSPHRASE),
        Utc::now(),
    )
    .unwrap();
    for requester in requesters {
        let request = NewRightsRequest {
            patient_id: None,
            kind: RequestKind::Portability,
            received_on: Utc::now().date_naive(),
            requester: requester.clone(),
            identity_check: "photo ID seen".into(),
            notes: String::new(),
        };
        open.log_rights_request(&manager, &request, Utc::now())
            .unwrap();
    }
    for what in breaches {
        let breach = NewBreach {
            discovered_at: Utc::now(),
            what_happened: what.clone(),
            records: Vec::new(),
            risk: Risk::Risk,
        };
        open.record_breach(&manager, &breach, Utc::now()).unwrap();
    }
    for (kiosk_id, code) in kiosks {
        let key = OfferedKey {
            kiosk_id,
            sign_public: &[7u8; 32],
            comparison_code: code,
        };
        open.link_kiosk(&manager, key, Utc::now()).unwrap();
    }
}

fn add_anna_duplicate(path: &std::path::Path) {
    use intake_kiosk::forms::{FormDefinition, PatientIdentity, Signature};
    use intake_kiosk::store::{NewSubmission, OpenStore, PatientRef};
    let store = Store::open(path).unwrap();
    let (mut open, manager) = OpenStore::unlock_as_manager(
        store,
        &intake_kiosk::vault::Passphrase::new(DEMO_PASSPHRASE),
        Utc::now(),
    )
    .unwrap();
    let mut anna = PatientIdentity::default();
    anna.given_name = "Anna".into();
    anna.family_name = "Demo".into();
    anna.date_of_birth = "1988-04-12".into();
    anna.postcode = "SW1A 1AA".into();
    anna.email = "anna@example.invalid".into();
    let form = FormDefinition::built_in();
    open.save_submission(
        &manager,
        NewSubmission {
            patient: PatientRef::New(anna),
            answers: Default::default(),
            signature: Signature {
                svg_path: "M 1 1 L 2 2".into(),
            },
            consents: Vec::new(),
            form: intake_kiosk::forms::DefinitionText::of(&form),
            notice_hash: "sha256:notice".into(),
            language: "en".into(),
        },
        Utc::now(),
    )
    .unwrap();
}

#[test]
fn the_desk_by_need_to_know_with_access_history_and_idle_lock() {
    let h = Harness::with(|path| {
        add_anna_duplicate(path);
        a_kiosk_waiting(path);
    });
    assert_eq!(h.screen(), DeskScreen::Closed);
    assert_labels_and_sizes(&h, "unlock");
    h.type_into("Manager passphrase", "not the passphrase at all");
    h.click("Open the back office");
    assert_eq!(h.screen(), DeskScreen::Closed);
    assert!(!h.message().is_empty());
    h.type_into("Manager passphrase", DEMO_PASSPHRASE);
    h.click("Open the back office");
    assert_eq!(h.screen(), DeskScreen::SignIn, "{}", h.message());
    assert!(h.message().contains("Retention check"), "{}", h.message());

    // Reception: a wrong PIN is refused and counted, then the right one.
    h.click("Rita (reception)");
    assert_labels_and_sizes(&h, "sign-in");
    h.sign_in("Rita (reception)", "111111");
    assert_eq!(h.screen(), DeskScreen::SignIn);
    assert!(h.message().contains("Wrong PIN"), "{}", h.message());
    h.type_into("Your PIN", "560193");
    h.click("Sign in");
    assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());
    // Reception sees requests, not the breach record or unusual access.
    assert!(h.shows("access request from Ana Demo"));
    assert!(!h.shows("Breach record"));
    h.open_ana();
    assert!(h.shows("Email ana@example.invalid"));
    assert!(h.shows("Offers and news by SMS text message: granted"));
    assert!(!h.shows("Forms submitted"), "reception sees no forms");
    assert!(!h.ui.window.global::<DeskAdapter>().get_form_open());
    assert!(!h.shows("Who opened this record"));
    assert!(!h.has_button("Export the patient's data"));
    assert!(!h.has_button("Erase (right to erasure)"));
    // Reception may record a withdrawal the patient asks for at the desk.
    // A second tap, not a stray one: asked first, and Cancel keeps it.
    h.click("Withdraw Offers and news by SMS text message");
    assert!(h.shows("Offers and news by SMS text message: granted"));
    assert!(h.shows(
        "Withdraw Offers and news by SMS text message? Only when the patient asks: it is recorded with your name and the time."
    ));
    h.click("Keep Offers and news by SMS text message");
    assert!(!h.has_button("Withdraw Offers and news by SMS text message now"));
    h.click("Withdraw Offers and news by SMS text message");
    h.click("Withdraw Offers and news by SMS text message now");
    assert!(h.shows("Offers and news by SMS text message: withdrawn"));
    // … correct the contact details (a reason is needed; the old ones go to the history) …
    h.type_into("Email", "ana.new@example.invalid");
    h.click("Save the correction");
    assert_eq!(h.message(), "Say why the record is amended.");
    assert!(h.shows("Email ana@example.invalid"));
    h.type_into(
        "Why (kept with the old details)",
        "new email address, told at reception",
    );
    h.click("Save the correction");
    assert!(h.shows("Email ana.new@example.invalid"), "{}", h.message());
    // … and log a rights request, due in one calendar month.
    h.type_into("Who asked, and how", "Ana Demo, in person");
    h.type_into("How their identity was checked", "photo ID seen");
    h.click("Portability");
    assert!(
        h.message().contains("Request logged (portability)"),
        "{}",
        h.message()
    );
    // A second tap (a double click) logs no second request with a second deadline.
    h.click("Portability");
    assert!(
        h.message()
            .starts_with("This request is logged already and open (due "),
        "{}",
        h.message()
    );
    h.click("Lock");
    assert_eq!(h.screen(), DeskScreen::SignIn);
    let g = h.ui.window.global::<DeskAdapter>();
    assert_eq!(
        g.get_record_title(),
        "",
        "nothing of the record stays on a locked desk"
    );
    assert_eq!(g.get_results().row_count(), 0);

    // Clinician: the forms too, but no access history or rights actions.
    h.sign_in("Chris (clinician)", "918273");
    h.open_ana();
    assert!(h.shows("Forms submitted"));
    assert!(h.shows("form aesthetic-intake"));
    assert!(!h.shows("Who opened this record"));
    assert!(!h.has_button("Erase (right to erasure)"));
    // The clinician opens the form in full: answers in the form's own words, the signature.
    let first_form: String = g.get_submissions().row_data(0).unwrap().text.into();
    h.click(&first_form);
    assert!(g.get_form_open());
    assert!(h.shows("What are you allergic to, and what happens?"));
    assert!(h.shows("penicillin"));
    assert!(!g.get_form_signature().is_empty());
    assert!(h.shows("Not corrected."));
    // … and corrects one answer, with a reason; the earlier version stays in the history.
    h.click("Correct What are you allergic to, and what happens?");
    h.type_into(
        "New answer to: What are you allergic to, and what happens?",
        "penicillin (rash), latex",
    );
    h.click("Save the answer");
    assert_eq!(h.message(), "Say why the record is amended.");
    assert!(
        h.shows("Why the answer is corrected"),
        "a refused correction stays open"
    );
    h.type_into(
        "Why the answer is corrected",
        "patient remembered latex at the consultation",
    );
    h.click("Save the answer");
    assert!(h.message().contains("Answer corrected"), "{}", h.message());
    assert!(
        !h.shows("Why the answer is corrected"),
        "the correction fields close"
    );
    assert!(h.shows("penicillin (rash), latex"));
    assert!(h.shows("corrected by Chris (clinician): patient remembered latex"));
    assert!(h.shows("amended (version 2)"));
    // A second correction, then a third started: the third's fields are blank, and blank it is
    // refused — nothing typed for the second goes, unseen, into the third.
    h.click("Correct Are you pregnant or breastfeeding?");
    h.type_into("New answer to: Are you pregnant or breastfeeding?", "yes");
    h.type_into(
        "Why the answer is corrected",
        "asked again at the consultation",
    );
    h.click("Save the answer");
    assert!(h.message().contains("Answer corrected"), "{}", h.message());
    let allergies = "What are you allergic to, and what happens?";
    h.click(&format!("Correct {allergies}"));
    for label in [
        format!("New answer to: {allergies}"),
        "Why the answer is corrected".to_owned(),
    ] {
        assert_eq!(h.field_value(&label), "", "{label}");
    }
    h.click("Save the answer");
    assert!(!h.message().contains("Answer corrected"), "{}", h.message());
    let answer_now = (0..g.get_form_rows().row_count())
        .filter_map(|i| g.get_form_rows().row_data(i))
        .find(|row| row.label == allergies)
        .map(|row| row.answer.to_string());
    assert_eq!(answer_now.as_deref(), Some("penicillin (rash), latex"));
    h.click("Close the form");
    assert!(!g.get_form_open());
    assert_eq!(
        g.get_form_rows().row_count(),
        0,
        "answers leave the window with the form"
    );
    h.click("Lock");

    // Manager: who opened the record — Rita and Chris are there, by name.
    h.sign_in("Maya (manager)", "402718");
    assert_labels_and_sizes(&h, "home");
    assert!(h.shows("Breach record"));
    assert!(
        h.shows("report to the ICO"),
        "the 72-hour clock is on the home screen"
    );
    assert!(h.shows("OVERDUE"), "the overdue request stands out");
    assert!(h.shows("portability request from Ana Demo, in person"));
    assert!(h.shows("Audit trail intact"));
    // The kiosk paired from the command line waits until a manager types the code it shows: a
    // wrong code leaves it waiting, the right one confirms it.
    assert!(h.shows("Kiosks waiting for confirmation"));
    let shown = std::fs::read_to_string(h.dir.path().join("kiosk-code.txt")).unwrap();
    let wrong = if shown == "111 111" {
        "222 222"
    } else {
        "111 111"
    };
    h.type_into("Code shown on the kiosk", wrong);
    h.click("Confirm kiosk 1");
    assert!(h.message().contains("stays unconfirmed"), "{}", h.message());
    assert!(h.shows("Kiosks waiting for confirmation"), "still waiting");
    h.type_into("Code shown on the kiosk", &shown.replace(' ', ""));
    h.click("Confirm kiosk 1");
    assert!(
        h.message().contains(&format!("codes match ({shown})")),
        "{}",
        h.message()
    );
    assert!(!h.shows("Kiosks waiting for confirmation"), "confirmed");
    // A breach recorded at the desk starts its 72-hour clock; reported, the clock stops.
    h.type_into("What happened", "Laptop with the exchange folder stolen");
    h.click("Record: a risk to people");
    assert!(h.message().contains("within 72 hours"), "{}", h.message());
    assert!(h.shows("Laptop with the exchange folder stolen — report to the ICO: 72 h left of 72"));
    h.click("Breach 1 reported");
    assert!(
        h.message().contains("reference"),
        "a reference is needed: {}",
        h.message()
    );
    h.type_into("Regulator's reference", "ICO-2026-0042");
    h.click("Breach 1 reported");
    assert!(
        h.shows("Laptop with the exchange folder stolen — reported"),
        "{}",
        h.message()
    );
    assert!(h.shows("Demo: a printed form left at reception overnight — report to the ICO"));
    // Requests are listed by due date: the overdue access request first.
    h.click("Mark request 1 as done");
    assert!(!h.shows("OVERDUE"), "{}", h.message());
    assert!(h.shows("portability request from Ana Demo, in person"));
    // More time for the portability request, with a reason for the patient.
    h.click("Extend request 1 by two months");
    assert!(h.message().contains("missing"), "{}", h.message());
    h.type_into(
        "Why more time is needed (told to the patient)",
        "records held on two systems",
    );
    h.click("Extend request 1 by two months");
    assert!(
        h.message().starts_with("Request extended: now due"),
        "{}",
        h.message()
    );
    // Marketing lists hold only current grants: Ana said yes to email (her corrected address)
    // and withdrew SMS at reception.
    h.click("Email list");
    assert!(
        h.message().starts_with("1 patient on the list"),
        "{}",
        h.message()
    );
    let exports = h.dir.path().join("exports");
    let list = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("marketing-email"))
        .expect("email list written");
    assert!(
        std::fs::read_to_string(&list)
            .unwrap()
            .contains("\"ana.new@example.invalid\"")
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&list).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the list holds names and contacts");
    }
    h.click("SMS list");
    assert!(
        h.message().starts_with("0 patients on the list"),
        "{}",
        h.message()
    );
    h.open_ana();
    assert!(h.shows("Who opened this record"));
    assert!(h.shows("Rita (reception)  record viewed"));
    assert!(h.shows("Chris (clinician)  record viewed"));
    assert!(h.shows("Rita (reception)  consent recorded"));
    assert!(h.shows("Rita (reception)  amended"));
    assert_labels_and_sizes(&h, "record");

    // A duplicate record ("Anna") is merged into Ana's by a manager, with a reason.
    let g = h.ui.window.global::<DeskAdapter>();
    let forms_before = g.get_submissions().row_count();
    h.click("Back to the register");
    h.type_into("First name", "Anna");
    h.type_into("Last name", "Demo");
    h.type_into("Date of birth (YYYY-MM-DD)", "1988-04-12");
    h.click("Search");
    h.click("Anna Demo — born 1988-04-12 — SW1A 1AA");
    let duplicate: String = g.get_record_id().into();
    h.click("Back to the register");
    h.open_ana();
    h.type_into("Reference of the duplicate record", &duplicate);
    h.click("Merge into this record");
    assert!(h.shows("Merge record"), "asked first");
    h.click("Merge now");
    assert_eq!(h.message(), "Say why the record is amended.");
    h.type_into(
        "Why the records are one patient",
        "same person, name typed as Anna",
    );
    h.click("Merge into this record");
    h.click("Merge now");
    assert!(
        h.message().contains("merged into this one"),
        "{}",
        h.message()
    );
    assert_eq!(g.get_record_title(), "Ana Demo", "her details stay hers");
    assert!(h.shows("Email ana.new@example.invalid"));
    assert_eq!(g.get_submissions().row_count(), forms_before + 1);
    assert!(h.shows("Maya (manager)  merged"));
    h.click("Back to the register");
    h.type_into("First name", "Anna");
    h.type_into("Last name", "Demo");
    h.type_into("Date of birth (YYYY-MM-DD)", "1988-04-12");
    h.click("Search");
    assert!(h.message().contains("No patient"), "{}", h.message());
    h.open_ana();

    // Export writes the three files.
    h.click("Export the patient's data");
    assert!(h.message().contains("exports"), "{}", h.message());
    let names: Vec<String> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("patient-"))
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");

    // Erasure asks first, then shows the statement; contact details are gone.
    h.click("Erase (right to erasure)");
    assert!(h.shows("Erase now?"));
    h.click("Erase now");
    assert!(h.shows("Erasure statement for patient reference"));
    assert!(h.shows("Email —"));
    assert!(h.shows("It will be erased after"));

    // Left alone, the desk locks and drops the record.
    h.later(299);
    assert_eq!(h.screen(), DeskScreen::Record);
    h.later(2);
    assert_eq!(h.screen(), DeskScreen::SignIn);
    assert_eq!(h.ui.window.global::<DeskAdapter>().get_record_title(), "");
}

/// Every button and field on screen has an accessible label and is at least 48×48.
fn assert_labels_and_sizes(h: &Harness, where_: &str) {
    for role in [AccessibleRole::Button, AccessibleRole::TextInput] {
        for e in ElementQuery::from_root(&h.ui.window)
            .match_descendants()
            .match_accessible_role(role)
            .find_all()
        {
            let label = e.accessible_label().unwrap_or_default();
            assert!(
                !label.trim().is_empty(),
                "{where_}: a {role:?} without a label"
            );
            let size = e.size();
            assert!(
                size.width >= 48.0 && size.height >= 48.0,
                "{where_}: {label:?} is {}×{}",
                size.width,
                size.height
            );
        }
    }
}

/// Maya, the demo's only manager, on her "Staff and keys" screen.
fn maya_on_staff_keys(h: &Harness) {
    h.sign_in("Maya (manager)", "402718");
    assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());
    h.click("Staff and keys");
    assert_eq!(h.screen(), DeskScreen::StaffKeys, "{}", h.message());
}

#[test]
fn a_secret_typed_for_one_person_or_attempt_is_never_kept_for_the_next() {
    let h = Harness::demo();
    // Nothing typed is no attempt; a refused passphrase leaves its field.
    h.click("Open the back office");
    assert_eq!(h.message(), "Type the passphrase first.");
    h.unlock("not the passphrase at all");
    assert_eq!(h.message(), "That passphrase is not right.");
    assert_eq!(h.field_value("Manager passphrase"), "");
    // Typed and left (its eye shows it): gone after a minute unused, not before.
    h.type_into("Manager passphrase", "half-remembered words");
    h.later(59);
    assert_eq!(h.field_value("Manager passphrase"), "half-remembered words");
    h.later(1);
    assert_eq!(
        h.field_value("Manager passphrase"),
        "",
        "wiped after a minute"
    );
    h.unlock(DEMO_PASSPHRASE);
    assert_eq!(h.screen(), DeskScreen::SignIn, "{}", h.message());

    // Maya types her PIN, then Chris's name is picked: his field is blank, and signing in
    // with it sends nothing of hers (nor counts a wrong PIN against him).
    h.click("Maya (manager)");
    h.type_into("Your PIN", "402718");
    h.click("Chris (clinician)");
    assert_eq!(h.field_value("Your PIN"), "");
    h.click("Sign in");
    assert_eq!(h.screen(), DeskScreen::SignIn);
    assert_eq!(h.message(), "Type your PIN first.");
    // A wrong PIN leaves the field empty for the next try, counted once.
    h.type_into("Your PIN", "111111");
    h.click("Sign in");
    assert_eq!(h.message(), "Wrong PIN (1 wrong so far).");
    assert_eq!(h.field_value("Your PIN"), "");
    // A PIN typed and left is wiped after a minute unused, as a passphrase is.
    h.type_into("Your PIN", "918273");
    h.later(60);
    assert_eq!(h.field_value("Your PIN"), "");
    h.type_into("Your PIN", "918273");
    h.click("Sign in");
    assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());
    assert!(h.shows("Chris (clinician)"));
}

#[test]
fn a_retired_receptionists_pin_is_refused_at_the_desk() {
    let h = Harness::demo();
    h.unlock(DEMO_PASSPHRASE);
    // A second desk window, on its sign-in screen since before Rita left.
    let other = h.another_window();
    other.unlock(DEMO_PASSPHRASE);
    assert!(other.has_button("Rita (reception)"));

    maya_on_staff_keys(&h);
    assert_labels_and_sizes(&h, "staff and keys");
    assert!(h.shows("Rita (reception) — reception"));
    // Retiring takes two clicks: "Retire …", then "Retire … now".
    h.click("Retire Rita (reception)");
    assert!(
        h.shows("Rita (reception) — reception"),
        "one click retires nobody"
    );
    h.click("Retire Rita (reception) now");
    assert!(h.message().contains("is retired"), "{}", h.message());
    assert!(
        h.shows("Rita (reception) — retired"),
        "still listed by name"
    );
    assert!(!h.has_button("Retire Rita (reception)"));

    // Her right PIN is refused, with the reason.
    other.sign_in("Rita (reception)", "560193");
    assert_eq!(other.screen(), DeskScreen::SignIn);
    assert!(
        other
            .message()
            .starts_with("This staff member has been retired and can no longer sign in."),
        "{}",
        other.message()
    );
    // And a signed-out desk no longer offers her.
    h.click("Back to home");
    h.click("Lock");
    assert_eq!(h.screen(), DeskScreen::SignIn);
    assert!(!h.has_button("Rita (reception)"));
    assert!(h.has_button("Chris (clinician)"));
}

#[test]
fn only_a_manager_sees_staff_and_keys_and_the_last_manager_stays() {
    let h = Harness::demo();
    h.unlock(DEMO_PASSPHRASE);
    for (name, pin) in [
        ("Rita (reception)", "560193"),
        ("Chris (clinician)", "918273"),
    ] {
        h.sign_in(name, pin);
        assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());
        assert!(
            !h.has_button("Staff and keys"),
            "{name} sees no staff and keys"
        );
        h.click("Lock");
    }
    maya_on_staff_keys(&h);
    h.click("Retire Maya (manager)");
    h.click("Retire Maya (manager) now");
    assert_eq!(
        h.message(),
        "The last manager cannot be retired. Add another manager first."
    );
    assert!(h.shows("Maya (manager) — manager"));
    // Her own PIN is not reset here (no button for it).
    assert!(!h.has_button("New PIN for Maya (manager)"));
    assert!(h.has_button("New PIN for Rita (reception)"));
}

/// Staff whose language is written right to left: the desk's window reads from the right — the
/// top bar's Lock at the left end, a row of buttons (Search) on the right, the register's fields
/// from the right (first name, last name, date of birth), text ending on the right; in English
/// the other way. (The window's words stay English here: only the desk's own
/// text follows `with_language`.)
#[test]
fn the_desk_reads_from_the_right_for_arabic() {
    i_slint_backend_testing::init_no_event_loop();
    for (language, from_the_right) in [("en", false), ("ar", true)] {
        let h = Harness::demo_in(language, two_of_each);
        h.unlock(DEMO_PASSPHRASE);
        // Her button names her role in the desk's language.
        let maya = ElementQuery::from_root(&h.ui.window)
            .match_descendants()
            .match_accessible_role(AccessibleRole::Button)
            .find_all()
            .into_iter()
            .find(|e| e.accessible_label().is_some_and(|l| l.starts_with("Maya")))
            .expect("Maya's button");
        maya.invoke_accessible_default_action();
        h.type_into("Your PIN", "402718");
        h.click("Sign in");
        assert_eq!(h.screen(), DeskScreen::Home, "{language}: {}", h.message());
        let x = |label: &str| {
            h.find(label, AccessibleRole::Button)
                .unwrap_or_else(|| panic!("{language}: {label}"))
                .absolute_position()
                .x
        };
        assert_eq!(
            x("Lock") < x("Staff and keys"),
            from_the_right,
            "{language}: the top bar"
        );
        // Tab takes the top bar in reading order too: Staff and keys, then Lock.
        tab(&h);
        assert_eq!(buttons_with_ring(&h), ["Staff and keys"], "{language}");
        tab(&h);
        assert_eq!(buttons_with_ring(&h), ["Lock"], "{language}");
        assert_eq!(
            x("Search") > 640.0,
            from_the_right,
            "{language}: the Search row"
        );
        // Within a row of buttons, the first in reading order stands where the reading starts.
        for (first, next) in [
            ("Save the schedule", "Back up now"),
            ("Email list", "SMS list"),
            ("SMS list", "WhatsApp list"),
            ("Pair this kiosk", "Same tablet again: replace its key"),
            ("Mark request 1 as done", "Mark request 2 as done"),
            (
                "Extend request 1 by two months",
                "Extend request 2 by two months",
            ),
            ("Confirm kiosk 1", "Confirm kiosk 2"),
            ("Breach 1 reported", "Breach 2 reported"),
        ] {
            assert_eq!(x(first) > x(next), from_the_right, "{language}: {first}");
        }
        // The register's fields in reading order: the first name first.
        let field_x = |label: &str| {
            h.find(label, AccessibleRole::TextInput)
                .unwrap_or_else(|| panic!("{language}: {label}"))
                .absolute_position()
                .x
        };
        let (given, family, born) = (
            field_x("First name"),
            field_x("Last name"),
            field_x("Date of birth (YYYY-MM-DD)"),
        );
        assert_eq!(given > family, from_the_right, "{language}: the first name");
        // A field and its buttons (one per item, as many as there are): the field first, on a
        // line of its own, then the buttons from where the reading starts.
        let field_y = |label: &str| {
            h.find(label, AccessibleRole::TextInput)
                .unwrap_or_else(|| panic!("{language}: {label}"))
                .absolute_position()
                .y
        };
        let y = |label: &str| {
            h.find(label, AccessibleRole::Button)
                .unwrap_or_else(|| panic!("{language}: {label}"))
                .absolute_position()
                .y
        };
        for (field, button) in [
            (
                "Why more time is needed (told to the patient)",
                "Extend request 1 by two months",
            ),
            ("Code shown on the kiosk", "Confirm kiosk 1"),
            ("Regulator's reference", "Breach 1 reported"),
        ] {
            assert!(field_y(field) < y(button), "{language}: {field}");
            assert_eq!(x(button) > 640.0, from_the_right, "{language}: {button}");
        }
        assert_eq!(
            family > born,
            from_the_right,
            "{language}: the date of birth"
        );
        // Tab goes the reading's way: from the first name to the last name, on the left of it
        // in Arabic.
        h.find("First name", AccessibleRole::TextInput)
            .expect("First name")
            .mock_single_click(slint::platform::PointerEventButton::Left);
        type_keys(&h, "Ana");
        tab(&h);
        type_keys(&h, "Demo");
        tab(&h);
        type_keys(&h, "1988-04-12");
        assert_eq!(
            (
                h.field_value("First name"),
                h.field_value("Last name"),
                h.field_value("Date of birth (YYYY-MM-DD)")
            ),
            ("Ana".into(), "Demo".into(), "1988-04-12".into()),
            "{language}: Tab's order"
        );
        // A clinic setting: its field where the reading starts, its Save after it (the settings
        // stand last on the home: all of it in view).
        h.ui.window
            .window()
            .set_size(slint::LogicalSize::new(1280.0, 5000.0));
        let labelled = |role: AccessibleRole, start: &str| {
            ElementQuery::from_root(&h.ui.window)
                .match_descendants()
                .match_accessible_role(role)
                .find_all()
                .into_iter()
                .find_map(|e| {
                    let label = e.accessible_label()?;
                    label.starts_with(start).then(|| (label.to_string(), e))
                })
                .unwrap_or_else(|| panic!("{language}: {start}"))
        };
        // The setting's name in the desk's language, from its button ("Save: <name>").
        let (save_label, save) = labelled(AccessibleRole::Button, "Save: ");
        let name = save_label.trim_start_matches("Save: ");
        let (_, field) = labelled(AccessibleRole::TextInput, &format!("{name} — "));
        assert_eq!(
            field.absolute_position().x > save.absolute_position().x,
            from_the_right,
            "{language}: the setting {name}"
        );
        let theme = h.ui.window.global::<intake_kiosk::ui::Theme>();
        assert_eq!(theme.get_right_to_left(), from_the_right, "{language}");
        // The staff page's tabs likewise: "Back to home" first.
        h.click("Staff and keys");
        assert_eq!(
            x("Back to home") > x("People"),
            from_the_right,
            "{language}: tabs"
        );
        assert_eq!(
            x("My passphrase") > x("Keys"),
            from_the_right,
            "{language}: tabs"
        );
        // A person's row: their name, a new PIN, retiring.
        let (pin, retire) = (
            x("New PIN for Rita (reception)"),
            x("Retire Rita (reception)"),
        );
        assert_eq!(pin > retire, from_the_right, "{language}: Rita's row");
    }
}

#[test]
fn after_a_passphrase_change_only_the_new_one_opens_the_desk() {
    const NEW: &str = "harbour lantern violet 73";
    let h = Harness::demo();
    h.unlock(DEMO_PASSPHRASE);
    maya_on_staff_keys(&h);
    h.click("My passphrase");
    h.type_into("Current passphrase", DEMO_PASSPHRASE);
    let said = h.new_passphrase(NEW, "harbour lantern violet 74");
    assert_eq!(said, "The two passphrases are not the same.");
    h.type_into("Current passphrase", DEMO_PASSPHRASE);
    let said = h.new_passphrase(NEW, NEW);
    assert!(said.starts_with("Passphrase changed."), "{said}");

    // The desk started again: the old passphrase is refused, the new one opens it.
    h.reopened_with_only(DEMO_PASSPHRASE, NEW);
}

#[test]
fn a_forgotten_passphrase_is_set_anew_in_the_desk_window_with_the_recovery_key() {
    const NEW: &str = "copper meadow falcon 58";
    // The clinic's recovery key, as Maya wrote it down.
    let h = Harness::demo();
    h.unlock(DEMO_PASSPHRASE);
    maya_on_staff_keys(&h);
    h.click("Keys");
    h.click("Make a new recovery key");
    let key =
        h.ui.window
            .global::<DeskAdapter>()
            .get_recovery_key()
            .to_string();
    h.click("I have written it down");
    h.click("Back to home");
    h.click("Lock");

    // Another day, the passphrase forgotten: the recovery key opens the desk, a wrong one does not.
    let again = h.another_window();
    drop(h);
    again.type_into("Manager passphrase", "half-remembered words");
    again.click("Forgot the passphrase? Use the recovery key");
    assert_eq!(
        again.field_value("Recovery key"),
        "",
        "what was typed as a passphrase is not shown in plain text as a recovery key"
    );
    again.type_into("Recovery key", "AAAA-BBBB");
    again.click("Open the back office");
    assert_eq!(again.screen(), DeskScreen::Closed);
    assert_eq!(
        again.message(),
        "That recovery key is not right.",
        "a wrong key is refused in words"
    );
    again.type_into("Recovery key", &key.to_lowercase());
    again.click("Open the back office");
    assert_eq!(again.screen(), DeskScreen::SignIn, "{}", again.message());
    assert!(
        again.message().starts_with("Opened with the recovery key."),
        "{}",
        again.message()
    );
    // Maya signs in with her PIN and sets her passphrase anew: the current one is not asked.
    maya_on_staff_keys(&again);
    again.click("My passphrase");
    assert!(
        again
            .find("Current passphrase", AccessibleRole::TextInput)
            .is_none(),
        "no current passphrase asked on a desk opened by the recovery key"
    );
    let said = again.new_passphrase("password1234", "password1234");
    assert!(
        said.starts_with("That passphrase is not allowed"),
        "the passphrase rule holds here too: {said}"
    );
    let said = again.new_passphrase(NEW, NEW);
    assert!(said.starts_with("Passphrase changed."), "{said}");

    // Now only the new passphrase opens it, and "My passphrase" asks for the current one again.
    let third = again.reopened_with_only(DEMO_PASSPHRASE, NEW);
    maya_on_staff_keys(&third);
    third.click("My passphrase");
    assert!(
        third
            .find("Current passphrase", AccessibleRole::TextInput)
            .is_some()
    );
}

#[test]
fn a_rotation_and_a_new_recovery_key_from_the_desk_window() {
    let h = Harness::demo();
    h.unlock(DEMO_PASSPHRASE);
    maya_on_staff_keys(&h);
    let g = h.ui.window.global::<DeskAdapter>();
    h.click("Keys");
    h.click("Make a new recovery key");
    let first = g.get_recovery_key().to_string();
    assert_eq!(first.len(), 64, "{first:?}");
    assert!(h.shows(&first), "the new key is on screen");
    h.click("I have written it down");
    assert_eq!(g.get_recovery_key(), "");

    h.type_into("Your passphrase", DEMO_PASSPHRASE);
    h.click("Rotate the data key");
    assert!(
        h.message().starts_with("The data key is rotated."),
        "{}",
        h.message()
    );
    let second = g.get_recovery_key().to_string();
    assert!(!second.is_empty() && second != first);
    // Leaving the screen takes the key off it; the records read as before under the new key.
    h.click("Back to home");
    assert_eq!(g.get_recovery_key(), "");
    h.open_ana();
    assert!(h.shows("Email ana@example.invalid"));

    // The rotated file opens with the same passphrase, and its new recovery key opens it too.
    // The folder outlives the window (the harness holds the only other handle on it).
    let dir = h.dir.clone();
    let path = dir.path().join("desk.sqlite3");
    drop(h);
    let store = Store::open(&path).unwrap();
    let open = intake_kiosk::store::OpenStore::unlock_with_recovery(
        store,
        &intake_kiosk::vault::RecoveryKey::parse(&second).unwrap(),
        Utc::now(),
    );
    assert!(
        open.is_ok(),
        "the recovery key shown opens the rotated file: {:?}",
        open.err().map(|f| f.error.to_string())
    );
}

/// The desk file at `path` opened by Maya, the demo's manager (another connection).
fn open_as_maya(
    path: &std::path::Path,
) -> (intake_kiosk::store::OpenStore, intake_kiosk::store::Actor) {
    intake_kiosk::store::OpenStore::unlock_as_manager(
        Store::open(path).unwrap(),
        &intake_kiosk::vault::Passphrase::new(DEMO_PASSPHRASE),
        Utc::now(),
    )
    .unwrap()
}

/// Sets desk settings on the file at `path`, as `desk set` would (from another connection).
fn set_settings(path: &std::path::Path, settings: &[(&str, &str)]) {
    let (open, manager) = open_as_maya(path);
    for (key, value) in settings {
        open.set_setting(&manager, key, value, Utc::now()).unwrap();
    }
}

/// The desk's own backups in `dir`, oldest first.
fn desk_backups(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| intake_kiosk::store::is_backup_file_name(n, "desk"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_manager_sets_the_backup_schedule_and_backs_up_now_in_the_window() {
    const FOLDER: &str = "Backup folder (full path; empty: keep)";
    const TIME: &str = "Daily at, clinic time (HH:MM; empty: keep)";
    let backups = tempfile::tempdir().unwrap();
    let h = Harness::demo();
    h.unlock(DEMO_PASSPHRASE);
    h.sign_in("Rita (reception)", "560193");
    assert!(!h.has_button("Back up now"));
    h.click("Lock");
    h.sign_in("Maya (manager)", "402718");
    assert!(h.shows("No daily backup is scheduled: set its folder and time below."));
    // A desk field without a cap of its own takes at most 1,000 characters: a single line of
    // 2,000 wide letters, selected, crashed the window's renderer.
    const WHAT: &str = "What happened";
    h.type_into(WHAT, &"W".repeat(1001));
    assert_eq!(h.field_value(WHAT), "");
    h.type_into(WHAT, &"W".repeat(1000));
    assert_eq!(h.field_value(WHAT).chars().count(), 1000);
    h.type_into(WHAT, "");
    h.click("Back up now");
    assert_eq!(h.message(), "Set the backup folder first (under Backups).");
    // A relative folder or a time that is not HH:MM sets nothing.
    h.type_into(FOLDER, "backups");
    h.click("Save the schedule");
    assert_eq!(
        h.message(),
        "backups is not a full path: a folder must start with /, such as /media/usb."
    );
    h.type_into(FOLDER, backups.path().to_str().unwrap());
    h.type_into(TIME, "25:00");
    h.click("Save the schedule");
    assert_eq!(
        h.message(),
        "25:00 is not a time of day: give it as HH:MM on the 24-hour clock, such as 21:30."
    );
    h.type_into(TIME, "18:30");
    h.click("Save the schedule");
    assert_eq!(h.message(), "Backup schedule saved.");
    assert!(h.shows(&format!(
        "Scheduled daily at 18:30; the newest 7 backups are kept in {}.",
        backups.path().display()
    )));
    // Now, by hand: a checked copy in the folder, and the backups line says so.
    h.click("Back up now");
    let made = desk_backups(backups.path());
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(
        h.message().starts_with("Backup written and checked: "),
        "{}",
        h.message()
    );
    assert!(h.shows("Last backup: "));
    // A folder that is not there (a backup disk not connected) is refused when saved, in words;
    // the schedule stays as it was.
    let gone = backups.path().join("gone");
    h.type_into(FOLDER, gone.to_str().unwrap());
    h.type_into(TIME, "");
    h.click("Save the schedule");
    // A message of its own: a sentence (the same words follow a colon in a backup's line).
    assert_eq!(
        h.message(),
        format!(
            "The folder {} does not exist (is its disk connected?).",
            gone.display()
        )
    );
    assert!(h.shows(&format!(
        "Scheduled daily at 18:30; the newest 7 backups are kept in {}.",
        backups.path().display()
    )));
    // A folder that went away after it was set: the backup fails, and the line says why.
    std::fs::create_dir(&gone).unwrap();
    h.click("Save the schedule");
    assert_eq!(h.message(), "Backup schedule saved.");
    std::fs::remove_dir(&gone).unwrap();
    h.click("Back up now");
    assert_eq!(
        h.message(),
        "The backup failed: the reason is under Backups."
    );
    assert!(h.shows("Last backup FAILED at"));
}

#[test]
fn a_manager_changes_the_clinics_settings_in_the_window_each_checked_and_logged() {
    const OPENS: &str = "Opening time (earlier use of records is flagged) — HH:MM on the 24-hour clock, such as 08:30";
    const SAVE_OPENS: &str = "Save: Opening time (earlier use of records is flagged)";
    const CLOSES: &str = "Closing time (later use of records is flagged) — HH:MM on the 24-hour clock, such as 08:30";
    const IDLE: &str =
        "Seconds without use before this window locks — a whole number from 30 to 3600";
    const ZONE: &str = "Clinic time zone — a time zone name, such as Europe/London or Europe/Paris";
    let h = Harness::demo();
    // The settings stand last on a manager's long home: all of it in view.
    h.ui.window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 5000.0));
    h.unlock(DEMO_PASSPHRASE);
    // Need-to-know: reception neither sees nor sets the clinic's settings.
    h.sign_in("Rita (reception)", "560193");
    assert!(!h.shows("Clinic settings"));
    assert!(!h.has_button(SAVE_OPENS));
    h.click("Lock");
    h.sign_in("Maya (manager)", "402718");
    assert!(h.shows("Clinic settings"));
    // Each field holds the value in force: the default until one is stored.
    assert_eq!(h.field_value(OPENS), "08:00");
    assert_eq!(h.field_value(ZONE), "Europe/London");
    // The folders and the backup's time have panels of their own, not a second field here.
    assert!(!h.has_button("Save: exchange_folder"));
    // A value its kind does not take, and opening hours that do not make a day: refused, said
    // in the manager's words, nothing stored.
    h.type_into(OPENS, "7.30");
    h.click(SAVE_OPENS);
    assert_eq!(
        h.message(),
        "Not saved. Opening time (earlier use of records is flagged): give HH:MM on the 24-hour clock, such as 08:30."
    );
    h.type_into(OPENS, "21:00");
    h.click(SAVE_OPENS);
    assert_eq!(
        h.message(),
        "Not saved: the clinic must open before it closes (opening 21:00, closing 20:00)."
    );
    let (open, maya) = open_as_maya(&h.dir.path().join("desk.sqlite3"));
    assert_eq!(open.setting("hours.opens").unwrap(), None);
    drop(open);
    // Typed into one field and not saved yet, while another is saved: what was typed stays.
    h.type_into(CLOSES, "19:00");
    h.type_into(OPENS, " 07:30 ");
    h.click(SAVE_OPENS);
    assert_eq!(
        h.message(),
        "Saved: Opening time (earlier use of records is flagged) is now 07:30."
    );
    assert_eq!(h.field_value(CLOSES), "19:00");
    h.type_into(IDLE, "45");
    h.click("Save: Seconds without use before this window locks");
    assert!(h.message().starts_with("Saved: "), "{}", h.message());
    // Stored, logged as Maya's, and the idle lock in force at once.
    let (open, _) = open_as_maya(&h.dir.path().join("desk.sqlite3"));
    assert_eq!(
        open.setting("hours.opens").unwrap().as_deref(),
        Some("07:30")
    );
    assert_eq!(open.setting("hours.closes").unwrap(), None);
    let logged: Vec<_> = open
        .audit_entries(&maya, None, Some(maya.staff_id()))
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "settings_changed")
        .map(|e| e.subject)
        .collect();
    assert!(
        logged.iter().any(|s| s.contains("hours.opens"))
            && logged.iter().any(|s| s.contains("desk.idle_seconds")),
        "{logged:?}"
    );
    assert_eq!(h.ui.with_desk(|d| d.idle_lock()), Duration::seconds(45));

    // A stored value edited outside the app: that setting says so (never shows the default)
    // and the others still show; set anew by a manager, it reads again.
    const RECORDS: &str = "Records one person may open within the window before it is flagged";
    let path = h.dir.path().join("desk.sqlite3");
    set_settings(&path, &[("flags.records", "30")]);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE settings SET value = '1' WHERE key = 'flags.records'",
        [],
    )
    .unwrap();
    drop(raw);
    h.click("Lock");
    h.sign_in("Maya (manager)", "402718");
    let edited = format!(
        "{RECORDS} — changed outside the app, so it is not shown: tell your data protection lead. A value saved here replaces it."
    );
    assert_eq!(h.field_value(&edited), "");
    assert_eq!(h.field_value(OPENS), "07:30");
    h.type_into(&edited, "25");
    h.click(&format!("Save: {RECORDS}"));
    assert_eq!(h.message(), format!("Saved: {RECORDS} is now 25."));
    assert_eq!(
        h.field_value(&format!("{RECORDS} — a whole number from 1 to 10000")),
        "25"
    );
}

#[test]
fn the_desk_makes_its_scheduled_backup_and_shows_when_it_fails() {
    let backups = tempfile::tempdir().unwrap();
    let folder = backups.path().to_str().unwrap().to_owned();
    // Twelve hours from now on a UTC clinic clock: the minutes the test steps through never
    // reach it, whatever the time of day the test runs at.
    let daily = (Utc::now() + Duration::hours(12))
        .format("%H:%M")
        .to_string();
    let h = Harness::demo_with(|path| {
        set_settings(
            path,
            &[
                ("hours.time_zone", "UTC"),
                ("backup.folder", &folder),
                ("backup.daily_time", &daily),
                ("backup.keep", "1"),
            ],
        )
    });
    let path = h.dir.path().join("desk.sqlite3");
    // A person's own file in the same folder is never touched.
    std::fs::write(backups.path().join("notes.txt"), "mine").unwrap();

    // Closed (no key to check a copy with): nothing is made.
    h.later(1);
    assert!(desk_backups(backups.path()).is_empty());
    // Open: none was ever made, so one is due at once; then none until the daily time.
    h.unlock(DEMO_PASSPHRASE);
    h.later(1);
    let first = desk_backups(backups.path());
    assert_eq!(first.len(), 1, "{first:?}");
    h.later(120);
    assert_eq!(desk_backups(backups.path()), first, "one a day");

    // The file is a whole, checked database: it restores with the passphrase.
    let restored = tempfile::tempdir().unwrap();
    let unlock = |store| {
        intake_kiosk::store::OpenStore::unlock_as_manager(
            store,
            &intake_kiosk::vault::Passphrase::new(DEMO_PASSPHRASE),
            Utc::now(),
        )
        .map_err(|failure| failure.error)
    };
    let target = restored.path().join("data/desk.sqlite3");
    let done = intake_kiosk::store::restore(
        &first[0],
        &target,
        intake_kiosk::store::SyncRole::Desk,
        None,
        &unlock,
        Utc::now(),
    )
    .expect("the scheduled backup restores");
    assert!(done.rows_checked > 0);

    // A manager sees it on home.
    h.sign_in("Maya (manager)", "402718");
    assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());
    let name = first[0].file_name().unwrap().to_str().unwrap();
    assert!(h.shows("Last backup: "), "no backup line");
    assert!(h.shows(name), "the line names the file");
    assert!(h.shows(&format!(
        "Scheduled daily at {daily}; the newest 1 backup is kept in"
    )));

    // A day later the next one replaces it (keep 1); the person's file stays.
    h.later(24 * 3600);
    let second = desk_backups(backups.path());
    assert_eq!(second.len(), 1, "{second:?}");
    assert_ne!(second, first);
    assert!(!first[0].exists());
    assert!(backups.path().join("notes.txt").exists());

    // A folder that is not there now is refused when set (the disk is not mounted), in words.
    let gone = backups.path().join("unmounted");
    let (open, manager) = open_as_maya(&path);
    let refused = open
        .set_setting(
            &manager,
            "backup.folder",
            gone.to_str().unwrap(),
            Utc::now(),
        )
        .unwrap_err();
    assert_eq!(
        intake_kiosk::desk::store_failure_words("en", &refused),
        format!(
            "the folder {} does not exist (is its disk connected?)",
            gone.display()
        )
    );
    drop(open);
    // The backup disk goes after it was set: the next day's backup fails, and a manager sees why.
    std::fs::create_dir(&gone).unwrap();
    set_settings(&path, &[("backup.folder", gone.to_str().unwrap())]);
    std::fs::remove_dir(&gone).unwrap();
    h.later(24 * 3600);
    assert!(!gone.exists(), "a missing folder is not created");
    h.sign_in("Maya (manager)", "402718");
    assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());
    assert!(
        h.shows(&format!(
            "the folder {} does not exist (is its disk connected?)",
            gone.display()
        )),
        "the failure is on home"
    );
    assert!(h.shows("Last backup FAILED at "));
    assert_eq!(desk_backups(backups.path()), second, "the old one is kept");
    // Someone else sees nothing of it.
    h.click("Lock");
    h.sign_in("Rita (reception)", "560193");
    assert!(!h.shows("Last backup"));
}

/// Two more managers on the demo desk: Noor and Omar, each with a passphrase and a PIN.
const NOOR: &str = "north window cobalt 19";
const OMAR: &str = "orchard tide saffron 44";

fn add_two_managers(path: &std::path::Path) {
    use intake_kiosk::vault::{Passphrase, Pin};
    let (mut open, maya) = open_as_maya(path);
    for (name, passphrase, pin) in [("Noor", NOOR, "730519"), ("Omar", OMAR, "864203")] {
        open.add_manager(
            &maya,
            name,
            &Pin::new(pin),
            &Passphrase::new(passphrase),
            Utc::now(),
        )
        .unwrap();
    }
}

#[test]
fn a_rotation_with_three_managers_asks_each_for_their_passphrase() {
    let h = Harness::demo_with(add_two_managers);
    h.unlock(DEMO_PASSPHRASE);
    maya_on_staff_keys(&h);
    h.click("Keys");
    let g = h.ui.window.global::<DeskAdapter>();
    // One field per active manager, hers first.
    let fields: Vec<String> = g
        .get_rotation_slots()
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(fields, ["Maya (manager)", "Noor", "Omar"]);
    assert!(
        h.find("Your passphrase", AccessibleRole::TextInput)
            .is_some()
    );
    assert!(
        h.find("Passphrase of Noor", AccessibleRole::TextInput)
            .is_some()
    );
    assert!(
        h.find("Passphrase of Omar", AccessibleRole::TextInput)
            .is_some()
    );

    // Omar's missing: refused, naming him; nothing changes, and the fields are emptied.
    h.type_into("Your passphrase", DEMO_PASSPHRASE);
    h.type_into("Passphrase of Noor", NOOR);
    h.click("Rotate the data key");
    assert_eq!(
        h.message(),
        "The passphrase of Omar is needed too (or retire them first)."
    );
    assert!(g.get_rotation_slots().iter().all(|s| s.typed.is_empty()));
    assert_eq!(g.get_recovery_key(), "");

    // All three: rotated.
    h.type_into("Your passphrase", DEMO_PASSPHRASE);
    h.type_into("Passphrase of Noor", NOOR);
    h.type_into("Passphrase of Omar", OMAR);
    h.click("Rotate the data key");
    assert!(
        h.message().starts_with("The data key is rotated."),
        "{}",
        h.message()
    );
    assert!(g.get_rotation_slots().iter().all(|s| s.typed.is_empty()));

    // Each of them still opens the rotated file with their own passphrase.
    let dir = h.dir.clone();
    drop(h);
    for passphrase in [DEMO_PASSPHRASE, NOOR, OMAR] {
        let opened = intake_kiosk::store::OpenStore::unlock_as_manager(
            Store::open(&dir.path().join("desk.sqlite3")).unwrap(),
            &intake_kiosk::vault::Passphrase::new(passphrase),
            Utc::now(),
        );
        assert!(opened.is_ok(), "{passphrase:?} opens the rotated file");
    }
}

/// A kiosk paired from the command line through the exchange folder beside the desk at `path`
/// (set as the desk's), waiting for a manager to confirm at the desk the code it shows: that
/// code is in `kiosk-code.txt` beside the desk.
fn a_kiosk_waiting(path: &std::path::Path) {
    let dir = path.parent().unwrap();
    let exchange = dir.join("exchange");
    std::fs::create_dir_all(&exchange).unwrap();
    set_settings(path, &[("exchange_folder", exchange.to_str().unwrap())]);
    let pairing = a_demo_kiosk_answered(&dir.join("waiting-kiosk.sqlite3"), path, &exchange);
    std::fs::write(dir.join("kiosk-code.txt"), &pairing.link.comparison_code).unwrap();
}

/// A demo kiosk made at `kiosk_path` that started pairing with the desk at `path` through
/// `exchange`, the desk answered, and the kiosk read the answer (not confirmed on either side).
struct Answered {
    kiosk: intake_kiosk::store::OpenStore,
    k_maya: intake_kiosk::store::Actor,
    desk: intake_kiosk::store::OpenStore,
    maya: intake_kiosk::store::Actor,
    kiosk_id: String,
    link: intake_kiosk::store::DeskLink,
}

fn a_demo_kiosk_answered(
    kiosk_path: &std::path::Path, path: &std::path::Path, exchange: &std::path::Path,
) -> Answered {
    use intake_kiosk::exchange::{desk_side, kiosk_side};
    use intake_kiosk::store::OpenStore;
    use intake_kiosk::vault::Passphrase;
    let (desk, maya) = open_as_maya(path);
    drop(intake_kiosk::demo::create_demo_clinic(kiosk_path).unwrap());
    let (kiosk, k_maya) = OpenStore::unlock_as_manager(
        Store::open(kiosk_path).unwrap(),
        &Passphrase::new(DEMO_PASSPHRASE),
        Utc::now(),
    )
    .unwrap();
    let (code, _) = kiosk_side::start_pairing(&kiosk, &k_maya, Utc::now()).unwrap();
    let answered = desk_side::answer_pairing(
        &desk,
        &maya,
        &code,
        exchange,
        desk_side::KnownKiosk::Refuse,
        Utc::now(),
    )
    .unwrap();
    let link = kiosk_side::read_pairing_answer(&kiosk, &k_maya, exchange, Utc::now()).unwrap();
    Answered {
        kiosk,
        k_maya,
        desk,
        maya,
        kiosk_id: answered.kiosk_id,
        link,
    }
}

/// A kiosk (the demo clinic's staff) paired with the desk at `path` through `exchange`, with one
/// form of Grace Hopper's exported there as a bundle.
fn a_kiosk_bundle_in(dir: &std::path::Path, path: &std::path::Path, exchange: &std::path::Path) {
    use intake_kiosk::exchange::{desk_side, kiosk_side};
    let Answered {
        mut kiosk,
        k_maya,
        desk,
        maya,
        kiosk_id,
        link,
    } = a_demo_kiosk_answered(&dir.join("kiosk.sqlite3"), path, exchange);
    desk_side::confirm_pairing(
        &desk,
        &maya,
        Some(&kiosk_id),
        &link.comparison_code,
        exchange,
        Utc::now(),
    )
    .unwrap();
    kiosk_side::confirm_pairing(&kiosk, &k_maya, Utc::now()).unwrap();
    kiosk
        .save_submission(
            &k_maya,
            common::submission("Grace", "Hopper", "latex"),
            Utc::now(),
        )
        .unwrap();
    kiosk_side::export(&kiosk, &k_maya, exchange, Utc::now(), &mut |_, _| {})
        .unwrap()
        .expect("a bundle written");
}

#[test]
fn a_manager_pairs_a_kiosk_from_the_window_by_its_code_or_a_picture_of_it() {
    use intake_kiosk::exchange::kiosk_side;
    use intake_kiosk::store::OpenStore;
    use intake_kiosk::vault::Passphrase;
    const CODE: &str = "Pairing code, or picture of the QR code (full path)";
    const EXCHANGE: &str = "Exchange folder (full path; empty: keep)";
    let folders = tempfile::tempdir().unwrap();
    let exchange = folders.path().join("exchange");
    std::fs::create_dir_all(&exchange).unwrap();
    let kiosk_path = folders.path().join("kiosk.sqlite3");
    drop(intake_kiosk::demo::create_demo_clinic(&kiosk_path).unwrap());
    let (kiosk, k_maya) = OpenStore::unlock_as_manager(
        Store::open(&kiosk_path).unwrap(),
        &Passphrase::new(DEMO_PASSPHRASE),
        Utc::now(),
    )
    .unwrap();
    let (code, _) = kiosk_side::start_pairing(&kiosk, &k_maya, Utc::now()).unwrap();
    let h = Harness::demo();
    h.unlock(DEMO_PASSPHRASE);
    h.sign_in("Rita (reception)", "560193");
    assert!(!h.has_button("Pair this kiosk"));
    assert!(!h.has_button("Save the folders"));
    h.click("Lock");
    h.sign_in("Maya (manager)", "402718");

    // Nothing typed is nothing tried; a code needs a folder for its answer, and the one-time
    // code does not stay on screen.
    h.click("Pair this kiosk");
    assert_eq!(
        h.message(),
        "Paste the kiosk's pairing code (it starts with IKP1:) or type the full path of a picture of its QR code."
    );
    h.type_into(CODE, &code);
    h.click("Pair this kiosk");
    assert_eq!(
        h.message(),
        "Set the exchange folder first (under Kiosks and bundles)."
    );
    assert_eq!(h.field_value(CODE), "");
    // The folder: a relative one is refused, a full path kept (the import reads it too).
    h.type_into(EXCHANGE, "usb");
    h.click("Save the folders");
    assert_eq!(
        h.message(),
        "usb is not a full path: a folder must start with /, such as /media/usb."
    );
    h.type_into(EXCHANGE, exchange.to_str().unwrap());
    h.click("Save the folders");
    assert_eq!(h.message(), "Folders saved.");
    assert!(h.shows(&format!(
        "Kiosks' bundles are imported from {}, and pairing answers written there.",
        exchange.display()
    )));
    assert!(h.shows("No outbox folder is set"));

    // What is not a pairing code, and a picture without one, are refused in words.
    h.type_into(CODE, "IKP1:not-a-code");
    h.click("Pair this kiosk");
    assert_eq!(
        h.message(),
        "That is not a kiosk's pairing code. Copy all of it (it starts with IKP1:), or give the full path of a picture of the QR code."
    );
    let blank = folders.path().join("blank.png");
    image::GrayImage::from_pixel(120, 120, image::Luma([255]))
        .save(&blank)
        .unwrap();
    h.type_into(CODE, blank.to_str().unwrap());
    h.click("Pair this kiosk");
    assert_eq!(
        h.message(),
        format!(
            "No pairing code could be read from {}: take a sharper photo or screenshot of the kiosk's QR code, or paste the code.",
            blank.display()
        )
    );
    assert_eq!(std::fs::read_dir(&exchange).unwrap().count(), 0);

    // A photo of the QR code pairs it: the answer in the exchange folder, the kiosk waiting.
    let photo = folders.path().join("qr.png");
    common::qr_png(&code, &photo);
    h.type_into(CODE, photo.to_str().unwrap());
    h.click("Pair this kiosk");
    assert!(
        h.message().starts_with(&format!(
            "Answer written to {}",
            exchange.join("pair-").display()
        )) && h.message().contains("waits for confirmation"),
        "{}",
        h.message()
    );
    assert!(h.has_button("Confirm kiosk 1"));
    let kiosk_id = std::fs::read_dir(&exchange)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .find_map(|name| {
            name.strip_prefix("pair-")
                .and_then(|n| n.strip_suffix(".ikpa"))
                .map(str::to_owned)
        })
        .expect("the answer file");
    // The kiosk reads the answer and shows its code; the manager types it here.
    let link = kiosk_side::read_pairing_answer(&kiosk, &k_maya, &exchange, Utc::now()).unwrap();
    h.type_into("Code shown on the kiosk", &link.comparison_code);
    h.click("Confirm kiosk 1");
    assert!(
        h.message().starts_with("Kiosk paired: the codes match"),
        "{}",
        h.message()
    );
    assert!(!h.has_button("Confirm kiosk 1"));

    // The same kiosk again is refused unless the manager says it is the same tablet.
    h.type_into(CODE, &code);
    h.click("Pair this kiosk");
    assert!(
        h.message().contains("is already paired with this desk")
            && h.message().contains("Same tablet again: replace its key"),
        "{}",
        h.message()
    );
    h.type_into(CODE, &code);
    h.click("Same tablet again: replace its key");
    assert!(
        h.message().contains("old key is replaced (logged)")
            && h.message().contains("waits for confirmation"),
        "{}",
        h.message()
    );
    assert!(h.has_button("Confirm kiosk 1"));

    // A lost tablet is revoked, after a second tap; then it never pairs again.
    let short = &kiosk_id[..8];
    assert!(h.shows(&format!("Kiosk {short}: paired ")));
    assert!(h.shows("waiting for confirmation."));
    h.click("Revoke kiosk 1");
    assert!(h.shows("Revoke kiosk 1 for ever?"));
    h.click("Cancel");
    assert!(!h.shows("Revoke kiosk 1 for ever?"));
    h.click("Revoke kiosk 1");
    h.click("Revoke it");
    assert_eq!(
        h.message(),
        format!(
            "Kiosk {short} revoked: its bundles are refused from now on, and it never pairs again."
        )
    );
    assert!(!h.has_button("Revoke kiosk 1"));
    assert!(!h.has_button("Confirm kiosk 1"));
    h.type_into(CODE, &code);
    h.click("Same tablet again: replace its key");
    assert!(
        h.message().contains("was revoked and never pairs again"),
        "{}",
        h.message()
    );
}

#[test]
fn a_manager_imports_the_kiosks_bundles_from_the_window_exactly_once() {
    let folders = tempfile::tempdir().unwrap();
    let exchange = folders.path().join("exchange");
    let outbox = folders.path().join("outbox");
    std::fs::create_dir_all(&exchange).unwrap();
    std::fs::create_dir_all(&outbox).unwrap();
    let h = Harness::demo_with(|path| {
        a_kiosk_bundle_in(folders.path(), path, &exchange);
    });
    h.unlock(DEMO_PASSPHRASE);
    // Reception sees no imports; a manager sees that no folder is set, and is told so.
    h.sign_in("Rita (reception)", "560193");
    assert!(!h.has_button("Import the bundles now"));
    h.click("Lock");
    h.sign_in("Maya (manager)", "402718");
    assert!(h.shows("No exchange folder is set"));
    assert!(h.shows("No outbox folder is set"));
    h.click("Import the bundles now");
    assert_eq!(
        h.message(),
        "Set the exchange folder first (under Kiosks and bundles)."
    );
    // The folders, set in the window.
    h.type_into(
        "Exchange folder (full path; empty: keep)",
        exchange.to_str().unwrap(),
    );
    h.click("Save the folders");
    h.click("Import the bundles now");
    assert_eq!(
        h.message(),
        "Set the outbox folder first (under Kiosks and bundles)."
    );
    h.type_into(
        "Outbox folder for the EMR (full path; empty: keep)",
        outbox.to_str().unwrap(),
    );
    h.click("Save the folders");
    assert_eq!(h.message(), "Folders saved.");
    assert!(h.shows(&format!(
        "Imported forms are handed on into {} (FHIR, JSON and a printable page).",
        outbox.display()
    )));
    h.click("Import the bundles now");
    assert_eq!(
        h.message(),
        "1 new form imported from 1 bundle (0 already held)."
    );
    assert!(h.shows(": 1 new, 0 already held; receipt written."));
    // The form is in the register and handed on; a receipt went back for the kiosk.
    let handed_on = std::fs::read_dir(&outbox).unwrap().count();
    assert_eq!(handed_on, 3, "FHIR, JSON and a printable page");
    assert!(std::fs::read_dir(&exchange).unwrap().any(|f| {
        f.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("receipt-")
    }));
    h.type_into("First name", "Grace");
    h.type_into("Last name", "Hopper");
    h.type_into("Date of birth (YYYY-MM-DD)", "1987-06-15");
    h.click("Search");
    assert!(
        h.has_button("Grace Hopper — born 1987-06-15 — SW1A 1AA"),
        "{}",
        h.message()
    );

    // Exactly once: the same bundle again (still there until the kiosk reads its receipt) adds
    // nothing and is no alarm.
    h.click("Import the bundles now");
    assert_eq!(
        h.message(),
        format!("No new bundles in {}.", exchange.display())
    );
    assert!(h.shows(": imported before; the kiosk removes it once it reads its receipt."));
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), handed_on);
    // A bundle someone altered is refused, in words, and nothing of it is stored.
    let bundle = std::fs::read_dir(&exchange)
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("bundle-")
        })
        .unwrap();
    let mut bytes = std::fs::read(&bundle).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(bundle.with_file_name("bundle-altered.ikb"), &bytes).unwrap();
    h.click("Import the bundles now");
    assert_eq!(
        h.message(),
        "0 new forms imported from 0 bundles (0 already held). 1 bundle needs attention: see Kiosks and bundles."
    );
    assert!(h.shows(
        "bundle-altered.ikb: REFUSED, nothing of it was imported: it was altered, or not made by a kiosk paired with this desk."
    ));
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), handed_on);
    // What the import did goes with the manager.
    h.click("Lock");
    h.sign_in("Maya (manager)", "402718");
    assert!(!h.shows("REFUSED"));

    // Grace asks for erasure while her form still waits in the outbox: her record is held, so
    // the waiting files are written again without her contact details, and the manager is told.
    h.type_into("First name", "Grace");
    h.type_into("Last name", "Hopper");
    h.type_into("Date of birth (YYYY-MM-DD)", "1987-06-15");
    h.click("Search");
    h.click("Grace Hopper — born 1987-06-15 — SW1A 1AA");
    h.click("Erase (right to erasure)");
    h.click("Erase now");
    assert!(
        h.message().ends_with(&format!(
            ". Forms still waiting in the outbox {}: 0 taken out, 1 written again without what was erased.",
            outbox.display()
        )),
        "{}",
        h.message()
    );
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    assert_eq!(files.len(), handed_on);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("SW1A 1AA"), "{}", file.display());
        assert!(text.contains("Hopper"), "{}", file.display());
    }
}

/// Keys as a keyboard sends them: each pressed and released.
fn press_keys(h: &Harness, keys: &[slint::SharedString]) {
    use slint::platform::WindowEvent;
    let w = h.ui.window.window();
    for key in keys {
        w.dispatch_event(WindowEvent::KeyPressed { text: key.clone() });
        w.dispatch_event(WindowEvent::KeyReleased { text: key.clone() });
        // What a key's effects set off (a field taking the focus) runs as the event loop
        // would run it.
        slint::platform::update_timers_and_animations();
    }
}

fn tab(h: &Harness) {
    press_keys(h, &[slint::platform::Key::Tab.into()]);
}

/// Types `text` into whatever has the focus, a key at a time.
fn type_keys(h: &Harness, text: &str) {
    let keys: Vec<slint::SharedString> = text.chars().map(|c| c.to_string().into()).collect();
    press_keys(h, &keys);
}

/// The buttons whose focus ring shows, by accessible label (each once: the query meets an
/// element once per component it is made of); the ring stands 5 px outside its button.
fn buttons_with_ring(h: &Harness) -> Vec<String> {
    let rings: Vec<_> = ElementHandle::find_by_element_id(&h.ui.window, "DeskButton::ring")
        .filter(|r| r.computed_opacity() > 0.5)
        .map(|r| r.absolute_position())
        .collect();
    ElementQuery::from_root(&h.ui.window)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .find_all()
        .into_iter()
        .filter(|b| {
            let at = b.absolute_position();
            rings
                .iter()
                .any(|r| (r.x + 5.0 - at.x).abs() < 0.5 && (r.y + 5.0 - at.y).abs() < 0.5)
        })
        .filter_map(|b| b.accessible_label().map(|l| l.to_string()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A receptionist at the desk with a keyboard and no mouse: Tab goes from field to button in
/// reading order, the button Tab reaches shows a ring, Enter and Space press it; a click on a
/// button does not take the focus (no ring is left behind by the mouse).
#[test]
fn the_desk_works_from_the_keyboard_alone() {
    let h = Harness::demo();
    // The passphrase field has the focus as the window opens; Enter opens the desk.
    type_keys(&h, DEMO_PASSPHRASE);
    press_keys(&h, &[slint::platform::Key::Return.into()]);
    assert_eq!(h.screen(), DeskScreen::SignIn, "{}", h.message());
    // The staff tiles are reached by Tab; Space picks Rita, whose PIN field takes the focus.
    let mut picked = false;
    for _ in 0..6 {
        tab(&h);
        if buttons_with_ring(&h) == ["Rita (reception)"] {
            picked = true;
            break;
        }
    }
    assert!(picked, "Tab never reached Rita's tile");
    type_keys(&h, " ");
    type_keys(&h, "560193");
    press_keys(&h, &[slint::platform::Key::Return.into()]);
    assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());

    // Home: Lock, then the three search fields, then Search.
    tab(&h);
    assert_eq!(buttons_with_ring(&h), ["Lock"]);
    tab(&h);
    assert!(buttons_with_ring(&h).is_empty(), "a field has the focus");
    type_keys(&h, "Ana");
    tab(&h);
    type_keys(&h, "Demo");
    tab(&h);
    type_keys(&h, "1988-04-12");
    assert_eq!(h.field_value("First name"), "Ana");
    assert_eq!(h.field_value("Last name"), "Demo");
    assert_eq!(h.field_value("Date of birth (YYYY-MM-DD)"), "1988-04-12");
    tab(&h);
    assert_eq!(buttons_with_ring(&h), ["Search"]);
    press_keys(&h, &[slint::platform::Key::Return.into()]);
    assert!(
        h.has_button("Ana Demo — born 1988-04-12 — SW1A 1AA"),
        "{}",
        h.message()
    );
    tab(&h);
    assert_eq!(
        buttons_with_ring(&h),
        ["Ana Demo — born 1988-04-12 — SW1A 1AA"]
    );
    // Shift+Tab goes back, Tab forward again.
    press_keys(&h, &[slint::platform::Key::Backtab.into()]);
    assert_eq!(buttons_with_ring(&h), ["Search"]);
    tab(&h);
    type_keys(&h, " ");
    assert_eq!(h.screen(), DeskScreen::Record, "{}", h.message());

    // A click leaves no ring: the mouse never moves the keyboard's focus to a button.
    let back = h
        .find("Back to the register", AccessibleRole::Button)
        .expect("Back to the register");
    back.mock_single_click(slint::platform::PointerEventButton::Left);
    assert_eq!(h.screen(), DeskScreen::Home);
    assert!(
        buttons_with_ring(&h).is_empty(),
        "{:?}",
        buttons_with_ring(&h)
    );
}

/// `n` more open requests, breaches and kiosks waiting than the demo has: a busy month.
fn many_of_each(path: &std::path::Path, n: usize) {
    add_open_items(
        path,
        &(0..n)
            .map(|i| format!("Requester {i}, in person"))
            .collect::<Vec<_>>(),
        &(0..n)
            .map(|i| format!("Breach number {i}"))
            .collect::<Vec<_>>(),
        &(0..n)
            .map(|i| (format!("kiosk-waiting-{i}"), "482 915"))
            .collect::<Vec<_>>(),
    );
}

/// A busy month (eight open requests, eight breaches, seven kiosks waiting): the buttons of one
/// per item wrap into rows, so the manager's home is never wider than the window, in landscape
/// and in portrait, and every one of them is there.
#[test]
fn many_open_requests_breaches_and_kiosks_wrap_inside_the_window() {
    let h = Harness::demo_with(|path| many_of_each(path, 7));
    h.unlock(DEMO_PASSPHRASE);
    h.sign_in("Maya (manager)", "402718");
    assert_eq!(h.screen(), DeskScreen::Home, "{}", h.message());
    for width in [1280.0, 800.0] {
        h.ui.window
            .window()
            .set_size(slint::LogicalSize::new(width, 6000.0));
        let buttons = ElementQuery::from_root(&h.ui.window)
            .match_descendants()
            .match_accessible_role(AccessibleRole::Button)
            .find_all();
        for b in &buttons {
            let (at, size) = (b.absolute_position(), b.size());
            assert!(
                at.x >= 0.0 && at.x + size.width <= width + 0.5,
                "{:?} stands at {}..{} in a window {width} wide",
                b.accessible_label(),
                at.x,
                at.x + size.width
            );
        }
        // Each label once: the query meets a button once per component it is made of.
        let labels: std::collections::BTreeSet<String> = buttons
            .iter()
            .filter_map(|b| b.accessible_label().map(|l| l.to_string()))
            .collect();
        let labelled = |prefix: &str| labels.iter().filter(|l| l.starts_with(prefix)).count();
        assert_eq!(labelled("Mark request "), 8, "the demo's and seven more");
        assert_eq!(labelled("Extend request "), 8);
        assert_eq!(labelled("Breach "), 8);
        assert_eq!(labelled("Confirm kiosk "), 7);
    }
}

#[test]
fn a_retention_check_long_after_the_last_erases_nothing_until_a_manager_confirms_the_clock() {
    // The last retention check 100 days ago: a clock that jumped ahead, or a desk unused since.
    let h = Harness::demo_with(|path| {
        let (open, manager) = open_as_maya(path);
        open.record_event(
            manager.staff_id(),
            intake_kiosk::store::AuditKind::RetentionRun,
            "0",
            Utc::now() - Duration::days(100),
        )
        .unwrap();
    });
    h.unlock(DEMO_PASSPHRASE);
    assert_eq!(h.screen(), DeskScreen::SignIn, "{}", h.message());
    assert!(
        h.message()
            .contains("more than 92 days after the last retention check"),
        "{}",
        h.message()
    );
    let right = "The clock is right";
    h.sign_in("Chris (clinician)", "918273");
    assert!(!h.has_button(right), "a manager's word only");
    h.click("Lock");
    h.sign_in("Maya (manager)", "402718");
    assert!(h.has_button(right));
    h.click("Run the retention check");
    assert!(
        h.message().contains("no record was erased"),
        "{}",
        h.message()
    );
    h.click(right);
    assert!(
        h.message().starts_with("The clock is confirmed as right"),
        "{}",
        h.message()
    );
    assert!(!h.has_button(right));
    h.click("Run the retention check");
    assert!(
        h.message()
            .starts_with("Retention check. Records looked at: "),
        "{}",
        h.message()
    );
}

/// The breach form in the window: what happened is taken once (the field empties when the breach
/// is recorded, and the same words tapped again record nothing twice); a desk whose records hold a
/// time after its clock says so under Needs attention, refuses a breach (the words stay in the
/// field), and a manager's tap on The clock is right lets it through.
#[test]
fn a_breach_is_recorded_once_and_not_on_a_clock_behind_the_records() {
    const WHAT: &str = "What happened";
    const ALERT: &str = "which this desk has already recorded: deadlines shown count";
    let h = Harness::demo_with(|path| {
        let (open, maya) = open_as_maya(path);
        open.record_event(
            maya.staff_id(),
            intake_kiosk::store::AuditKind::SignedIn,
            "",
            Utc::now() + Duration::days(7),
        )
        .unwrap();
    });
    h.ui.window
        .window()
        .set_size(slint::LogicalSize::new(1280.0, 5000.0));
    let path = h.dir.path().join("desk.sqlite3");
    h.unlock(DEMO_PASSPHRASE);
    h.sign_in("Maya (manager)", "402718");
    assert!(h.shows(ALERT));
    h.type_into(WHAT, "a tablet was left unlocked");
    h.click("Record: a risk to people");
    assert!(
        h.message().starts_with("The clock reads "),
        "{}",
        h.message()
    );
    assert_eq!(h.field_value(WHAT), "a tablet was left unlocked");
    let breaches = || {
        let (open, maya) = open_as_maya(&path);
        open.breaches(&maya).unwrap().len()
    };
    // The demo desk holds one breach already.
    assert_eq!(breaches(), 1, "nothing recorded");
    h.click("The clock is right");
    assert_eq!(
        h.message(),
        "The clock is confirmed as right: corrections, requests and breaches are dated by it again."
    );
    assert!(!h.shows(ALERT));
    assert!(!h.has_button("The clock is right"));
    h.click("Record: a risk to people");
    assert!(
        h.message().starts_with("Breach recorded"),
        "{}",
        h.message()
    );
    assert_eq!(h.field_value(WHAT), "", "taken once");
    h.type_into(WHAT, "a tablet was left unlocked");
    h.click("Record: a risk to people");
    assert!(
        h.message().starts_with("This breach is recorded already"),
        "{}",
        h.message()
    );
    assert_eq!(breaches(), 2, "recorded once");
}
