//! A desk action's refusal in words for staff, in their language: what it needs and was not
//! given, input that does not fit, and the refusals of the store ([`super::store_words`]), the
//! exchange ([`super::exchange_words`]) and staff administration. Every [`Needed`] has its words
//! (the match is exhaustive). Also the one way the controller runs an action ([`Desk::act`]).

use super::actions::{ActionError, ActionResult, Needed, Records};
use super::{Desk, exchange_words};
use crate::i18n::msgid;
use crate::store::Actor;

/// A time a clock message names, as the retention check's names it (UTC: the clock in question
/// is the one that may be wrong, so no zone is worked out from it).
pub(super) fn clock_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// What to type, choose or set, for each thing an action needs and was not given.
fn needed_words(needed: Needed) -> &'static str {
    match needed {
        Needed::Duplicate => msgid("Choose the duplicate record to merge into this one."),
        Needed::RegulatorReference => msgid("Give the regulator's reference for the report."),
        Needed::KioskCode => msgid("Type the code the kiosk's screen shows."),
        Needed::StaffName => msgid("Give the staff member's name."),
        Needed::ExchangeFolder => {
            msgid("Set the exchange folder first (under Kiosks and bundles).")
        }
        Needed::OutboxFolder => msgid("Set the outbox folder first (under Kiosks and bundles)."),
        Needed::BackupFolder => msgid("Set the backup folder first (under Backups)."),
        Needed::KioskId => msgid("Choose the kiosk first."),
        Needed::PairingCode => msgid(
            "Paste the kiosk's pairing code (it starts with IKP1:) or type the full path of a picture of its QR code.",
        ),
    }
}

impl Desk {
    /// Runs one action as the signed-in staff member: its result, or `None` with the refusal
    /// said (nothing happens when nobody is signed in).
    pub(super) fn act<T>(
        &mut self, action: impl FnOnce(Records, &Actor) -> ActionResult<T>,
    ) -> Option<T> {
        let (records, actor) = self.signed_in()?;
        match action(records, actor) {
            Ok(done) => Some(done),
            Err(e) => {
                self.say_failure(&e);
                None
            }
        }
    }

    /// [`Self::act`], then `done` (catalogued words without `{}`) said to staff if it succeeded.
    pub(super) fn act_saying<T>(
        &mut self, done: &'static str, action: impl FnOnce(Records, &Actor) -> ActionResult<T>,
    ) -> Option<T> {
        let outcome = self.act(action);
        if outcome.is_some() {
            self.say_t(done, &[], true);
        }
        outcome
    }

    /// A failed action in words for staff (see the module).
    pub(super) fn say_failure(&mut self, e: &ActionError) {
        match e {
            ActionError::Store(e) => self.say_store_failure(e),
            ActionError::NoSuchQuestion(_) => self.say_t(
                "Nothing to do: no such record or nothing granted.",
                &[],
                false,
            ),
            ActionError::Missing(needed) => self.say_t(needed_words(*needed), &[], false),
            ActionError::Search(problem) => {
                let text = problem.words(&self.lang);
                self.say(text, false);
            }
            ActionError::NotAClockTime(typed) => self.say_t(
                "{} is not a time of day: give it as HH:MM on the 24-hour clock, such as 21:30.",
                &[typed],
                false,
            ),
            ActionError::AlreadyLogged { due_on } => self.say_t(
                "This request is logged already and open (due {}): nothing was logged again.",
                &[&due_on.to_string()],
                false,
            ),
            ActionError::NotAFullPath(folder) => self.say_t(
                "{} is not a full path: a folder must start with /, such as /media/usb.",
                &[folder],
                false,
            ),
            ActionError::AlreadyRecorded { discovered_at } => self.say_t(
                "This breach is recorded already (discovered {}) and not yet reported: nothing was recorded again. Describe a second one in other words.",
                &[&clock_time(*discovered_at)],
                false,
            ),
            ActionError::ClockBehind { reads, recorded } => self.say_t(
                "The clock reads {}, before {}, which this desk has already recorded, so nothing was written: a withdrawal or correction dated by it would count as made before what was recorded since. Set the date and time; if the clock is right (it ran ahead before), a manager taps The clock is right.",
                &[&clock_time(*reads), &clock_time(*recorded)],
                false,
            ),
            ActionError::StaffAdmin(e) => self.say_staff_refusal(e),
            ActionError::Exchange(e) => {
                let text = exchange_words::exchange_failure_words(&self.lang, e);
                self.say(crate::i18n::as_sentence(&text), false);
            }
            other => self.say(other.to_string(), false),
        }
    }
}
