//! The register: finding patients, opening a record and one of its forms (audited reads by the
//! signed-in role).

use chrono::{DateTime, Utc};

use super::views::{self, FormView, Line, PatientRow, Reader, RecordView};
use super::{Desk, SignedIn, actions::ActionError};
use crate::i18n::{t, tn};
use crate::store::StoreError;

impl Desk {
    pub fn results(&self) -> &[PatientRow] {
        self.signed_in.as_ref().map_or(&[], |s| &s.results)
    }

    pub fn record(&self) -> Option<&RecordView> {
        self.signed_in.as_ref()?.record.as_ref()
    }

    pub fn form(&self) -> Option<&FormView> {
        self.signed_in.as_ref()?.form.as_ref()
    }

    /// The open record's patient.
    pub(super) fn current_patient(&self) -> Option<String> {
        self.record().map(|r| r.patient_id.clone())
    }

    /// Finds patients by name and date of birth on the blind index.
    pub fn search(&mut self, given: &str, family: &str, dob: &str, now: DateTime<Utc>) {
        let Some((records, actor)) = self.signed_in() else {
            return;
        };
        match super::actions::search(records, actor, given, family, dob, now) {
            Ok(found) => {
                let rows = views::patient_rows(&found);
                let n = rows.len();
                if let Some(s) = self.signed_in.as_mut() {
                    s.results = rows;
                }
                if n == 0 {
                    self.say_t("No patient with that name and date of birth.", &[], false);
                } else {
                    let text = tn(
                        &self.lang,
                        "{} found.",
                        "{} found.",
                        u64::try_from(n).unwrap_or(u64::MAX),
                        &[&n.to_string()],
                    );
                    self.say(text, true);
                }
            }
            Err(e) => {
                // A refused search leaves no earlier results looking like its own.
                if let Some(s) = self.signed_in.as_mut() {
                    s.results.clear();
                }
                self.say_failure(&e);
            }
        }
    }

    /// Opens a patient's record (an audited view, by the signed-in role).
    pub fn open_patient(&mut self, patient_id: &str, now: DateTime<Utc>) {
        let lang = self.lang.clone();
        let read = |reader: &Reader| views::record_view(reader, patient_id);
        self.show(now, read, |s, mut view| {
            if s.actor.role().may_manage() && !view.merged {
                view.merge_candidates = merge_candidates(&s.results, &view.patient_id, &lang);
            }
            if s.record
                .as_ref()
                .is_none_or(|r| r.patient_id != view.patient_id)
            {
                s.form = None;
            }
            s.record = Some(view);
        });
    }

    /// Reads a view as the signed-in staff member and puts it on screen with `place`, or says
    /// why it could not be read.
    fn show<V>(
        &mut self, now: DateTime<Utc>, read: impl FnOnce(&Reader) -> Result<V, StoreError>,
        place: impl FnOnce(&mut SignedIn, V),
    ) {
        let staff = self.staff(now);
        let Some((records, actor)) = self.signed_in() else {
            return;
        };
        let lang = &self.lang;
        match read(&Reader {
            records,
            actor,
            staff: &staff,
            lang,
            now,
        }) {
            Ok(view) => {
                if let Some(s) = self.signed_in.as_mut() {
                    place(s, view);
                }
                self.say("", false);
            }
            Err(e) => self.say_failure(&e.into()),
        }
    }

    /// Back to home: the record and its form are dropped.
    pub fn back(&mut self) {
        if let Some(s) = self.signed_in.as_mut() {
            s.record = None;
            s.form = None;
        }
    }

    /// Opens one of the record's submissions in full: answers as the patient gave them (in the
    /// exact form they filled), the signature, and earlier versions. An audited medical read:
    /// the store refuses reception.
    pub fn open_form(&mut self, submission_id: &str, now: DateTime<Utc>) {
        let read = |reader: &Reader| views::form_view(reader, submission_id);
        self.show(now, read, |s, view| s.form = Some(view));
    }

    pub fn close_form(&mut self) {
        if let Some(s) = self.signed_in.as_mut() {
            s.form = None;
        }
    }

    /// Reopens the record after a change (its consents, details and form list show the change),
    /// keeping the statement shown on it.
    pub(super) fn reopen(&mut self, now: DateTime<Utc>) {
        let Some((id, statement)) = self
            .record()
            .map(|r| (r.patient_id.clone(), r.statement.clone()))
        else {
            return;
        };
        self.open_patient(&id, now);
        if let Some(r) = self.signed_in.as_mut().and_then(|s| s.record.as_mut()) {
            r.statement = statement;
        }
    }

    /// Reopens the record without closing the open form.
    pub(super) fn reopen_keeping_form(&mut self, now: DateTime<Utc>) {
        let form = self.signed_in.as_mut().and_then(|s| s.form.take());
        self.reopen(now);
        if let Some(s) = self.signed_in.as_mut() {
            s.form = form;
        }
    }

    /// Reports a failed action and keeps the screen as it was.
    pub(super) fn failed(&mut self, e: ActionError) {
        self.say_failure(&e);
    }
}

/// The other records of the last search (`results`), as merge candidates for `patient_id`: each
/// with its postcode, which is what tells namesakes born the same day apart.
fn merge_candidates(results: &[PatientRow], patient_id: &str, lang: &str) -> Vec<Line> {
    results
        .iter()
        .filter(|r| r.id != patient_id)
        .map(|r| Line {
            text: t(
                lang,
                "{} — born {}, postcode {}, reference {}",
                &[
                    &r.name,
                    &r.born,
                    views::or_dash(&r.postcode),
                    r.id.get(..8).unwrap_or(&r.id),
                ],
            ),
            alert: false,
            id: r.id.clone(),
        })
        .collect()
}
