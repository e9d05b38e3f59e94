//! Finding patients and opening a record: audited reads by the signed-in role.

use chrono::{DateTime, Utc};

use super::super::SearchProblem;
use super::{ActionResult, Records};
use crate::store::{Actor, ListedPatient, PatientRecord};

/// The patients with this name and date of birth, with their details to list them by (the blind
/// index; logged as one look-up, not as a view of each record found). A name or date of birth
/// missing, or a date that is not one, is refused first ([`super::ActionError::Search`]).
pub fn search(
    records: Records, actor: &Actor, given: &str, family: &str, date_of_birth: &str,
    now: DateTime<Utc>,
) -> ActionResult<Vec<ListedPatient>> {
    SearchProblem::check(given, family, date_of_birth)?;
    Ok(records.look_up_patients(actor, given, family, date_of_birth, now)?)
}

/// A patient's record as the actor's role may see it (logged as a view).
pub fn open_record(
    records: Records, actor: &Actor, patient: &str, now: DateTime<Utc>,
) -> ActionResult<PatientRecord> {
    Ok(records.open_record(actor, patient, now)?)
}
