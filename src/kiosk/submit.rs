//! Submitting a handover: validation, the wrong-patient guard, the durable save and the receipt.

use super::*;

impl Kiosk {
    /// Validates and saves. On success the form is wiped and the HandBack screen shows.
    /// Slow (sealing, durable commit): call off the UI thread.
    pub fn submit(&mut self) {
        let now = self.now();
        if !self.in_handover() {
            return;
        }
        let problems = self.form.check(&self.definition);
        self.form.signature_missing = self.form.signature.is_empty();
        if !problems.is_empty() || self.form.signature_missing {
            self.form.problems = problems;
            self.jump_to_first_problem();
            self.apply(Event::SubmitRejected);
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
            form: self.definition_text.clone(),
            notice_hash: self.definition.notice_hash(&language),
            language,
        };
        let Some(actor) = self.signed.actor.clone() else {
            return;
        };
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.save_submission(&actor, submission, now) {
            Ok(id) => {
                // The handover ends with the save: its audit entry (submission_saved) is in the
                // save's own commit, so the tap makes one durable commit, not two.
                tracing::info!("kiosk: {}", AuditKind::SubmissionSaved.as_str());
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
                    shown_secs: 0,
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
    pub(super) fn whose_form(&self) -> (PatientRef, bool) {
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

    pub(super) fn jump_to_first_problem(&mut self) {
        let first_section = self.form.problems.iter().find_map(|p| {
            let question = p.question()?;
            self.definition
                .sections
                .iter()
                .position(|s| s.questions.iter().any(|q| q.id == question))
        });
        self.form.step_index = match first_section {
            Some(i) => i + 1,
            None if !self.form.problems.is_empty() => self.definition.sections.len() + 1,
            None => self.form.step_index,
        };
    }
}
