//! The desk's controller: what the back-office window shows and does, over its records port,
//! with no UI. The adapter (`ui::desk_adapter`) maps it to the Slint globals; tests drive it
//! directly, against the real store or the in-memory fake.
//!
//! - [`records`]: the port ([`DeskRecords`]) and its implementation for the sealed store;
//! - [`actions`]: the use cases, shared with the `desk` command line;
//! - [`views`]: what each screen shows, as plain structs;
//! - `opening`, `register`, `record_actions`, `office_actions`, `staff_keys`: the controller's
//!   methods, by what the screen is for;
//! - `action_words`, `store_words`, `exchange_words`: an action's, the store's and the
//!   exchange's refusals in the staff's language, for every screen.
//!
//! Invariants: nothing about a patient is held unless a staff member is signed in, and all of it
//! sits in one [`SignedIn`] value, so signing out, locking and the idle lock drop it with one
//! assignment; every record view goes through the store, which checks the role and writes the
//! audit entry.

mod action_words;
pub mod actions;
mod backups;
mod exchange_words;
mod imports;
#[cfg(test)]
mod memory_records;
mod office_actions;
mod opening;
mod record_actions;
pub mod records;
mod register;
mod search_input;
pub use search_input::SearchProblem;
mod settings_panel;
mod staff_keys;
#[cfg(test)]
mod staff_keys_tests;
mod store_words;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
mod views;

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};

pub use opening::Opened;
pub use records::DeskRecords;
pub use settings_panel::SettingView;
pub use staff_keys::{StaffKeysRow, StaffKeysView};
pub use store_words::store_failure_words;
pub use views::{ConsentRow, FormView, HomeView, Line, PatientRow, RecordView};

use crate::i18n::t;
use crate::staff::Role;
use crate::store::{Actor, AuditKind, Store, StoreError};

/// Which screen the desk shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskScreen {
    /// Opened with a manager's passphrase first.
    Closed,
    SignIn,
    Home,
    Record,
    /// Staff and keys (managers).
    StaffKeys,
}

/// A staff tile on the sign-in screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffTile {
    pub id: String,
    pub name: String,
    /// "locked", "wait until 10:42", or "".
    pub note: String,
}

/// The records, closed or open.
enum Backend {
    Closed(Store),
    Open(Box<dyn DeskRecords + Send>),
    /// Only while a slow step has the records (unlocking).
    Busy,
}

/// Everything held for the signed-in staff member; dropped whole on sign-out or lock.
struct SignedIn {
    actor: Actor,
    results: Vec<PatientRow>,
    record: Option<RecordView>,
    /// A submission opened in full on the record (clinicians and managers).
    form: Option<FormView>,
    /// The "Staff and keys" screen, when open (managers).
    staff_keys: Option<StaffKeysView>,
    /// What the last import of kiosk bundles did, a line a bundle (managers).
    imports: Vec<Line>,
}

pub struct Desk {
    backend: Backend,
    signed_in: Option<SignedIn>,
    selected_staff: Option<String>,
    message: String,
    message_good: bool,
    last_activity: DateTime<Utc>,
    idle_lock: Duration,
    export_dir: PathBuf,
    /// The staff's language for the desk's own text (the window's follows the same choice).
    lang: String,
    /// When the backup schedule was last looked at (once a minute is enough).
    backup_checked: Option<DateTime<Utc>>,
    /// Counts the locks: what was copied before one is for no one after it.
    screen_wipes: u64,
    /// The last retention check refused to run on this clock (`StoreError::ClockAhead`).
    clock_ahead: bool,
}

impl Desk {
    /// A desk over a closed store; exports (access requests, statements) go to `export_dir`.
    pub fn new(store: Store, export_dir: PathBuf, now: DateTime<Utc>) -> Desk {
        Desk::with_backend(Backend::Closed(store), export_dir, now)
    }

    /// A desk over records already open (the fake in tests; a store opened elsewhere).
    pub fn with_open_records(
        records: Box<dyn DeskRecords + Send>, export_dir: PathBuf, now: DateTime<Utc>,
    ) -> Desk {
        Desk::with_backend(Backend::Open(records), export_dir, now)
    }

    fn with_backend(backend: Backend, export_dir: PathBuf, now: DateTime<Utc>) -> Desk {
        Desk {
            backend,
            signed_in: None,
            selected_staff: None,
            message: String::new(),
            message_good: false,
            last_activity: now,
            idle_lock: Duration::seconds(300),
            export_dir,
            lang: "en".into(),
            clock_ahead: false,
            backup_checked: None,
            screen_wipes: 0,
        }
    }

    /// Shows the desk's own text in `language` (one of `i18n::LANGUAGES`; English otherwise).
    pub fn with_language(mut self, language: &str) -> Desk {
        if crate::i18n::LANGUAGES.contains(&language) {
            self.lang = language.to_owned();
        }
        self
    }

    pub fn language(&self) -> &str {
        &self.lang
    }

    pub fn screen(&self) -> DeskScreen {
        match (&self.backend, &self.signed_in) {
            (Backend::Closed(_) | Backend::Busy, _) => DeskScreen::Closed,
            (Backend::Open(_), None) => DeskScreen::SignIn,
            (Backend::Open(_), Some(s)) if s.staff_keys.is_some() => DeskScreen::StaffKeys,
            (Backend::Open(_), Some(s)) if s.record.is_none() => DeskScreen::Home,
            (Backend::Open(_), Some(_)) => DeskScreen::Record,
        }
    }

    pub fn message(&self) -> (&str, bool) {
        (&self.message, self.message_good)
    }

    pub(super) fn say(&mut self, text: impl Into<String>, good: bool) {
        self.message = text.into();
        self.message_good = good;
    }

    /// Says `template` in the staff's language, with `{}` filled from `args`.
    pub(super) fn say_t(&mut self, template: &str, args: &[&str], good: bool) {
        let text = t(&self.lang, template, args);
        self.say(text, good);
    }

    /// A store's refusal in the staff's words ([`store_words`]), as a message of its own.
    pub(super) fn say_store_failure(&mut self, e: &StoreError) {
        let text = store_words::store_failure_words(&self.lang, e);
        self.say(crate::i18n::as_sentence(&text), false);
    }

    pub(super) fn records(&self) -> Option<&dyn DeskRecords> {
        match &self.backend {
            Backend::Open(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    pub fn clinic_name(&self) -> String {
        match &self.backend {
            Backend::Open(r) => r.clinic_name(),
            Backend::Closed(s) => s.clinic_name().ok().flatten().unwrap_or_default(),
            Backend::Busy => String::new(),
        }
    }

    /// Seconds without activity before a signed-in desk locks (setting `desk.idle_seconds`).
    pub fn idle_lock(&self) -> Duration {
        self.idle_lock
    }

    /// The records and who is signed in, for an action.
    pub(super) fn signed_in(&self) -> Option<(&dyn DeskRecords, &Actor)> {
        Some((self.records()?, &self.signed_in.as_ref()?.actor))
    }

    /// Who is signed in, for the header.
    pub fn signed_in_as(&self, now: DateTime<Utc>) -> Option<(String, Role)> {
        let (_, actor) = self.signed_in()?;
        let name = self
            .staff(now)
            .into_iter()
            .find(|t| t.id == actor.staff_id())
            .map(|t| t.name)
            .unwrap_or_default();
        Some((name, actor.role()))
    }

    /// Signs out: everything held for the staff member goes with them.
    pub fn lock(&mut self, now: DateTime<Utc>) {
        if let Some((records, actor)) = self.signed_in() {
            let _ = records.record_event(actor.staff_id(), AuditKind::SignedOut, "", now);
        }
        self.signed_in = None;
        self.selected_staff = None;
        // What the last one was told, or copied, is not for whoever signs in next.
        self.say(String::new(), false);
        self.screen_wipes += 1;
    }

    /// How many times the screen was locked: when this moves, the window forgets any text
    /// copied or selected before (`ui::clipboard`).
    pub fn screen_wipes(&self) -> u64 {
        self.screen_wipes
    }

    pub fn activity(&mut self, now: DateTime<Utc>) {
        self.last_activity = now;
    }

    /// A screen that asks for a secret (closed: the passphrase or recovery key; sign-in: a PIN)
    /// has gone unused long enough for what was typed there to be wiped (the window clears the
    /// field while this holds).
    pub fn typed_secret_abandoned(&self, now: DateTime<Utc>) -> bool {
        matches!(self.screen(), DeskScreen::Closed | DeskScreen::SignIn)
            && now - self.last_activity
                >= Duration::seconds(crate::staff::UNLOCK_WIPE_SECONDS.into())
    }

    /// Locks a signed-in desk left idle too long.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        if self.signed_in.is_some() && now - self.last_activity >= self.idle_lock {
            self.lock(now);
            self.say_t("Locked after a time without use.", &[], false);
        }
    }
}
