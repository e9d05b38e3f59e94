//! Rectification: correcting a patient's details or one answer of a form, and merging a duplicate
//! record. The old values stay in the history with who, when and why (the store keeps them).

use chrono::{DateTime, Utc};

use super::{ActionError, ActionResult, Needed, Records};
use crate::forms::{answer_from_text, form_used};
use crate::store::{Actor, MergeReport};

/// The details to change; `None` keeps the stored value. Values are trimmed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DetailChanges {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub postcode: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Corrects a patient's details (any role); returns the amendment's id.
pub fn amend_details(
    records: Records, actor: &Actor, patient: &str, changes: &DetailChanges, reason: &str,
    now: DateTime<Utc>,
) -> ActionResult<String> {
    super::clock::may_date(records, now)?;
    let mut identity = records.patient_identity(actor, patient, now)?;
    for (change, field) in [
        (&changes.given_name, &mut identity.given_name),
        (&changes.family_name, &mut identity.family_name),
        (&changes.date_of_birth, &mut identity.date_of_birth),
        (&changes.postcode, &mut identity.postcode),
        (&changes.email, &mut identity.email),
        (&changes.phone, &mut identity.phone),
    ] {
        if let Some(value) = change {
            value.trim().clone_into(field);
        }
    }
    Ok(records.amend_identity(actor, patient, &identity, reason, now)?)
}

/// Corrects one medical answer of a submission, typed as text (clinicians and managers). The
/// answer is read against the exact form the patient filled: a record whose form is not stored
/// cannot be corrected ([`crate::forms::FormNotStored`]). Returns the amendment's id.
pub fn amend_answer(
    records: Records, actor: &Actor, submission: &str, question_id: &str, value: &str,
    reason: &str, now: DateTime<Utc>,
) -> ActionResult<String> {
    super::clock::may_date(records, now)?;
    let record = records.read_medical(actor, submission, now)?;
    let form = form_used(record.form_definition_json.as_deref()).exact()?;
    let question = form
        .questions()
        .find(|q| q.id == question_id && !q.identity)
        .ok_or_else(|| ActionError::NoSuchQuestion(question_id.to_owned()))?;
    let answer = answer_from_text(question, value).map_err(ActionError::BadValue)?;
    let mut answers = record.answers.clone();
    answers.set(question_id, answer);
    Ok(records.amend_answers(actor, submission, &answers, reason, now)?)
}

/// Merges the record `duplicate` into `into` (managers).
pub fn merge(
    records: Records, actor: &Actor, into: &str, duplicate: &str, reason: &str, now: DateTime<Utc>,
) -> ActionResult<MergeReport> {
    super::clock::may_date(records, now)?;
    let duplicate = duplicate.trim();
    if duplicate.is_empty() {
        return Err(ActionError::Missing(Needed::Duplicate));
    }
    Ok(records.merge_patients(actor, into, duplicate, reason, now)?)
}
