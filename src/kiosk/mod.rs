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
mod clock_check;
mod form_state;
mod handover;
mod idle;
mod idle_limits;
#[cfg(test)]
mod memory_records;
mod message;
mod opening;
mod pages;
mod pin_pad;
mod receipt;
mod records;
mod review_view;
mod setup_pins;
mod staff_home;
mod staff_keys;
mod submit;
mod sync_port;
mod view;

use chrono::{DateTime, Local, Utc};
use zeroize::Zeroizing;

pub use back_office::BackOfficeView;
pub use clinic_form::FormSummary;
pub use form_state::{DOB_ATTEMPTS, FormState, Step};
pub use idle::Timeouts;
pub use idle_limits::IdleLimit;
pub use message::Message;
pub use opening::{NewStaff, SetupForm};
pub use pages::{
    BackOfficePanel, ChoiceView, ConsentView, DobCheck, HandoverChrome, HandoverView, HomeView,
    KioskView, Page, PinView, QuestionView, ReceiptLine, ReceiptView, Said, StaffTile,
    SubmissionLine, handover_view,
};
pub use receipt::Receipt;
pub use records::KioskRecords;
pub use review_view::{
    ReviewAnswer, ReviewConsent, ReviewRow, ReviewSection, ReviewView, review_view,
};
pub use staff_home::RecordView;
pub use staff_keys::StaffKeysView;
pub use sync_port::KioskSync;

use crate::forms::{ConsentDecision, Decision, DefinitionText, FormDefinition};
use crate::session::{Effect, Event, Screen, Session};
use crate::staff::{Lockout, Role};
use crate::store::{
    Actor, AuditKind, NewSubmission, OpenStore, PatientRef, SetupRequest, StaffMember, Store,
    StoreError, SubmissionSummary, SyncRole,
};
use crate::vault::{Passphrase, Pin, RecoveryKey, VaultError};
use opening::open_kiosk_store;

enum Backend {
    Closed(Store),
    /// The vault is open. Behind the records trait so the controller runs against a fake too.
    Open(Box<dyn KioskRecords + Send>),
    /// Only between taking the store out and putting it back inside one call.
    Moving,
}

/// The PIN pad's state: wiped whenever the screen changes.
#[derive(Default)]
struct PinPad {
    /// The tile chosen.
    staff: Option<String>,
    digits: Zeroizing<String>,
    message: Option<Message>,
}

/// What staff home shows besides today's list: wiped whenever the screen changes.
#[derive(Default)]
struct HomeScreen {
    record_view: Option<RecordView>,
    back_office: BackOfficeView,
    /// The "Staff and keys" panel (a new recovery key is shown there once).
    staff_keys: StaffKeysView,
}

/// Who took the tablet with their PIN, and the patient they looked up: dropped whole when the
/// tablet is locked, handed back or closed.
#[derive(Default)]
struct SignedIn {
    actor: Option<Actor>,
    name: String,
    /// A returning patient found on staff home, for the next handover.
    returning: Option<String>,
    lookup_message: Option<Message>,
}

pub struct Kiosk {
    session: Session,
    backend: Backend,
    definition: FormDefinition,
    timeouts: Timeouts,
    clinic_name: String,
    staff: Vec<StaffMember>,
    signed: SignedIn,
    pin: PinPad,
    home: HomeScreen,
    pub form: FormState,
    message: Option<Message>,
    recovery_key: Option<Zeroizing<String>>,
    todays: Vec<SubmissionSummary>,
    idle_secs: u32,
    staff_language: String,
    /// Bumped whenever the handover page must be redrawn (step, language, visibility, problems).
    pub form_revision: u64,
    clock: clock_check::KioskClock,
    /// The definition's canonical JSON and hash, computed once; stored with submissions.
    definition_text: DefinitionText,
    /// Started with `--form FILE`: that form stays for this run, whatever is stored.
    form_pinned: bool,
    receipt: Option<Receipt>,
    /// What staff must know about the last handover's form, shown on staff home once a staff
    /// PIN takes the tablet back (e.g. saved as a new patient: date of birth not confirmed).
    handover_notice: Option<Message>,
    /// Counts the wipes of what the screen showed (a form wiped, a lock, a hand-back).
    screen_wipes: u64,
}

/// Where the controller reads the time. The wall clock in the app; tests move it forward to
/// let lockout delays pass.
pub type Clock = std::sync::Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

fn wall_clock() -> Clock {
    std::sync::Arc::new(Utc::now)
}

impl Kiosk {
    pub fn new(
        store: Store, definition: FormDefinition, timeouts: Timeouts,
    ) -> Result<Kiosk, StoreError> {
        store.set_page_cache_for(SyncRole::Kiosk)?;
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
        records: Box<dyn KioskRecords + Send>, clinic_name: &str, definition: FormDefinition,
        timeouts: Timeouts,
    ) -> Result<Kiosk, StoreError> {
        let staff = records.list_staff(Utc::now())?;
        let mut kiosk = Kiosk::from_parts(
            Session::new(true),
            Backend::Open(records),
            clinic_name.to_owned(),
            staff,
            definition,
            timeouts,
        );
        kiosk.apply(Event::PassphraseAccepted);
        kiosk.read_idle_limits();
        kiosk.load_active_form();
        Ok(kiosk)
    }

    fn from_parts(
        session: Session, backend: Backend, clinic_name: String, staff: Vec<StaffMember>,
        definition: FormDefinition, timeouts: Timeouts,
    ) -> Kiosk {
        Kiosk {
            session,
            backend,
            timeouts,
            clinic_name,
            staff,
            signed: SignedIn::default(),
            pin: PinPad::default(),
            home: HomeScreen::default(),
            form: FormState::blank("en", None),
            message: None,
            recovery_key: None,
            todays: Vec::new(),
            idle_secs: 0,
            staff_language: "en".into(),
            form_revision: 0,
            clock: clock_check::KioskClock::new(wall_clock()),
            definition_text: DefinitionText::of(&definition),
            form_pinned: false,
            definition,
            receipt: None,
            handover_notice: None,
            screen_wipes: 0,
        }
    }

    /// Replaces the clock (tests).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock.now = clock;
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock.now)()
    }

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
        // The log line names the event only: the subject may be a patient's record id.
        tracing::info!("kiosk: {}", kind.as_str());
        if let (Some(store), Some(actor)) = (self.open_store(), self.signed.actor.as_ref()) {
            // An audit write that fails (disk full) must not trap a patient in a screen; the
            // failure itself shows on the next save, which fails the same way.
            let _ = store.record_event(actor.staff_id(), kind, subject, self.now());
        }
    }

    /// Every session event goes through here: the machine decides, this carries out the effects
    /// it returns, and what the old screen showed goes with it — one assignment per screen's
    /// state (the PIN pad, staff home's panels, and on locking or handing back, whoever was
    /// signed in and the patient they looked up).
    fn apply(&mut self, event: Event) {
        let was = self.session.screen();
        for effect in self.session.handle(event) {
            match effect {
                Effect::WipeForm => {
                    if was == Screen::Handover && event == Event::IdleTimeout {
                        self.audit(AuditKind::HandoverWiped, "");
                    }
                    // The language is the patient's choice, not their data: their receipt on the
                    // hand-back screen stays in it.
                    let language = std::mem::take(&mut self.form.language);
                    self.form = FormState::blank(&language, None);
                    self.screen_wipes += 1;
                }
                Effect::BlankForm => {
                    let returning = self.signed.returning.take();
                    self.form = FormState::blank(&self.staff_language, returning);
                }
                Effect::DropKeys => self.drop_keys(),
                // The window stays; the countdown and PIN prompt are read from the session.
                Effect::RefuseClose | Effect::ShowCountdown(_) | Effect::ShowPinPrompt(_) => {}
            }
        }
        if self.session.screen() != was {
            tracing::info!("kiosk screen: {:?} -> {:?}", was, self.session.screen());
            self.idle_secs = 0;
            self.receipt = None;
            self.message = None;
            self.pin = PinPad::default();
            // The open pairing code holds its one-time secret: off the screen when it changes.
            self.home = HomeScreen::default();
            if matches!(
                self.session.screen(),
                Screen::Locked | Screen::HandBack | Screen::Closed
            ) {
                self.signed = SignedIn::default();
                self.screen_wipes += 1;
            }
        }
        // Typing changes the form in place: the page is not rebuilt under the patient's finger.
        if !matches!(
            event,
            Event::PatientInput | Event::SubmitRejected | Event::CloseRequested
        ) {
            self.form_revision += 1;
        }
    }
}

#[cfg(test)]
mod tests;
