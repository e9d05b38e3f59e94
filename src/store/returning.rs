//! The wrong-patient guard's proof, and what a confirmed returning patient's form does to their
//! record.
//!
//! Staff find a returning patient with the three-point check; that finds a record, it does not
//! prove that the person holding the tablet is its patient. A [`ConfirmedPatient`] is that proof:
//! only [`OpenStore::confirm_date_of_birth`] (or the in-memory fake, for controller tests) creates
//! one, when the person typed the record's own date of birth, and a
//! [`PatientRef::Returning`](super::PatientRef) cannot be built without it. Everything else is
//! saved as a new patient and leaves the looked-up record as it was.
//!
//! Invariants, checked again inside the saving transaction ([`check_confirmed`]):
//! - the proof names one patient, the staff member whose handover it was issued in, and the date
//!   of birth that was confirmed; the form's own date of birth must be that one, and so must the
//!   record's (it cannot have been amended in between), and the record must not have been merged;
//! - a confirmed patient's changed details never overwrite: they are an amendment (the old
//!   details kept sealed, with who, when and why) in the same transaction as the form;
//! - a detail left blank on the tablet keeps the stored one: a returning patient's form starts
//!   blank (nothing is shown before the guard), so a blank field is not a wish to erase.

use std::fmt;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use zeroize::Zeroizing;

use super::amendments::amend_identity_in;
use super::patients::open_identity;
use super::{Actor, OpenStore, StoreError};
use crate::forms::PatientIdentity;
use crate::forms::identity::parse_date_of_birth;
use crate::vault::Vault;

/// Why the kiosk changed a confirmed patient's details, as kept with the old ones.
pub const UPDATED_AT_KIOSK: &str = "updated by the patient at the kiosk";

/// Proof that the person at the tablet typed this patient's date of birth in this handover.
/// Created only by a successful date-of-birth check; no `Debug` of the date.
#[derive(Clone)]
pub struct ConfirmedPatient {
    patient_id: String,
    staff_id: String,
    /// The confirmed date, as YYYY-MM-DD.
    date_of_birth: Zeroizing<String>,
}

impl fmt::Debug for ConfirmedPatient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfirmedPatient")
            .field("patient_id", &self.patient_id)
            .finish_non_exhaustive()
    }
}

impl ConfirmedPatient {
    /// Only a date-of-birth check that matched calls this (the store, and the fake).
    pub(crate) fn new(patient_id: &str, actor: &Actor, typed_date_of_birth: &str) -> Option<Self> {
        let date = parse_date_of_birth(typed_date_of_birth).ok()?;
        Some(ConfirmedPatient {
            patient_id: patient_id.to_owned(),
            staff_id: actor.staff_id().to_owned(),
            date_of_birth: Zeroizing::new(date.to_string()),
        })
    }

    pub fn patient_id(&self) -> &str {
        &self.patient_id
    }

    /// Whether `identity` carries the date of birth that was confirmed: a form whose own date of
    /// birth differs from the one typed at the guard is not this patient's.
    pub fn confirms(&self, identity: &PatientIdentity) -> bool {
        parse_date_of_birth(&identity.date_of_birth)
            .is_ok_and(|d| d.to_string() == *self.date_of_birth)
    }
}

/// The one rule for joining a form to a confirmed patient, for the store and the fake alike:
/// checks the proof against the signed-in staff member, the stored record and the form's details,
/// and returns the details to record as an amendment when the patient changed any (`None` when
/// nothing changed or no details came with the form).
pub(crate) fn check_confirmed(
    confirmed: &ConfirmedPatient, actor: &Actor, stored: &PatientIdentity,
    details: Option<&PatientIdentity>,
) -> Result<Option<PatientIdentity>, StoreError> {
    if confirmed.staff_id != actor.staff_id() {
        return Err(StoreError::Forbidden);
    }
    let stored_date = parse_date_of_birth(&stored.date_of_birth).ok();
    if stored_date.map(|d| d.to_string()).as_deref() != Some(confirmed.date_of_birth.as_str()) {
        return Err(StoreError::Invalid(
            "the record's date of birth is not the one confirmed at the kiosk".into(),
        ));
    }
    let Some(details) = details else {
        return Ok(None);
    };
    if !confirmed.confirms(details) {
        return Err(StoreError::Invalid(
            "the form's date of birth is not the one confirmed at the kiosk".into(),
        ));
    }
    let updated = stored.updated_with(details);
    Ok((updated != *stored).then_some(updated))
}

/// Whether a patient was merged into another (and into which).
pub(super) fn merged_into(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<Option<String>, StoreError> {
    super::patients::patient_row(conn, vault, patient_id)?.opt_text("merged_into")
}

/// What a returning patient's form filed at `at` changes of their visit `state`: the last
/// visit, which only moves forward. Written with the rest of the visit ([`finish_visit`]).
///
/// [`finish_visit`]: super::submissions::finish_visit
pub(super) fn visit_noted(
    state: &super::row_auth::Row, at: &str,
) -> Result<Vec<(&'static str, rusqlite::types::Value)>, StoreError> {
    use super::patient_records::{LAST_VISIT, visit_time};
    let last = state.text(LAST_VISIT)?;
    let at = visit_time(at);
    Ok(if at > last {
        vec![(LAST_VISIT, rusqlite::types::Value::Text(at))]
    } else {
        Vec::new()
    })
}

/// Joins a form to a confirmed returning patient inside the caller's transaction: checks the
/// proof and records changed details as an amendment. Returns the patient id; the visit is noted
/// with the form ([`visit_noted`]).
pub(super) fn join_confirmed(
    conn: &Connection, vault: &Vault, actor: &Actor, confirmed: &ConfirmedPatient,
    details: Option<&PatientIdentity>, at: &str,
) -> Result<String, StoreError> {
    let patient_id = confirmed.patient_id();
    if merged_into(conn, vault, patient_id)?.is_some() {
        return Err(StoreError::Invalid(
            "the record confirmed at the kiosk was merged into another".into(),
        ));
    }
    let stored = open_identity(conn, vault, patient_id)?;
    if let Some(updated) = check_confirmed(confirmed, actor, &stored, details)? {
        amend_identity_in(
            conn,
            vault,
            actor.staff_id(),
            patient_id,
            &updated,
            UPDATED_AT_KIOSK,
            at,
        )?;
    }
    Ok(patient_id.to_owned())
}

impl OpenStore {
    /// The wrong-patient guard: when `typed` is this patient's stored date of birth, the proof
    /// that lets a form be saved under them (and their earlier choices be shown). The date itself
    /// is never returned. Logged as a look-up of that patient, matched or not.
    pub fn confirm_date_of_birth(
        &self, actor: &Actor, patient_id: &str, typed: &str, now: DateTime<Utc>,
    ) -> Result<Option<ConfirmedPatient>, StoreError> {
        if !self.date_of_birth_matches(actor, patient_id, typed, now)? {
            return Ok(None);
        }
        Ok(ConfirmedPatient::new(patient_id, actor, typed))
    }
}
