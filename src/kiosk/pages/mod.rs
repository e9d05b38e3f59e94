//! What each kiosk page shows, as plain data built from the controller's state (no Slint types):
//! which page is up, messages already in the screen's language, `{clinic}` filled in, the problem
//! each question shows first, and when the look goes back to the default for the next patient.
//! The adapters under `src/ui/` only copy these fields into the Slint globals.
//!
//! Views that carry what a patient typed wipe it when dropped, like the review page's.

mod handover_page;
mod panels;
#[cfg(test)]
mod tests;

use zeroize::Zeroizing;

pub(super) use handover_page::first_problem;
pub use handover_page::{
    ChoiceView, ConsentView, DobCheck, HandoverChrome, HandoverView, QuestionView, handover_view,
};
pub use panels::BackOfficePanel;

use super::{Kiosk, Message, RecordView};
use crate::forms::tr;
use crate::session::Screen;
use crate::staff::{Lockout, Role};

/// The clinic's name in place of `{clinic}` (form titles, the privacy notice, consent texts).
pub fn with_clinic(text: &str, clinic: &str) -> String {
    text.replace("{clinic}", clinic)
}

/// Which page is up: the session's screen, or the recovery key once right after setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    FirstRun,
    RecoveryKey,
    Closed,
    Locked,
    StaffHome,
    Handover,
    HandBack,
}

/// A message in the screen's language ("" for none), and whether it reports a success (shown
/// calmly rather than as an error).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Said {
    pub text: String,
    pub good: bool,
}

impl Said {
    pub fn of(message: Option<&Message>, language: &str) -> Said {
        message.map_or_else(Said::default, |m| Said {
            text: m.text(language),
            good: m.is_good(),
        })
    }
}

/// What every page shares (no `Debug`: it may hold the recovery key).
pub struct KioskView {
    pub page: Page,
    pub clinic_name: String,
    /// The language the screen is in: the patient's in handover, else the staff's.
    pub language: String,
    /// That language is written right to left ([`crate::i18n::right_to_left`]).
    pub right_to_left: bool,
    pub message: Said,
    /// Shown once after setup; "" otherwise.
    pub recovery_key: Zeroizing<String>,
    /// Off the handover and the receipt the next patient starts with the default look: large
    /// text and high contrast are the patient's choice for their own form and receipt only.
    pub reset_theme: bool,
    /// The closed kiosk untouched for a while: what was typed into its passphrase or recovery
    /// key field is wiped (the window clears the field when this turns true).
    pub wipe_unlock_field: bool,
    /// What the hand-back screen says to the patient, in the language they filled their form
    /// in: they hold the tablet when it shows (after a wipe for idling, too). Its PIN pad is in
    /// the staff's language, as the rest of the screen ([`KioskView::language`]).
    pub hand_back: HandBackWords,
}

/// The hand-back screen's words to the patient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandBackWords {
    pub title: String,
    pub note: String,
}

impl HandBackWords {
    pub fn in_language(lang: &str) -> HandBackWords {
        let say = |words| crate::i18n::t_in(crate::i18n::KIOSK, lang, words, &[]);
        HandBackWords {
            title: say(crate::i18n::msgid(
                "Thank you. Please hand the tablet back to a member of staff.",
            )),
            note: say(crate::i18n::msgid(
                "Your form has been cleared from this screen.",
            )),
        }
    }
}

/// One staff tile on the PIN pad.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffTile {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Locked after too many wrong PINs (a manager must unlock it).
    pub locked: bool,
}

/// The staff picker and PIN pad.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinView {
    pub staff: Vec<StaffTile>,
    pub selected_id: String,
    pub selected_name: String,
    pub digits: usize,
    pub status: Said,
}

/// One of today's forms on staff home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionLine {
    pub id: String,
    /// `HH:MM`.
    pub time: String,
    pub name: String,
    /// The consents granted, by item id, comma-separated.
    pub consents: String,
    pub state: String,
}

/// Staff home (its panels have their own views: clinic form, back office, staff and keys).
pub struct HomeView<'a> {
    pub staff_name: &'a str,
    pub role: Option<Role>,
    pub is_manager: bool,
    pub may_see_medical: bool,
    pub submissions: Vec<SubmissionLine>,
    /// A form opened by a clinician or manager.
    pub record: Option<&'a RecordView>,
    /// The returning-patient search's result.
    pub lookup: Said,
    pub returning_found: bool,
    /// The clock runs behind what was recorded: a manager may confirm it is right.
    pub clock_behind: bool,
}

/// One consent choice on the receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptLine {
    pub title: String,
    pub granted: bool,
}

/// The receipt on the hand-back screen, in the patient's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptView {
    pub reference: String,
    /// The date written out in the patient's language.
    pub date: String,
    pub choices: Vec<ReceiptLine>,
    /// What the QR code holds.
    pub qr_payload: String,
}

impl Kiosk {
    pub fn kiosk_view(&self) -> KioskView {
        let key = self.showing_recovery_key();
        let page = match (self.screen(), key.is_some()) {
            (_, true) => Page::RecoveryKey,
            (Screen::FirstRun, _) => Page::FirstRun,
            (Screen::Closed, _) => Page::Closed,
            (Screen::Locked, _) => Page::Locked,
            (Screen::StaffHome, _) => Page::StaffHome,
            (Screen::Handover, _) => Page::Handover,
            (Screen::HandBack, _) => Page::HandBack,
        };
        let language = self.display_language();
        KioskView {
            page,
            clinic_name: self.clinic_name().to_owned(),
            language: language.to_owned(),
            right_to_left: crate::i18n::right_to_left(language),
            message: Said::of(self.message(), language),
            recovery_key: Zeroizing::new(key.unwrap_or("").to_owned()),
            reset_theme: !self.patients_screen() && self.screen() != Screen::Handover,
            wipe_unlock_field: self.unlock_abandoned(),
            hand_back: HandBackWords::in_language(self.patients_language()),
        }
    }

    pub fn pin_view(&self) -> PinView {
        let selected = self.pin_staff();
        PinView {
            staff: self
                .staff()
                .iter()
                .map(|m| StaffTile {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    role: m.role,
                    locked: matches!(m.lockout, Lockout::Locked),
                })
                .collect(),
            selected_id: selected.map(|m| m.id.clone()).unwrap_or_default(),
            selected_name: selected.map(|m| m.name.clone()).unwrap_or_default(),
            digits: self.pin_digit_count(),
            status: Said::of(self.pin_message(), self.display_language()),
        }
    }

    pub fn home_view(&self) -> HomeView<'_> {
        let role = self.actor().map(|a| a.role());
        HomeView {
            staff_name: self.actor_name(),
            role,
            is_manager: role.is_some_and(Role::may_manage),
            may_see_medical: role.is_some_and(Role::may_read_medical),
            submissions: self
                .todays_submissions()
                .iter()
                .map(|s| SubmissionLine {
                    id: s.id.clone(),
                    time: s.created_at.get(11..16).unwrap_or("").to_owned(),
                    name: s.patient_name.clone(),
                    consents: s
                        .consents
                        .iter()
                        .filter(|(_, d)| d.is_granted())
                        .map(|(item, _)| item.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    state: s.export_state.as_str().to_owned(),
                })
                .collect(),
            record: self.record_view(),
            lookup: Said::of(self.lookup_message(), self.display_language()),
            returning_found: self.returning_found(),
            clock_behind: self.clock_behind(),
        }
    }

    /// The receipt while the hand-back screen shows one.
    pub fn receipt_view(&self) -> Option<ReceiptView> {
        let receipt = self.receipt()?;
        let lang = self.form.language.as_str();
        let clinic = self.clinic_name();
        let consents = &self.definition().consents;
        Some(ReceiptView {
            reference: receipt.reference.clone(),
            date: chrono::NaiveDate::parse_from_str(&receipt.date, "%Y-%m-%d")
                .map(|d| crate::forms::dates::long_date(d, lang))
                .unwrap_or_else(|_| receipt.date.clone()),
            choices: receipt
                .choices
                .iter()
                .filter_map(|(id, granted)| {
                    let item = consents.iter().find(|c| &c.id == id)?;
                    Some(ReceiptLine {
                        title: with_clinic(tr(&item.title, lang), clinic),
                        granted: *granted,
                    })
                })
                .collect(),
            qr_payload: receipt.qr_payload(clinic),
        })
    }
}
