//! What staff do on an open record: correct, withdraw, restrict, export, erase, merge, log a
//! request. Each calls one use case in [`super::actions`] and says what came of it.

use chrono::{DateTime, Utc};

use super::Desk;
use super::actions::{self, ActionResult, DetailChanges, Records, StatementTo};
use crate::i18n::t;
use crate::store::{Actor, NewRightsRequest};

impl Desk {
    /// Corrects one answer of the open form (rectification: a new version with who, when and
    /// why; the old answers stay in the history). Clinicians and managers.
    pub fn amend_answer(
        &mut self, question_id: &str, value: &str, reason: &str, now: DateTime<Utc>,
    ) {
        let Some(submission) = self.form().map(|f| f.submission_id.clone()) else {
            return;
        };
        let amended = self.act(|records, actor| {
            actions::amend_answer(records, actor, &submission, question_id, value, reason, now)
        });
        if amended.is_some() {
            self.open_form(&submission, now);
            self.reopen_keeping_form(now);
            self.say_t(
                "Answer corrected; the earlier version is kept in the history.",
                &[],
                true,
            );
        }
    }

    /// Withdraws one consent item of the open record (any role), effective at once.
    pub fn withdraw(&mut self, item: &str, now: DateTime<Utc>) {
        let withdrawn = self.on_open_record(|records, actor, patient| {
            actions::withdraw(records, actor, patient, item, now)
        });
        if withdrawn.is_some() {
            self.reopen(now);
            let title = self
                .record()
                .and_then(|r| r.consents.iter().find(|c| c.item == item))
                .map_or(item.to_owned(), |c| c.title.clone());
            self.say_t("Withdrawn: {}.", &[&title], true);
        }
    }

    /// Writes the patient's data (JSON, FHIR, readable page) to the export folder. Managers.
    pub fn export_data(&mut self, now: DateTime<Utc>) {
        let folder = self.export_dir.clone();
        if let Some(files) = self.on_open_record(|records, actor, patient| {
            actions::access_export(records, actor, patient, &folder, now)
        }) {
            self.reopen(now);
            let dir = files.html.parent().unwrap_or(&folder).display().to_string();
            self.say_t("The patient's data is in {}", &[&dir], true);
        }
    }

    /// Restricts processing of the open record, or lifts it. Managers.
    pub fn toggle_restriction(&mut self, now: DateTime<Utc>) {
        let restricted = self.record().is_some_and(|r| !r.restricted.is_empty());
        let changed = self.on_open_record(|records, actor, patient| {
            actions::set_restricted(records, actor, patient, !restricted, now)
        });
        if changed.is_some() {
            self.reopen(now);
            if restricted {
                self.say_t("Restriction lifted.", &[], true);
            } else {
                self.say_t("Processing restricted: stored only.", &[], true);
            }
        }
    }

    /// Erases what can be erased now and shows the statement for the patient. Managers.
    pub fn erase(&mut self, now: DateTime<Utc>) {
        let folder = self.export_dir.clone();
        let Some((patient, done)) = self.on_open_record(|records, actor, patient| {
            let to = StatementTo::Folder(&folder);
            let done = actions::erase(records, actor, patient, to, &folder, now);
            done.map(|done| (patient.to_owned(), done))
        }) else {
            return;
        };
        if done.held() {
            self.reopen(now);
        } else if let Some(s) = self.signed_in.as_mut() {
            s.record = None;
            s.form = None;
            s.results.retain(|r| r.id != patient);
        }
        if let Some(r) = self.signed_in.as_mut().and_then(|s| s.record.as_mut()) {
            r.statement = done.text.clone();
        }
        let lang = self.lang.clone();
        let (mut text, mut good) = match &done.saved {
            Ok(file) => {
                let file = file
                    .as_deref()
                    .map(|f| f.display().to_string())
                    .unwrap_or_default();
                if done.statement.old_copies_remain {
                    let said = t(
                        &lang,
                        "Erased; old copies remain in the WAL until the other window closes. Statement saved to {}",
                        &[&file],
                    );
                    (said, false)
                } else {
                    (t(&lang, "Erasure statement saved to {}", &[&file]), true)
                }
            }
            Err(e) => (
                t(
                    &lang,
                    "Erased, but the statement was not saved: {}",
                    &[&e.to_string()],
                ),
                false,
            ),
        };
        if let Some((dir, taken)) = &done.outbox {
            let dir = dir.display().to_string();
            let said = match taken {
                Ok(taken) if !taken.any() => None,
                Ok(taken) => Some(t(
                    &lang,
                    "Forms still waiting in the outbox {}: {} taken out, {} written again without what was erased.",
                    &[
                        &dir,
                        &taken.removed.to_string(),
                        &taken.rewritten.to_string(),
                    ],
                )),
                Err(e) => {
                    good = false;
                    Some(t(
                        &lang,
                        "The forms still waiting in the outbox {} were not all taken out ({}): remove this patient's files there by hand.",
                        &[
                            &dir,
                            &super::exchange_words::exchange_failure_words(&lang, e),
                        ],
                    ))
                }
            };
            if let Some(said) = said {
                text = format!("{}. {said}", text.trim_end_matches('.'));
            }
        }
        self.say(text, good);
    }

    /// Merges the record `duplicate` into the open one (managers; see
    /// [`crate::store::OpenStore::merge_patients`]): its forms and consent decisions become this
    /// patient's, this patient's details stay, and the duplicate is kept, marked merged, with its
    /// details and `reason` in the history.
    pub fn merge_into_open(&mut self, duplicate: &str, reason: &str, now: DateTime<Utc>) {
        let Some(report) = self.on_open_record(|records, actor, patient| {
            actions::merge(records, actor, patient, duplicate, reason, now)
        }) else {
            return;
        };
        let duplicate = duplicate.trim();
        if let Some(s) = self.signed_in.as_mut() {
            s.results.retain(|r| r.id != duplicate);
        }
        self.reopen(now);
        self.say_t(
            "Record {} merged into this one. Moved: forms {}, consent decisions {}. Its details are kept in the history.",
            &[
                duplicate.get(..8).unwrap_or(duplicate),
                &report.submissions.to_string(),
                &report.consent_events.to_string(),
            ],
            true,
        );
    }

    /// Logs a rights request from the open record's patient (any role: requests often arrive
    /// at reception), received today.
    pub fn log_request(
        &mut self, kind: &str, requester: &str, identity_check: &str, now: DateTime<Utc>,
    ) {
        let Some(kind) = crate::rights::RequestKind::parse(kind) else {
            return;
        };
        if let Some(logged) = self.on_open_record(|records, actor, patient| {
            let request = NewRightsRequest {
                patient_id: Some(patient.to_owned()),
                kind,
                received_on: now.date_naive(),
                requester: requester.to_owned(),
                identity_check: identity_check.to_owned(),
                notes: String::new(),
            };
            actions::log_request(records, actor, &request, now)
        }) {
            let due = logged.due_on.to_string();
            self.say_t("Request logged ({}): due {}.", &[kind.as_str(), &due], true);
        }
    }

    /// Corrects the open record's contact details (rectification: the old ones are kept in the
    /// history with who, when and why). Any role.
    pub fn amend_contact(
        &mut self, postcode: &str, email: &str, phone: &str, reason: &str, now: DateTime<Utc>,
    ) {
        let changes = DetailChanges {
            postcode: Some(postcode.to_owned()),
            email: Some(email.to_owned()),
            phone: Some(phone.to_owned()),
            ..DetailChanges::default()
        };
        let amended = self.on_open_record(|records, actor, patient| {
            actions::amend_details(records, actor, patient, &changes, reason, now)
        });
        if amended.is_some() {
            self.reopen(now);
            self.say_t(
                "Contact details corrected; the old ones are kept in the history.",
                &[],
                true,
            );
        }
    }

    /// Runs `action` on the open record's patient as the signed-in staff member: what it
    /// returned, or `None` when no record is open or it failed (said to staff).
    fn on_open_record<T>(
        &mut self, action: impl FnOnce(Records, &Actor, &str) -> ActionResult<T>,
    ) -> Option<T> {
        let (Some(patient), Some((records, actor))) = (self.current_patient(), self.signed_in())
        else {
            return None;
        };
        match action(records, actor, &patient) {
            Ok(done) => Some(done),
            Err(e) => {
                self.failed(e);
                None
            }
        }
    }
}
