//! The handover: the patient's answers, consents, date-of-birth check and signature, step by step.

use super::*;

impl Kiosk {
    pub(super) fn in_handover(&self) -> bool {
        self.screen() == Screen::Handover && !self.session.pin_prompt()
    }

    pub fn set_language(&mut self, language: &str) {
        if self.in_handover() && self.definition.languages.iter().any(|l| l == language) {
            self.form.set_language(&self.definition, language);
            self.form_revision += 1;
        }
    }

    pub fn set_text(&mut self, question_id: &str, text: &str) {
        if self.in_handover() {
            self.form.set_text(&self.definition, question_id, text);
            self.apply(Event::PatientInput);
        }
    }

    pub fn set_yes_no(&mut self, question_id: &str, value: bool) {
        if self.in_handover() {
            self.form.set_yes_no(&self.definition, question_id, value);
            self.apply(Event::PatientInput);
            self.form_revision += 1;
        }
    }

    pub fn toggle_choice(&mut self, question_id: &str, choice_id: &str) {
        if self.in_handover() {
            self.form
                .toggle_choice(&self.definition, question_id, choice_id);
            self.apply(Event::PatientInput);
            self.form_revision += 1;
        }
    }

    pub fn set_consent(&mut self, item_id: &str, ticked: bool) {
        if self.in_handover() && self.definition.consents.iter().any(|c| c.id == item_id) {
            self.form.set_consent(&self.definition, item_id, ticked);
            self.apply(Event::PatientInput);
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
        self.apply(Event::PatientInput);
        let now = self.now();
        let (Some(store), Some(actor)) = (self.open_store(), self.signed.actor.as_ref()) else {
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
            self.apply(Event::PatientInput);
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
}
