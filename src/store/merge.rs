//! Merging a duplicate record into the right one (managers, at the desk).
//!
//! A patient can end up with two records: a form saved as a new patient because their date of
//! birth was not confirmed at the kiosk, or details typed differently at two visits. A merge makes
//! the duplicate's forms and consent decisions the surviving patient's, with history:
//! - the duplicate's submissions move to the survivor (a submission's sealed values are bound to
//!   the submission's id, not the patient's, so nothing is re-sealed); its rights requests follow;
//! - its consent events, append-only and each naming its patient inside the sealed JSON, are
//!   re-recorded under the survivor as new events that keep their original time, decision, text
//!   hash and version, language and device; the originals stay with the duplicate, and the
//!   survivor's ledger is read in the order decisions were taken, so an older decision brought in
//!   by a merge never overrides a later one;
//! - the duplicate is marked merged, never deleted: its details are kept in the history (an
//!   amendment with who, when and why) and its look-up indexes point nowhere, so neither the
//!   kiosk's three-point check, the desk's search nor a kiosk's import finds it again;
//! - the survivor's identity is not touched; its last visit becomes the later of the two, and a
//!   restriction on the duplicate carries over;
//! - records whose patient asked for erasure are not merged (what was erased must not come back).
//!
//! One transaction; logged as `merged` with the subject `duplicate>survivor`.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::amendments::{keep_identity_in_history, require_reason};
use super::audit::AuditKind;
use super::patient_records::{LAST_VISIT, Listed, RESTRICTED, relink, set_state, state_row};
use super::patients::{move_rows, open_identity, patient_row, requests_of_patient, set_patient};
use super::submissions::{append_consent_events, patient_consent_events};
use super::{Actor, OpenStore, StoreError, first_column};
use crate::forms::ConsentEvent;
use crate::store::writing::Writing;
use crate::vault::{Vault, random_id};

/// What a merge moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeReport {
    pub submissions: usize,
    pub consent_events: usize,
}

/// The columns of a patient row a merge decides on.
struct RowState {
    merged_into: Option<String>,
    erasure_requested_at: Option<String>,
    restricted_at: Option<String>,
    last_visit_at: String,
}

fn row_state(conn: &Connection, vault: &Vault, patient_id: &str) -> Result<RowState, StoreError> {
    let row = patient_row(conn, vault, patient_id)?;
    let state = state_row(conn, vault, patient_id)?;
    Ok(RowState {
        merged_into: row.opt_text("merged_into")?,
        erasure_requested_at: row.opt_text("erasure_requested_at")?,
        restricted_at: state.opt_text(RESTRICTED)?,
        last_visit_at: state.text(LAST_VISIT)?,
    })
}

/// Refuses a change to a record that was merged into another: its consents and details are no
/// longer the patient's current ones, so a withdrawal or correction there would have no effect.
pub(super) fn refuse_if_merged(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<(), StoreError> {
    match super::returning::merged_into(conn, vault, patient_id)? {
        Some(into) => Err(StoreError::Invalid(format!(
            "record {patient_id} was merged into {into}: make the change there"
        ))),
        None => Ok(()),
    }
}

impl OpenStore {
    /// Merges the record `duplicate` into `into` (see the module doc). Managers only: a wrong
    /// merge puts one patient's medical history in another's record and makes their consent
    /// decisions apply to someone else, so it carries the same accountability as erasure and
    /// restriction. `reason` is kept (sealed) with the duplicate's details. Logged.
    pub fn merge_patients(
        &self, actor: &Actor, into: &str, duplicate: &str, reason: &str, now: DateTime<Utc>,
    ) -> Result<MergeReport, StoreError> {
        actor.require_manager()?;
        let reason = require_reason(reason)?;
        if into == duplicate {
            return Err(StoreError::Invalid(
                "a record cannot be merged into itself".into(),
            ));
        }
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        let survivor = row_state(&tx, self.vault(), into)?;
        let merged = row_state(&tx, self.vault(), duplicate)?;
        if let Some(other) = &survivor.merged_into {
            return Err(StoreError::Invalid(format!(
                "record {into} was itself merged into {other}: merge into that one"
            )));
        }
        if let Some(other) = &merged.merged_into {
            return Err(StoreError::Invalid(format!(
                "record {duplicate} was already merged into {other}"
            )));
        }
        if survivor.erasure_requested_at.is_some() || merged.erasure_requested_at.is_some() {
            return Err(StoreError::Invalid(
                "a record whose patient asked for erasure cannot be merged".into(),
            ));
        }
        // Both must open: a damaged record is refused before anything changes.
        open_identity(&tx, self.vault(), into)?;
        let duplicate_identity = open_identity(&tx, self.vault(), duplicate)?;
        keep_identity_in_history(
            &tx,
            self.vault(),
            actor.staff_id(),
            duplicate,
            &duplicate_identity,
            &format!("merged into {into}: {reason}"),
            &at,
        )?;
        // Read (and checked) while the duplicate's decisions still sit with their forms.
        let events = patient_consent_events(&tx, self.vault(), duplicate)?;
        let into_value = Value::Text(into.to_owned());
        // The duplicate's forms go to the survivor, linked into its chain instead (below); its
        // ledger rows stay its own.
        let Listed {
            forms: moved,
            ledger: duplicate_ledger,
        } = Listed::of_patient(&tx, self.vault(), duplicate)?;
        move_rows(&tx, self.vault(), "submissions", &moved, &into_value)?;
        let submissions = moved.len();
        let copies = events
            .iter()
            .map(|event| {
                Ok(ConsentEvent {
                    id: random_id()?,
                    patient_id: into.to_owned(),
                    ..event.clone()
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        append_consent_events(&tx, self.vault(), into, &copies)?;
        let requests = requests_of_patient(&tx, duplicate)?;
        move_rows(&tx, self.vault(), "rights_requests", &requests, &into_value)?;
        // Records merged into the duplicate earlier now point at the survivor: no chains.
        for id in first_column::<String>(
            &tx,
            "SELECT id FROM patients WHERE merged_into = ?1",
            [duplicate],
        )? {
            set_patient(
                &tx,
                self.vault(),
                &id,
                &[("merged_into", Value::Text(into.to_owned()))],
            )?;
        }
        // Index values no look-up can produce (real keys start "v1").
        let nowhere_lookup = self.vault().blind_index(&format!("merged\x1f{duplicate}"));
        let nowhere_name = self
            .vault()
            .blind_index(&format!("merged-name\x1f{duplicate}"));
        set_patient(
            &tx,
            self.vault(),
            duplicate,
            &[
                ("merged_into", Value::Text(into.to_owned())),
                ("merged_at", Value::Text(at.clone())),
                ("lookup_index", Value::Blob(nowhere_lookup.to_vec())),
                ("name_dob_index", Value::Blob(nowhere_name.to_vec())),
            ],
        )?;
        let left = Listed {
            forms: Vec::new(),
            ledger: duplicate_ledger,
        };
        let heads = relink(&tx, self.vault(), &left)?;
        set_state(&tx, self.vault(), duplicate, &heads)?;
        let mut survivor_records = Listed::of_patient(&tx, self.vault(), into)?;
        survivor_records.forms.extend(moved);
        let mut changes = relink(&tx, self.vault(), &survivor_records)?;
        let last_visit = survivor
            .last_visit_at
            .clone()
            .max(merged.last_visit_at.clone());
        let restricted = survivor
            .restricted_at
            .clone()
            .or(merged.restricted_at.clone())
            .map_or(Value::Null, Value::Text);
        changes.push((LAST_VISIT, Value::Text(last_visit)));
        changes.push((RESTRICTED, restricted));
        set_state(&tx, self.vault(), into, &changes)?;
        self.audit_as(
            actor,
            &tx,
            &at,
            AuditKind::Merged,
            &format!("{duplicate}>{into}"),
        )?;
        tx.commit(self.vault())?;
        Ok(MergeReport {
            submissions,
            consent_events: events.len(),
        })
    }
}
