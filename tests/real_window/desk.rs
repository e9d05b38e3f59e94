//! The back office (`desk window --demo`) as reception, a clinician and a manager use it at a desk
//! PC with a mouse and keyboard: open with the manager's passphrase and Enter, sign in per role
//! with a PIN and Enter (each typed straight away: the field has the keyboard), search by name with Enter (first with the date of birth left empty: the
//! answer says what is missing), open the record (each role sees its own part), withdraw a
//! consent, lock.

use crate::machine::{Display, tools_present};
use crate::window::{App, View};

/// The demo desk's manager passphrase and staff (README, "The demo clinic").
const PASSPHRASE: &str = "demo clinic passphrase";
const STAFF: [(&str, &str); 3] = [
    ("Rita (reception)", "560193"),
    ("Chris (clinician)", "918273"),
    ("Maya (manager)", "402718"),
];

/// The demo patient searched for.
const GIVEN: &str = "Ana";
const FAMILY: &str = "Demo";
const BORN: &str = "1988-04-12";
/// The desk's idle lock on a manager's home (Clinic settings).
const IDLE: &str = "Seconds without use before this window locks — a whole number from 30 to 3600";

impl App<'_> {
    /// Types into a desk field and presses Enter.
    fn enter(&self, label: &str, text: &str) {
        self.focus_field(label, false);
        self.type_and_enter(label, text);
    }

    /// Types on the keyboard without clicking anywhere first (the field named `label` has the
    /// keyboard already) and presses Enter.
    pub(crate) fn type_and_enter(&self, label: &str, text: &str) {
        self.display.type_text(text);
        self.wait_text(label, text);
        self.display.key("Return");
    }

    pub(crate) fn desk_sign_in(&self, staff: &str, pin: &str) {
        self.desk_enter_pin(staff, pin);
        self.wait(&format!("{staff} signed in"), |v| v.screen() == "Home");
    }

    /// Picks `staff` on the sign-in screen and types their PIN with Enter.
    pub(crate) fn desk_enter_pin(&self, staff: &str, pin: &str) {
        self.wait("the sign-in screen", |v| v.screen() == "SignIn");
        let button = self
            .wait(&format!("{staff} on the sign-in screen"), |v| {
                v.with_role("Button").any(|b| b.label.starts_with(staff))
            })
            .with_role("Button")
            .find(|b| b.label.starts_with(staff))
            .cloned()
            .expect("found");
        let (x, y) = button.centre();
        self.display.tap_at(x, y);
        self.element("TextInput", "Your PIN");
        // The PIN's field has the keyboard as soon as a name is picked.
        self.type_and_enter("Your PIN", pin);
    }

    /// The search as a receptionist does it: the name, Enter; the date of birth, Enter.
    fn desk_search(&self, tag: &str) {
        self.focus_field("First name", false);
        self.display.type_text(GIVEN);
        self.wait_text("First name", GIVEN);
        let before = self.view().get("message").to_owned();
        self.enter("Last name", FAMILY);
        let v = self.wait("the answer to a search without a date of birth", |v| {
            v.get("message") != before
        });
        let message = v.get("message");
        assert!(
            message.contains("date of birth is missing") && !message.contains("could not be read"),
            "a search without a date of birth says what is missing: {message:?}"
        );
        self.shot(&format!("desk-{tag}-03-search-without-date-of-birth"));
        let before = v.get("message").to_owned();
        self.enter("Date of birth (YYYY-MM-DD)", BORN);
        let v = self.wait("the answer to the search", |v| v.get("message") != before);
        assert_eq!(v.get("message-good"), "true", "{:?}", v.get("message"));
        // The results stand right below the search, which comes first on the home (above what
        // needs attention); in a small window a person scrolls to them.
        let found = format!("{GIVEN} {FAMILY}");
        let v = self.scroll_until("the patient found", |v| {
            v.with_role("Button").any(|b| b.label.starts_with(&found))
        });
        self.shot(&format!("desk-{tag}-04-found"));
        let result = v
            .with_role("Button")
            .find(|b| b.label.starts_with(&found))
            .expect("found")
            .clone();
        let (x, y) = result.centre();
        self.display.tap_at(x, y);
        self.wait("the record", |v| v.screen() == "Record");
    }

    /// Scrolls the record down until `seen` holds (the probe lists what is in view).
    pub(crate) fn scroll_until(&self, what: &str, seen: impl Fn(&View) -> bool) -> View {
        loop {
            let v = self.view();
            if seen(&v) {
                return v;
            }
            assert!(self.scroll(true), "scrolled to the end without {what}");
        }
    }

    pub(crate) fn scroll_to_top(&self) {
        while self.scroll(false) {}
    }

    pub(crate) fn desk_lock(&self) {
        self.tap_button("Lock");
        self.wait("locked", |v| v.screen() == "SignIn");
    }
}

fn withdraw_buttons(v: &View) -> Vec<String> {
    v.with_role("Button")
        .filter(|b| b.label.starts_with("Withdraw "))
        .map(|b| b.label.clone())
        .collect()
}

#[test]
fn the_desk_opens_signs_in_each_role_finds_a_patient_withdraws_a_consent_and_locks() {
    if !tools_present() {
        return;
    }
    let display = Display::start(1280, 800);
    let app = App::start(&display, &["desk", "window", "--demo"]);
    app.wait("the closed desk", |v| v.screen() == "Closed");
    app.shot("desk-01-closed");
    // A wrong passphrase is refused in words; the recovery key's field that takes its place
    // starts blank (what was typed as a passphrase is never shown in plain text), and so does
    // the passphrase's on the way back.
    // The passphrase's field has the keyboard when the desk opens; a refused passphrase leaves
    // it, to be typed again.
    app.type_and_enter("Manager passphrase", "not the passphrase at all");
    let v = app.wait("the refusal", |v| {
        v.get("message") == "That passphrase is not right."
    });
    assert_eq!(v.find("TextInput", "Manager passphrase").unwrap().value, "");
    app.tap_button("Forgot the passphrase? Use the recovery key");
    let v = app.wait("the recovery key's field", |v| {
        v.find("TextInput", "Recovery key").is_some()
    });
    assert_eq!(v.find("TextInput", "Recovery key").unwrap().value, "");
    app.tap_button("Use a passphrase instead");
    let v = app.wait("the passphrase's field", |v| {
        v.find("TextInput", "Manager passphrase").is_some()
    });
    assert_eq!(v.find("TextInput", "Manager passphrase").unwrap().value, "");
    // Typed and left unused: wiped after a minute (with its focus, which hides what the eye
    // showed); the focus comes back, so whoever is next types straight in.
    app.display.type_text("half-remembered words");
    app.wait_text("Manager passphrase", "half-remembered words");
    std::thread::sleep(std::time::Duration::from_secs(59));
    app.wait("the abandoned passphrase wiped", |v| {
        v.find("TextInput", "Manager passphrase")
            .is_some_and(|f| f.value.is_empty())
    });
    // The focus comes back a moment (300 ms) after the wipe; whoever comes next starts later.
    std::thread::sleep(std::time::Duration::from_secs(1));
    // Enter opens, as the button does.
    app.type_and_enter("Manager passphrase", PASSPHRASE);
    app.wait("the sign-in screen", |v| v.screen() == "SignIn");
    app.shot("desk-02-sign-in");

    for (staff, pin) in STAFF {
        let tag = staff
            .split_once(" (")
            .map_or(staff, |(_, role)| role.trim_end_matches(')'));
        app.desk_sign_in(staff, pin);
        app.desk_search(tag);
        app.shot(&format!("desk-{tag}-05-record"));
        // The record's parts stack (a narrow window wraps them): its consents may be below.
        app.scroll_until("the record's consents", |v| v.has_text("Consents"));
        app.scroll_to_top();
        let v = app.view();
        // Each role its own part: the forms for clinicians and managers, who opened the record
        // for managers only.
        let forms = |v: &View| v.has_text("Forms submitted");
        let access = |v: &View| v.has_text("Who opened this record");
        match tag {
            "reception" => {
                let mut v = v;
                loop {
                    assert!(!forms(&v), "reception sees no medical forms");
                    assert!(!access(&v), "reception sees no access history");
                    if !app.scroll(true) {
                        break;
                    }
                    v = app.view();
                }
                app.scroll_to_top();
                // Withdraw the first consent that can be withdrawn.
                let v =
                    app.scroll_until("a consent to withdraw", |v| !withdraw_buttons(v).is_empty());
                let label = withdraw_buttons(&v).remove(0);
                let title = label.trim_start_matches("Withdraw ").to_owned();
                // The consent's line: "<title>: <state>".
                let state = |v: &View| {
                    v.with_role("Text")
                        .find(|t| t.label.starts_with(&format!("{title}: ")))
                        .map(|t| t.label.clone())
                };
                let before = state(&app.view()).expect("the consent's state shown");
                let e = app.reveal("Button", &label);
                let (x, y) = e.centre();
                app.display.tap_at(x, y);
                // Asked first: the second tap withdraws.
                let now = format!("{label} now");
                app.wait("the withdrawal asked", |v| v.find("Button", &now).is_some());
                let e = app.reveal("Button", &now);
                let (x, y) = e.centre();
                app.display.tap_at(x, y);
                let v = app.wait("the withdrawal confirmed", |v| {
                    v.get("message") == format!("Withdrawn: {title}.")
                });
                assert_eq!(v.get("message-good"), "true");
                app.scroll_until("the withdrawn consent's new state", |v| {
                    state(v).is_some_and(|s| s != before)
                });
                let v = app.settle();
                assert!(
                    v.find("Button", &label).is_none(),
                    "{label:?} is still offered after the withdrawal"
                );
                app.shot("desk-reception-06-consent-withdrawn");
            }
            "clinician" => {
                app.scroll_until("the forms", forms);
                app.shot("desk-clinician-06-forms");
            }
            _ => {
                app.scroll_until("who opened the record", access);
                app.shot("desk-manager-06-access-history");
                // Back home, the clinic's settings last on it: the desk's idle lock set in the
                // window, a value it does not take refused first (and said as such).
                app.scroll_to_top();
                app.tap_button("Back to the register");
                app.wait("home", |v| v.screen() == "Home");
                for (typed, said) in [
                    (
                        "5",
                        "Not saved. Seconds without use before this window locks: give a whole number from 30 to 3600.",
                    ),
                    (
                        "600",
                        "Saved: Seconds without use before this window locks is now 600.",
                    ),
                ] {
                    app.focus_field(IDLE, false);
                    app.display.key("ctrl+a");
                    app.type_and_enter(IDLE, typed);
                    app.wait(said, |v| v.get("message") == said);
                }
                app.shot("desk-manager-07-clinic-settings");
            }
        }
        app.desk_lock();
    }
    app.shot("desk-07-locked");
}

/// Text copied in the desk (Ctrl+C) is forgotten when it locks: whoever signs in next pastes
/// nothing of the last one's (`src/ui/clipboard.rs`).
#[test]
fn what_was_copied_is_gone_once_the_desk_locks() {
    if !tools_present() {
        return;
    }
    let display = Display::start(1280, 800);
    let app = App::start(&display, &["desk", "window", "--demo"]);
    app.wait("the closed desk", |v| v.screen() == "Closed");
    app.type_and_enter("Manager passphrase", PASSPHRASE);
    let (staff, pin) = STAFF[0];
    app.desk_sign_in(staff, pin);
    // Pastes into the last name, then types a mark after it: keys land in order, so once the
    // mark shows, whatever the paste brought stands before it.
    let paste_then_mark = || {
        app.focus_field("Last name", false);
        app.display.key("ctrl+v");
        app.display.type_text("#");
        app.wait("the mark typed after the paste", |v| {
            v.find("TextInput", "Last name")
                .is_some_and(|f| f.value.ends_with('#'))
        })
        .find("TextInput", "Last name")
        .map(|f| f.value.clone())
        .unwrap_or_default()
    };
    app.focus_field("First name", false);
    app.display.type_text(GIVEN);
    app.wait_text("First name", GIVEN);
    app.display.key("ctrl+a");
    app.display.key("ctrl+c");
    // The clipboard works: what was copied pastes while the same person is signed in.
    assert_eq!(paste_then_mark(), format!("{GIVEN}#"));
    app.desk_lock();
    app.desk_sign_in(staff, pin);
    assert_eq!(
        paste_then_mark(),
        "#",
        "a name copied before the lock pasted after it"
    );
}

impl App<'_> {
    /// Whether the focus ring is drawn round a button (read from the pixels just outside it:
    /// the ring, in the text's colour, stands 2–5 px out).
    fn ring_round(&self, e: &crate::window::Element) -> bool {
        let (r, g, b) = self.display.pixel(e.x - 3, e.y + e.h / 2);
        // Theme.text: #1f1d1a.
        r < 0x50 && g < 0x50 && b < 0x50
    }

    /// Presses Tab until the button whose label starts with `label` shows its ring (in view: the
    /// page scrolls to it); returns it as it stands then.
    fn tab_to(&self, label: &str) -> crate::window::Element {
        for _ in 0..40 {
            self.display.key("Tab");
            std::thread::sleep(std::time::Duration::from_millis(300));
            let v = self.settle();
            if let Some(e) = v.with_role("Button").find(|b| b.label.starts_with(label))
                && e.y >= 0
                && e.bottom() <= self.display.height as i32
                && self.ring_round(e)
            {
                return e.clone();
            }
        }
        panic!("Tab never reached {label:?} in view");
    }
}

/// The desk with the keyboard alone, in the smallest window it takes (800×600): Tab stops at
/// the buttons as at the fields, the one it reaches is ringed and scrolled into view, Space and
/// Enter press it. No click from the opening to the record.
#[test]
fn the_desk_works_from_the_keyboard_alone_in_a_small_window() {
    if !tools_present() {
        return;
    }
    let display = Display::start(800, 600);
    let app = App::start(&display, &["desk", "window", "--demo"]);
    app.wait("the closed desk", |v| v.screen() == "Closed");
    app.type_and_enter("Manager passphrase", PASSPHRASE);
    app.wait("the sign-in screen", |v| v.screen() == "SignIn");
    app.tab_to(STAFF[0].0);
    app.display.key("space");
    app.element("TextInput", "Your PIN");
    app.type_and_enter("Your PIN", STAFF[0].1);
    app.wait("Rita signed in", |v| v.screen() == "Home");
    // Lock comes first, then the search's fields in reading order.
    let lock = app.tab_to("Lock");
    assert!(app.ring_round(&lock));
    app.display.key("Tab");
    app.display.type_text(GIVEN);
    app.wait_text("First name", GIVEN);
    app.display.key("Tab");
    app.display.type_text(FAMILY);
    app.wait_text("Last name", FAMILY);
    app.display.key("Tab");
    app.display.type_text(BORN);
    app.wait_text("Date of birth (YYYY-MM-DD)", BORN);
    let search = app.tab_to("Search");
    let lock = app.view().find("Button", "Lock").cloned().expect("Lock");
    assert!(!app.ring_round(&lock), "one ring at a time");
    let before = app.view().get("message").to_owned();
    app.display.key("Return");
    let v = app.wait("the answer to the search", |v| v.get("message") != before);
    assert_eq!(v.get("message-good"), "true", "{:?}", v.get("message"));
    // Enter leaves the focus where it was: on Search, still ringed.
    assert!(app.ring_round(&search));
    app.tab_to(&format!("{GIVEN} {FAMILY}"));
    app.shot("desk-keyboard-01-result-reached-by-tab");
    app.display.key("Return");
    app.wait("the record", |v| v.screen() == "Record");
    // Far below the window's bottom (out of view, the probe does not list it): Tab scrolls the
    // record to it.
    assert!(
        app.view()
            .find("Button", "Objection")
            .is_none_or(|b| b.y > 600)
    );
    app.tab_to("Objection");
    app.shot("desk-keyboard-02-record-scrolled-by-tab");
}
