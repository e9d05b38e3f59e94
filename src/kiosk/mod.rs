//! The kiosk controller: drives the session state machine and the store for the UI adapters.
//! No Slint types here; the adapters under `src/ui/` read its state and forward its events.
//!
//! Invariants: the store is only ever open between a passphrase unlock and close-for-day; an
//! [`Actor`] exists only after a correct PIN; the form is replaced by a blank one whenever the
//! session says `WipeForm` or `BlankForm`; a form joins a looked-up patient only with the proof
//! of their date of birth typed in this handover (the wrong-patient guard, `whose_form`), and
//! staff are told when a looked-up patient's form was saved as a new patient's.

mod back_office;
mod clinic_form;
mod form_state;
mod message;
mod setup_pins;

use std::path::PathBuf;

use chrono::{DateTime, Local, Utc};
use zeroize::Zeroizing;

pub use back_office::BackOfficeView;
pub use clinic_form::FormSummary;
pub use form_state::{DOB_ATTEMPTS, FormState, Step};
pub use message::Message;

use crate::forms::{ConsentDecision, Decision, FormDefinition, FormProblem};
use crate::session::{Effect, Event, Screen, Session};
use crate::staff::{Lockout, Role};
use crate::store::KioskRecords;
use crate::store::{
    Actor, AuditKind, NewSubmission, OpenStore, PatientRef, SetupRequest, StaffMember, Store,
    StoreError, SubmissionSummary,
};
use crate::vault::{Passphrase, Pin, RecoveryKey, VaultError};

/// Idle limits, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub handover_idle: u32,
    pub handover_warning: u32,
    pub staff_idle: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            handover_idle: 120,
            handover_warning: 30,
            staff_idle: 180,
        }
    }
}

enum Backend {
    Closed(Store),
    /// The vault is open. Behind the records trait so the controller runs against a fake too.
    Open(Box<dyn KioskRecords + Send>),
    /// Only between taking the store out and putting it back inside one call.
    Moving,
}

/// What the patient sees at hand-back: their choices (no health data) and a reference to quote
/// when they want to withdraw a consent or ask for their data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The first 12 hex digits of the submission id, grouped: `A1B2-C3D4-E5F6`.
    pub reference: String,
    /// (consent item id, granted), in the form's order.
    pub choices: Vec<(String, bool)>,
    pub date: String,
}

impl Receipt {
    /// What the QR code holds: a versioned, plain-text line with no name and no health data.
    pub fn qr_payload(&self, clinic: &str) -> String {
        let choices: Vec<String> = self
            .choices
            .iter()
            .map(|(item, granted)| format!("{item}={}", if *granted { "yes" } else { "no" }))
            .collect();
        format!(
            "IKR1;{clinic};{};{};{}",
            self.date,
            self.reference,
            choices.join(",")
        )
    }
}

/// A submission opened on staff home by a clinician or manager: (question, answer) in the
/// staff language, rendered with the exact form the patient filled. Wiped when dropped.
#[derive(Default)]
pub struct RecordView {
    pub patient_name: String,
    pub rows: Vec<(String, String)>,
}

impl Drop for RecordView {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.patient_name.zeroize();
        for (q, a) in &mut self.rows {
            q.zeroize();
            a.zeroize();
        }
    }
}

/// How long a receipt stays on the hand-back screen if nobody taps Done.
const RECEIPT_SECONDS: u32 = 60;

/// What first-run setup asks for, as typed.
pub struct SetupForm {
    pub clinic: String,
    pub manager: String,
    pub passphrase: Zeroizing<String>,
    pub repeat: Zeroizing<String>,
    pub manager_pin: Zeroizing<String>,
    pub clinician: String,
    pub clinician_pin: Zeroizing<String>,
    pub reception: String,
    pub reception_pin: Zeroizing<String>,
}

pub struct Kiosk {
    session: Session,
    backend: Backend,
    definition: FormDefinition,
    timeouts: Timeouts,
    actor: Option<Actor>,
    actor_name: String,
    clinic_name: String,
    staff: Vec<StaffMember>,
    pin_staff: Option<String>,
    pin_digits: Zeroizing<String>,
    pub form: FormState,
    message: Option<Message>,
    pin_message: Option<Message>,
    recovery_key: Option<Zeroizing<String>>,
    returning: Option<String>,
    lookup_message: Option<Message>,
    todays: Vec<SubmissionSummary>,
    idle_secs: u32,
    staff_language: String,
    /// Bumped whenever the handover page must be redrawn (step, language, visibility, problems).
    pub form_revision: u64,
    clock: Clock,
    /// The definition's canonical JSON, computed once; stored with submissions by its hash.
    definition_json: String,
    /// Started with `--form FILE`: that form stays for this run, whatever is stored.
    form_pinned: bool,
    back_office: BackOfficeView,
    receipt: Option<Receipt>,
    record_view: Option<RecordView>,
    /// What staff must know about the last handover's form, shown on staff home once a staff
    /// PIN takes the tablet back (e.g. saved as a new patient: date of birth not confirmed).
    handover_notice: Option<Message>,
}

/// Where the controller reads the time. The wall clock in the app; tests move it forward to
/// let lockout delays pass.
pub type Clock = std::sync::Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

fn wall_clock() -> Clock {
    std::sync::Arc::new(Utc::now)
}

impl Kiosk {
    pub fn new(
        store: Store,
        definition: FormDefinition,
        timeouts: Timeouts,
    ) -> Result<Kiosk, StoreError> {
        let set_up = store.is_set_up()?;
        let clinic_name = store.clinic_name()?.unwrap_or_default();
        Ok(Kiosk::from_parts(
            Session::new(set_up),
            Backend::Closed(store),
            clinic_name,
            Vec::new(),
            definition,
            timeouts,
        ))
    }

    /// A kiosk already open for the day over any records (tests use the in-memory fake).
    pub fn with_open_records(
        records: Box<dyn KioskRecords + Send>,
        clinic_name: &str,
        definition: FormDefinition,
        timeouts: Timeouts,
    ) -> Result<Kiosk, StoreError> {
        let staff = records.list_staff(Utc::now())?;
        let mut session = Session::new(true);
        session.handle(Event::PassphraseAccepted);
        let mut kiosk = Kiosk::from_parts(
            session,
            Backend::Open(records),
            clinic_name.to_owned(),
            staff,
            definition,
            timeouts,
        );
        kiosk.load_active_form();
        Ok(kiosk)
    }

    fn from_parts(
        session: Session,
        backend: Backend,
        clinic_name: String,
        staff: Vec<StaffMember>,
        definition: FormDefinition,
        timeouts: Timeouts,
    ) -> Kiosk {
        Kiosk {
            session,
            backend,
            timeouts,
            actor: None,
            actor_name: String::new(),
            clinic_name,
            staff,
            pin_staff: None,
            pin_digits: Zeroizing::new(String::new()),
            form: FormState::blank("en", None),
            message: None,
            pin_message: None,
            recovery_key: None,
            returning: None,
            lookup_message: None,
            todays: Vec::new(),
            idle_secs: 0,
            staff_language: "en".into(),
            form_revision: 0,
            clock: wall_clock(),
            definition_json: definition.canonical_json(),
            form_pinned: false,
            back_office: BackOfficeView::default(),
            definition,
            receipt: None,
            record_view: None,
            handover_notice: None,
        }
    }

    /// Replaces the clock (tests).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    // ----- what the UI shows -------------------------------------------------------------

    pub fn screen(&self) -> Screen {
        self.session.screen()
    }
    /// The recovery key is shown once, right after setup, before the PIN pad.
    pub fn showing_recovery_key(&self) -> Option<&str> {
        self.recovery_key.as_deref().map(String::as_str)
    }
    pub fn clinic_name(&self) -> &str {
        &self.clinic_name
    }
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }
    pub fn pin_message(&self) -> Option<&Message> {
        self.pin_message.as_ref()
    }
    pub fn lookup_message(&self) -> Option<&Message> {
        self.lookup_message.as_ref()
    }
    pub fn returning_found(&self) -> bool {
        self.returning.is_some()
    }
    pub fn staff(&self) -> &[StaffMember] {
        &self.staff
    }
    pub fn pin_staff(&self) -> Option<&StaffMember> {
        let id = self.pin_staff.as_deref()?;
        self.staff.iter().find(|m| m.id == id)
    }
    pub fn pin_digit_count(&self) -> usize {
        self.pin_digits.chars().count()
    }
    pub fn actor(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }
    pub fn actor_name(&self) -> &str {
        &self.actor_name
    }
    pub fn todays_submissions(&self) -> &[SubmissionSummary] {
        &self.todays
    }
    pub fn definition(&self) -> &FormDefinition {
        &self.definition
    }
    pub fn countdown(&self) -> Option<u32> {
        self.session
            .countdown()
            .then(|| self.timeouts.handover_idle.saturating_sub(self.idle_secs))
    }
    pub fn pin_prompt(&self) -> bool {
        self.session.pin_prompt()
    }
    pub fn staff_language(&self) -> &str {
        &self.staff_language
    }
    /// The language the screen should be in now: the patient's in handover, else the staff's.
    pub fn display_language(&self) -> &str {
        if self.screen() == Screen::Handover {
            &self.form.language
        } else {
            &self.staff_language
        }
    }

    // ----- plumbing ----------------------------------------------------------------------

    fn open_store(&self) -> Option<&(dyn KioskRecords + Send)> {
        match &self.backend {
            Backend::Open(s) => Some(s.as_ref()),
            _ => None,
        }
    }

    fn open_store_mut(&mut self) -> Option<&mut (dyn KioskRecords + Send)> {
        match &mut self.backend {
            Backend::Open(s) => Some(s.as_mut()),
            _ => None,
        }
    }

    fn audit(&self, kind: AuditKind, subject: &str) {
        if let (Some(store), Some(actor)) = (self.open_store(), self.actor.as_ref()) {
            // An audit write that fails (disk full) must not trap a patient in a screen; the
            // failure itself shows on the next save, which fails the same way.
            let _ = store.record_event(actor.staff_id(), kind, subject, self.now());
        }
    }

    fn apply(&mut self, event: Event) {
        let was = self.session.screen();
        for effect in self.session.handle(event) {
            match effect {
                Effect::WipeForm => {
                    if was == Screen::Handover && event == Event::IdleTimeout {
                        self.audit(AuditKind::HandoverWiped, "");
                    }
                    // The language is the patient's choice, not their data: the hand-back screen
                    // stays in it so they can read "please hand the tablet back".
                    let language = std::mem::take(&mut self.form.language);
                    self.form = FormState::blank(&language, None);
                }
                Effect::BlankForm => {
                    let returning = self.returning.take();
                    self.form = FormState::blank(&self.staff_language, returning);
                }
                Effect::DropKeys => self.drop_keys(),
                Effect::RefuseClose | Effect::ShowCountdown(_) | Effect::ShowPinPrompt(_) => {}
            }
        }
        if self.session.screen() != was {
            self.idle_secs = 0;
            self.receipt = None;
            self.record_view = None;
            // The open pairing code holds its one-time secret: off the screen when it changes.
            self.back_office = BackOfficeView::default();
            self.message = None;
            self.pin_message = None;
            self.pin_digits = Zeroizing::new(String::new());
            self.pin_staff = None;
            if matches!(
                self.session.screen(),
                Screen::Locked | Screen::HandBack | Screen::Closed
            ) {
                self.actor = None;
                self.returning = None;
                self.lookup_message = None;
            }
        }
        self.form_revision += 1;
    }

    fn drop_keys(&mut self) {
        let actor = self.actor.clone();
        if let Backend::Open(open) = std::mem::replace(&mut self.backend, Backend::Moving) {
            let path = open.data_path();
            self.backend = match open.close(actor.as_ref(), self.now()) {
                Ok(Some(store)) => Backend::Closed(store),
                Ok(None) => Backend::Moving,
                // The audit write failed: reopen closed so the keys are gone all the same.
                Err(_) => path
                    .and_then(|p| Store::open(&p).ok())
                    .map_or(Backend::Moving, Backend::Closed),
            };
        }
        self.staff.clear();
        self.todays.clear();
    }

    fn refresh_staff(&mut self) {
        if let Some(store) = self.open_store() {
            match store.list_staff(self.now()) {
                Ok(list) => self.staff = list,
                Err(e) => self.message = Some(Message::from_store(&e)),
            }
        }
    }

    fn refresh_today(&mut self) {
        let (Some(store), Some(actor)) = (self.open_store(), self.actor.as_ref()) else {
            return;
        };
        let midnight = Local::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(Local).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.now());
        match store.submissions_since(actor, midnight, self.now()) {
            Ok(list) => self.todays = list,
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    // ----- first run and opening ---------------------------------------------------------

    /// First-run setup. Slow (key derivation): call off the UI thread.
    pub fn setup(&mut self, form: SetupForm) {
        if self.screen() != Screen::FirstRun {
            return;
        }
        if form.clinic.trim().is_empty() || form.manager.trim().is_empty() {
            self.message = Some(Message::NamesMissing);
            return;
        }
        if *form.passphrase != *form.repeat {
            self.message = Some(Message::PassphraseMismatch);
            return;
        }
        if let Some(name) = setup_pins::refused_pin_owner(&form) {
            self.message = Some(Message::PinNotAllowedFor(name));
            return;
        }
        let mut staff = Vec::new();
        for (name, role, pin) in [
            (&form.clinician, Role::Clinician, &form.clinician_pin),
            (&form.reception, Role::Reception, &form.reception_pin),
        ] {
            if !name.trim().is_empty() {
                staff.push((name.trim().to_owned(), role, Pin::new(pin.as_str())));
            }
        }
        let request = SetupRequest {
            clinic_name: form.clinic.trim().to_owned(),
            manager_name: form.manager.trim().to_owned(),
            manager_passphrase: Passphrase::new(form.passphrase.as_str()),
            manager_pin: Pin::new(form.manager_pin.as_str()),
            staff,
        };
        let Backend::Closed(store) = std::mem::replace(&mut self.backend, Backend::Moving) else {
            return;
        };
        let path = store.path().to_owned();
        match OpenStore::setup(store, request, self.now()) {
            Ok(result) => {
                self.clinic_name = form.clinic.trim().to_owned();
                self.recovery_key = Some(Zeroizing::new(
                    result.recovery_key.to_printable().to_string(),
                ));
                self.backend = Backend::Open(Box::new(result.store));
                self.message = None;
                self.apply(Event::SetupCompleted);
                self.refresh_staff();
            }
            Err(e) => {
                self.message = Some(Message::from_sign_in(&e, self.now()));
                // Setup consumed the store; it wrote nothing (one transaction), so reopen it.
                self.backend = Store::open(&path)
                    .map(Backend::Closed)
                    .unwrap_or(Backend::Moving);
            }
        }
    }

    /// The receipt on the hand-back screen, while it shows.
    pub fn receipt(&self) -> Option<&Receipt> {
        self.receipt.as_ref()
    }

    /// The patient is done reading their receipt.
    pub fn receipt_done(&mut self) {
        self.receipt = None;
        self.form_revision += 1;
    }

    pub fn recovery_noted(&mut self) {
        self.recovery_key = None;
    }

    /// Opens for the day. Slow (key derivation): call off the UI thread.
    pub fn unlock(&mut self, passphrase: &str) {
        let now = self.now();
        self.unlock_with(|store| {
            OpenStore::unlock(store, &Passphrase::new(passphrase), now).map(|(open, _)| open)
        });
    }

    pub fn unlock_with_recovery(&mut self, text: &str) {
        let key = match RecoveryKey::parse(text) {
            Ok(key) => key,
            Err(_) => {
                self.message = Some(Message::WrongRecoveryKey);
                return;
            }
        };
        let now = self.now();
        self.unlock_with(|store| OpenStore::unlock_with_recovery(store, &key, now));
    }

    fn unlock_with(
        &mut self,
        open: impl FnOnce(Store) -> Result<OpenStore, Box<crate::store::UnlockFailure>>,
    ) {
        if self.screen() != Screen::Closed {
            return;
        }
        let Backend::Closed(store) = std::mem::replace(&mut self.backend, Backend::Moving) else {
            return;
        };
        match open(store) {
            Ok(open) => {
                self.backend = Backend::Open(Box::new(open));
                self.apply(Event::PassphraseAccepted);
                self.refresh_staff();
                self.load_active_form();
            }
            Err(failure) => {
                let failure = *failure;
                self.message = Some(match failure.error {
                    StoreError::Vault(VaultError::WrongPassphrase) => Message::WrongPassphrase,
                    StoreError::Vault(VaultError::WrongRecoveryKey) => Message::WrongRecoveryKey,
                    ref other => Message::from_store(other),
                });
                self.backend = Backend::Closed(failure.store);
                self.apply(Event::PassphraseRejected);
            }
        }
    }

    // ----- PIN pad -------------------------------------------------------------------------

    pub fn pin_select(&mut self, staff_id: &str) {
        if self.staff.iter().any(|m| m.id == staff_id) {
            self.pin_staff = Some(staff_id.to_owned());
            self.pin_digits = Zeroizing::new(String::new());
            self.pin_message = None;
        }
    }

    pub fn pin_digit(&mut self, digit: &str) {
        if digit.len() == 1
            && digit.chars().all(|c| c.is_ascii_digit())
            && self.pin_digits.len() < 12
        {
            self.pin_digits.push_str(digit);
        }
    }

    pub fn pin_erase(&mut self) {
        self.pin_digits.pop();
    }

    /// Checks the PIN. Slow (key derivation): call off the UI thread.
    pub fn pin_submit(&mut self) {
        let now = self.now();
        let pin_allowed = match self.screen() {
            Screen::Locked | Screen::HandBack => true,
            Screen::Handover => self.session.pin_prompt(),
            _ => false,
        };
        let Some(staff_id) = self.pin_staff.clone().filter(|_| pin_allowed) else {
            return;
        };
        let pin = Pin::new(self.pin_digits.as_str());
        self.pin_digits = Zeroizing::new(String::new());
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.sign_in(&staff_id, &pin, now) {
            Ok(actor) => {
                let was_patient_facing = self.screen().is_patient_facing();
                if was_patient_facing && self.screen() == Screen::Handover {
                    // Staff ended the handover early: record it before the form is wiped.
                    self.actor = Some(actor.clone());
                    self.audit(AuditKind::HandoverEnded, "cancelled");
                }
                self.actor_name = self
                    .staff
                    .iter()
                    .find(|m| m.id == staff_id)
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                self.actor = Some(actor);
                let was = self.screen();
                self.apply(Event::PinAccepted);
                if was == Screen::HandBack && self.screen() == Screen::StaffHome {
                    self.message = self.handover_notice.take();
                }
                self.refresh_today();
            }
            Err(e) => {
                self.pin_message = Some(Message::from_sign_in(&e, now));
                self.apply(Event::PinRejected);
                self.refresh_staff();
            }
        }
    }

    // ----- staff home ----------------------------------------------------------------------

    pub fn start_new_handover(&mut self) {
        if self.screen() != Screen::StaffHome {
            return;
        }
        self.returning = None;
        self.begin_handover();
    }

    pub fn start_returning_handover(&mut self) {
        if self.screen() == Screen::StaffHome && self.returning.is_some() {
            self.begin_handover();
        }
    }

    fn begin_handover(&mut self) {
        let subject = self.returning.clone().unwrap_or_default();
        self.audit(AuditKind::HandoverStarted, &subject);
        self.apply(Event::StartHandover);
    }

    /// The three-point check: name, date of birth and postcode must all match.
    pub fn find_returning(&mut self, given: &str, family: &str, dob: &str, postcode: &str) {
        let (Some(store), Some(actor)) = (self.open_store(), self.actor.as_ref()) else {
            return;
        };
        let mut identity = crate::forms::PatientIdentity::default();
        identity.given_name = given.to_owned();
        identity.family_name = family.to_owned();
        identity.date_of_birth = dob.to_owned();
        identity.postcode = postcode.to_owned();
        if identity.lookup_key().is_err() {
            self.returning = None;
            self.lookup_message = Some(Message::LookupIncomplete);
            return;
        }
        match store.find_returning_patient(actor, &identity, self.now()) {
            Ok(Some(id)) => {
                self.returning = Some(id);
                self.lookup_message = Some(Message::PatientFound);
            }
            Ok(None) => {
                self.returning = None;
                self.lookup_message = Some(Message::PatientNotFound);
            }
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    /// Opens a listed submission (clinicians and managers; the store refuses anyone else).
    pub fn open_record(&mut self, submission_id: &str) {
        if self.screen() != Screen::StaffHome {
            return;
        }
        let now = self.now();
        let (Some(store), Some(actor)) = (self.open_store(), self.actor.as_ref()) else {
            return;
        };
        match store.read_medical(actor, submission_id, now) {
            Ok(record) => {
                let definition = record
                    .form_definition_json
                    .as_deref()
                    .and_then(|json| FormDefinition::from_stored(json).ok())
                    .unwrap_or_else(|| self.definition.clone());
                let rows =
                    crate::forms::answer_rows(&definition, &record.answers, &self.staff_language)
                        .into_iter()
                        .map(|r| (r.label, r.answer))
                        .collect();
                self.record_view = Some(RecordView {
                    patient_name: record.identity.display_name(),
                    rows,
                });
                self.message = None;
            }
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    pub fn close_record(&mut self) {
        self.record_view = None;
    }

    pub fn record_view(&self) -> Option<&RecordView> {
        self.record_view.as_ref()
    }

    pub fn lock_now(&mut self) {
        if self.screen() == Screen::StaffHome {
            self.audit(AuditKind::SignedOut, "");
            self.apply(Event::LockNow);
            self.refresh_staff();
        }
    }

    /// Lifts a staff member's PIN lockout (managers, with their passphrase). Slow (key derivation).
    pub fn unlock_staff(&mut self, staff_id: &str, passphrase: &str) {
        let now = self.now();
        if !self.actor.as_ref().is_some_and(|a| a.role().may_manage()) {
            self.message = Some(Message::NotAllowed);
            return;
        }
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.reset_lockout(&Passphrase::new(passphrase), staff_id, now) {
            Ok(()) => {
                self.message = Some(Message::StaffUnlocked);
                self.refresh_staff();
            }
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    pub fn close_for_day(&mut self) {
        if self.screen() == Screen::StaffHome
            && self.actor.as_ref().is_some_and(|a| a.role().may_manage())
        {
            self.apply(Event::CloseForDay);
        }
    }

    /// Adds a clinician or receptionist (managers only). Slow (PIN hashing).
    pub fn add_staff(&mut self, name: &str, role: &str, pin: &str) {
        let now = self.now();
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let role = match Role::parse(role) {
            Some(r @ (Role::Clinician | Role::Reception)) => r,
            _ => return,
        };
        if name.trim().is_empty() {
            self.message = Some(Message::NamesMissing);
            return;
        }
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.add_staff(&actor, name.trim(), role, &Pin::new(pin), now) {
            Ok(_) => {
                self.message = Some(Message::StaffAdded);
                self.refresh_staff();
            }
            Err(e) => self.message = Some(Message::from_sign_in(&e, now)),
        }
    }

    // ----- handover ------------------------------------------------------------------------

    fn in_handover(&self) -> bool {
        self.screen() == Screen::Handover && !self.session.pin_prompt()
    }

    pub fn set_language(&mut self, language: &str) {
        if self.in_handover() && self.definition.languages.iter().any(|l| l == language) {
            self.form.language = language.to_owned();
            self.form_revision += 1;
        }
    }

    pub fn set_text(&mut self, question_id: &str, text: &str) {
        if self.in_handover() {
            self.form.set_text(&self.definition, question_id, text);
            self.session.handle(Event::PatientInput);
        }
    }

    pub fn set_yes_no(&mut self, question_id: &str, value: bool) {
        if self.in_handover() && self.definition.questions().any(|q| q.id == question_id) {
            self.form
                .answers
                .set(question_id, crate::forms::AnswerValue::YesNo(value));
            self.session.handle(Event::PatientInput);
            self.form_revision += 1;
        }
    }

    pub fn toggle_choice(&mut self, question_id: &str, choice_id: &str) {
        if self.in_handover() {
            self.form
                .toggle_choice(&self.definition, question_id, choice_id);
            self.session.handle(Event::PatientInput);
            self.form_revision += 1;
        }
    }

    pub fn set_consent(&mut self, item_id: &str, ticked: bool) {
        if self.in_handover() && self.definition.consents.iter().any(|c| c.id == item_id) {
            self.form.ticked.insert(item_id.to_owned(), ticked);
            self.form
                .problems
                .retain(|p| !matches!(p, FormProblem::ConsentRequired { item } if item == item_id));
            self.session.handle(Event::PatientInput);
            self.form_revision += 1;
        }
    }

    /// The wrong-patient guard for a returning patient: their earlier consent decisions show,
    /// and their form joins their record, only after they type their own date of birth. Three
    /// tries; without it the form is saved as a new patient's (see [`Kiosk::submit`]).
    pub fn confirm_date_of_birth(&mut self, typed: &str) {
        if !self.in_handover()
            || self.form.dob_confirmed()
            || self.form.dob_attempts >= DOB_ATTEMPTS
        {
            return;
        }
        let Some(patient_id) = self.form.returning_patient.clone() else {
            return;
        };
        self.form.dob_attempts += 1;
        self.session.handle(Event::PatientInput);
        let now = self.now();
        let (Some(store), Some(actor)) = (self.open_store(), self.actor.as_ref()) else {
            return;
        };
        let outcome = store
            .confirm_date_of_birth(actor, &patient_id, typed, now)
            .and_then(|confirmed| match confirmed {
                Some(confirmed) => store
                    .current_consents(actor, &patient_id, now)
                    .map(|previous| Some((confirmed, previous))),
                None => Ok(None),
            });
        match outcome {
            Ok(Some((confirmed, previous))) => {
                self.form.previous_consents = previous;
                self.form.confirmed = Some(confirmed);
                self.form.dob_failed = false;
            }
            Ok(None) => self.form.dob_failed = true,
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
        self.form_revision += 1;
    }

    pub fn sign_point(&mut self, x: f32, y: f32, new_stroke: bool) {
        if self.in_handover() && self.form.step(&self.definition) == Step::Sign {
            self.form.sign_point(x, y, new_stroke);
            self.session.handle(Event::PatientInput);
        }
    }

    pub fn clear_signature(&mut self) {
        if self.in_handover() {
            self.form.signature = crate::forms::Signature::default();
        }
    }

    pub fn toggle_full_notice(&mut self) {
        if self.in_handover() {
            self.form.show_full_notice = !self.form.show_full_notice;
        }
    }

    pub fn next_step(&mut self) {
        if self.in_handover() && self.form.step_index + 1 < FormState::step_count(&self.definition)
        {
            self.form.step_index += 1;
            self.form_revision += 1;
        }
    }

    pub fn previous_step(&mut self) {
        if self.in_handover() && self.form.step_index > 0 {
            self.form.step_index -= 1;
            self.form_revision += 1;
        }
    }

    pub fn staff_button(&mut self) {
        if self.screen() == Screen::Handover {
            self.apply(Event::StaffButton);
            self.refresh_staff();
        }
    }

    pub fn cancel_pin_prompt(&mut self) {
        self.apply(Event::PinPromptCancelled);
    }

    /// Validates and saves. On success the form is wiped and the HandBack screen shows.
    /// Slow (sealing, durable commit): call off the UI thread.
    pub fn submit(&mut self) {
        let now = self.now();
        if !self.in_handover() {
            return;
        }
        let ticked = self.form.ticked.clone();
        let problems = self.definition.validate(&self.form.answers, &|item| {
            ticked.get(item).copied().unwrap_or(false)
        });
        self.form.signature_missing = self.form.signature.is_empty();
        if !problems.is_empty() || self.form.signature_missing {
            self.form.problems = problems;
            self.jump_to_first_problem();
            self.session.handle(Event::SubmitRejected);
            self.form_revision += 1;
            return;
        }
        let language = self.form.language.clone();
        let consents = self
            .definition
            .consents
            .iter()
            .map(|item| ConsentDecision {
                item_id: item.id.clone(),
                decision: if self.form.is_ticked(&item.id) {
                    Decision::Granted
                } else {
                    Decision::Refused
                },
                text_hash: self.definition.consent_text_hash(item, &language),
                text_version: item.version.clone(),
                language: language.clone(),
            })
            .collect();
        let (patient, saved_as_new) = self.whose_form();
        let submission = NewSubmission {
            patient,
            answers: self.form.medical_answers(&self.definition),
            signature: self.form.signature.clone(),
            consents,
            form_hash: crate::vault::content_hash(self.definition_json.as_bytes()),
            form_definition_json: self.definition_json.clone(),
            notice_hash: self.definition.notice_hash(&language),
            language,
        };
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.save_submission(&actor, submission, now) {
            Ok(id) => {
                self.audit(AuditKind::HandoverEnded, &id);
                self.handover_notice = saved_as_new.then_some(Message::SavedAsNewPatient);
                let hex: String = id
                    .chars()
                    .filter(char::is_ascii_hexdigit)
                    .take(12)
                    .collect::<String>()
                    .to_uppercase();
                let reference = hex
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join("-");
                let choices = self
                    .definition
                    .consents
                    .iter()
                    .map(|c| (c.id.clone(), self.form.is_ticked(&c.id)))
                    .collect();
                self.apply(Event::FormSubmitted);
                self.receipt = Some(Receipt {
                    reference,
                    choices,
                    date: now.date_naive().to_string(),
                });
            }
            Err(e) => {
                // Nothing is lost: the form stays on screen and the store is as it was.
                self.message = Some(Message::from_store(&e));
                self.form_revision += 1;
            }
        }
    }

    /// The wrong-patient guard's one rule: the form joins the looked-up patient only with the
    /// proof that their date of birth was confirmed in this handover, and only if the form's own
    /// date of birth is that one. Anything else is a new patient, and the looked-up record is
    /// left as it was. Returns whose form it is, and whether a looked-up patient's form was saved
    /// as a new patient's (staff are told, to merge the records at the desk if they are one).
    fn whose_form(&self) -> (PatientRef, bool) {
        let identity = self.form.identity();
        match &self.form.confirmed {
            Some(confirmed) if confirmed.confirms(&identity) => (
                PatientRef::Returning {
                    patient: confirmed.clone(),
                    details: Some(identity),
                },
                false,
            ),
            _ => (
                PatientRef::New(identity),
                self.form.returning_patient.is_some(),
            ),
        }
    }

    fn jump_to_first_problem(&mut self) {
        let first_section = self.form.problems.iter().find_map(|p| match p {
            FormProblem::Required { question }
            | FormProblem::NotANumber { question }
            | FormProblem::OutOfRange { question }
            | FormProblem::BadDate { question } => self
                .definition
                .sections
                .iter()
                .position(|s| s.questions.iter().any(|q| &q.id == question)),
            FormProblem::ConsentRequired { .. } => None,
        });
        self.form.step_index = match first_section {
            Some(i) => i + 1,
            None if !self.form.problems.is_empty() => self.definition.sections.len() + 1,
            None => self.form.step_index,
        };
    }

    // ----- time and the window -------------------------------------------------------------

    /// Any touch or key.
    pub fn activity(&mut self) {
        self.idle_secs = 0;
        if self.session.countdown() {
            self.apply(Event::StillHere);
        }
    }

    pub fn still_here(&mut self) {
        self.activity();
    }

    /// Called once a second.
    pub fn tick(&mut self) {
        self.idle_secs = self.idle_secs.saturating_add(1);
        match self.screen() {
            Screen::Handover => {
                let warn_at = self
                    .timeouts
                    .handover_idle
                    .saturating_sub(self.timeouts.handover_warning);
                if self.idle_secs >= self.timeouts.handover_idle {
                    self.apply(Event::IdleTimeout);
                } else if self.idle_secs >= warn_at && !self.session.countdown() {
                    self.apply(Event::IdleWarning);
                }
            }
            Screen::StaffHome if self.idle_secs >= self.timeouts.staff_idle => {
                self.audit(AuditKind::SignedOut, "idle");
                self.apply(Event::IdleTimeout);
                self.refresh_staff();
            }
            Screen::HandBack if self.receipt.is_some() && self.idle_secs >= RECEIPT_SECONDS => {
                self.receipt = None;
                self.form_revision += 1;
            }
            Screen::Locked | Screen::HandBack
                if self.idle_secs >= 30 && !self.pin_digits.is_empty() =>
            {
                self.pin_digits = Zeroizing::new(String::new());
            }
            _ => {}
        }
    }

    /// The window's close button or Alt+F4: always refused; the kiosk closes from staff home.
    pub fn close_requested(&mut self) -> bool {
        self.session.handle(Event::CloseRequested);
        false
    }

    /// The lockout state of the selected staff member, for the PIN pad's delay display.
    pub fn selected_lockout(&self) -> Option<Lockout> {
        self.pin_staff().map(|m| m.lockout)
    }

    pub fn set_staff_language(&mut self, language: &str) {
        self.staff_language = language.to_owned();
    }

    /// Where the data lives (for the README's "demo" mode message).
    pub fn data_path(&self) -> Option<PathBuf> {
        match &self.backend {
            Backend::Closed(s) => Some(s.path().to_owned()),
            Backend::Open(s) => s.data_path(),
            Backend::Moving => None,
        }
    }
}

#[cfg(test)]
mod tests;
