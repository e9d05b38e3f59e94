//! What the UI shows: read-only accessors the adapters copy into Slint.

use super::*;

impl Kiosk {
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
        self.pin.message.as_ref()
    }

    pub fn lookup_message(&self) -> Option<&Message> {
        self.signed.lookup_message.as_ref()
    }

    pub fn returning_found(&self) -> bool {
        self.signed.returning.is_some()
    }

    pub fn staff(&self) -> &[StaffMember] {
        &self.staff
    }

    pub fn pin_staff(&self) -> Option<&StaffMember> {
        let id = self.pin.staff.as_deref()?;
        self.staff.iter().find(|m| m.id == id)
    }

    pub fn pin_digit_count(&self) -> usize {
        self.pin.digits.chars().count()
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.signed.actor.as_ref()
    }

    pub fn actor_name(&self) -> &str {
        &self.signed.name
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

    /// The language the screen should be in now: the patient's while they fill their form and
    /// while their receipt shows, else the staff's — the staff PIN prompt over the form too, and
    /// the hand-back screen's PIN pad once the patient is done (staff may not read the patient's
    /// language; the prompt covers the whole form, and the patient's choice is back on cancel).
    pub fn display_language(&self) -> &str {
        if self.patients_screen() {
            &self.form.language
        } else {
            &self.staff_language
        }
    }

    /// The language the patient chose for their form (kept when the form is wiped: their choice,
    /// not their data); the staff's before anyone chose.
    pub fn patients_language(&self) -> &str {
        &self.form.language
    }

    /// The patient's own screen: their form (no staff prompt over it) or their receipt. Their
    /// language and their look (large text, contrast) hold there.
    pub(super) fn patients_screen(&self) -> bool {
        self.in_handover() || (self.screen() == Screen::HandBack && self.receipt.is_some())
    }

    /// The receipt on the hand-back screen, while it shows.
    pub fn receipt(&self) -> Option<&Receipt> {
        self.receipt.as_ref()
    }

    pub fn record_view(&self) -> Option<&RecordView> {
        self.home.record_view.as_ref()
    }

    /// The lockout state of the selected staff member, for the PIN pad's delay display.
    pub fn selected_lockout(&self) -> Option<Lockout> {
        self.pin_staff().map(|m| m.lockout)
    }

    /// Where the data lives (for the README's "demo" mode message).
    pub fn data_path(&self) -> Option<std::path::PathBuf> {
        match &self.backend {
            Backend::Closed(s) => Some(s.path().to_owned()),
            Backend::Open(s) => s.data_path(),
            Backend::Moving => None,
        }
    }
}
