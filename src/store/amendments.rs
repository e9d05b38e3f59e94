//! Rectification: an amendment replaces the current value (a submission's answers, or the
//! patient's identity and contact details) and keeps the value it replaced, with who, when and
//! why, in the append-only `amendments` table. The current value stays where every reader looks.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use zeroize::Zeroizing;

use super::audit::{self, AuditKind};
use super::patients::{open_identity, reseal_identity};
use super::submissions::aad;
use super::{Actor, OpenStore, StoreError};
use crate::forms::{Answers, PatientIdentity};
use crate::vault::{Aad, Vault, random_id};

/// The value an amendment replaced.
pub enum Previous {
    Answers(Answers),
    Identity(PatientIdentity),
    /// Medical answers, not shown to this role.
    Withheld,
}

/// One amendment, newest last.
pub struct Amendment {
    pub id: String,
    pub patient_id: String,
    /// The amended submission; `None` when the identity was amended.
    pub submission_id: Option<String>,
    pub staff_id: String,
    /// RFC 3339.
    pub amended_at: String,
    pub reason: String,
    pub previous: Previous,
}

fn amendment_aad<'a>(column: &'static str, id: &'a str) -> Aad<'a> {
    Aad {
        table: "amendments",
        column,
        row_id: id,
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_amendment(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
    submission_id: Option<&str>,
    staff_id: &str,
    at: &str,
    previous_json: &[u8],
    reason: &str,
) -> Result<String, StoreError> {
    let id = random_id()?;
    let sealed_previous = vault.seal(amendment_aad("sealed_previous", &id), previous_json)?;
    let sealed_reason = vault.seal(amendment_aad("sealed_reason", &id), reason.as_bytes())?;
    conn.prepare_cached(
        "INSERT INTO amendments (id, patient_id, submission_id, staff_id, amended_at, sealed_previous, sealed_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![id, patient_id, submission_id, staff_id, at, sealed_previous, sealed_reason])?;
    Ok(id)
}

pub(super) fn require_reason(reason: &str) -> Result<&str, StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("say why the record is amended".into()));
    }
    if reason.len() > 2000 {
        return Err(StoreError::Invalid(
            "the reason is too long (2,000 characters at most)".into(),
        ));
    }
    Ok(reason)
}

impl OpenStore {
    /// Rectifies a submission's answers: the new answers become current, the old are kept in
    /// the history with who, when and why. Clinicians and managers only. Logged.
    pub fn amend_answers(
        &self,
        actor: &Actor,
        submission_id: &str,
        answers: &Answers,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        actor.require_medical()?;
        let reason = require_reason(reason)?;
        let at = now.to_rfc3339();
        let tx = self.conn().unchecked_transaction()?;
        let (patient_id, sealed): (String, Vec<u8>) = tx
            .query_row(
                "SELECT patient_id, sealed_answers FROM submissions WHERE id = ?1",
                [submission_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(not_found)?;
        let previous = self
            .vault()
            .open(aad("sealed_answers", submission_id), &sealed)
            .map_err(|_| StoreError::Tampered)?;
        let id = insert_amendment(
            &tx,
            self.vault(),
            &patient_id,
            Some(submission_id),
            actor.staff_id(),
            &at,
            &previous,
            reason,
        )?;
        let json = Zeroizing::new(serde_json::to_vec(answers)?);
        let sealed = self
            .vault()
            .seal(aad("sealed_answers", submission_id), &json)?;
        tx.execute(
            "UPDATE submissions SET sealed_answers = ?2 WHERE id = ?1",
            params![submission_id, sealed],
        )?;
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::Amended,
            submission_id,
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Rectifies a patient's identity or contact details (any role: reception updates an
    /// address). The old details are kept in the history. Logged.
    pub fn amend_identity(
        &self,
        actor: &Actor,
        patient_id: &str,
        identity: &PatientIdentity,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let at = now.to_rfc3339();
        let tx = self.conn().unchecked_transaction()?;
        super::merge::refuse_if_merged(&tx, patient_id)?;
        let id = amend_identity_in(
            &tx,
            self.vault(),
            actor.staff_id(),
            patient_id,
            identity,
            reason,
            &at,
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// A patient's amendments, oldest first. Replaced answers are shown to clinicians and
    /// managers only; reception sees that they were amended, by whom, when and why. Logged.
    pub fn amendments(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let list = amendments_of(
            self.conn(),
            self.vault(),
            patient_id,
            actor.may_see_medical(),
        )?;
        self.record_event(actor.staff_id(), AuditKind::RecordViewed, patient_id, now)?;
        Ok(list)
    }
}

/// Rectifies a patient's identity inside the caller's transaction: the old details are kept
/// sealed in the history with who (`staff_id`), when and why, the new ones become current (with
/// their look-up indexes), and the audit log notes it. Shared by the desk's correction, a
/// confirmed returning patient's own update at the kiosk and a kiosk's update arriving at the
/// desk.
pub(super) fn amend_identity_in(
    conn: &Connection,
    vault: &Vault,
    staff_id: &str,
    patient_id: &str,
    identity: &PatientIdentity,
    reason: &str,
    at: &str,
) -> Result<String, StoreError> {
    let reason = require_reason(reason)?;
    identity
        .name_dob_key()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let previous = open_identity(conn, vault, patient_id)?;
    let previous_json = Zeroizing::new(serde_json::to_vec(&previous)?);
    let id = insert_amendment(
        conn,
        vault,
        patient_id,
        None,
        staff_id,
        at,
        &previous_json,
        reason,
    )?;
    reseal_identity(conn, vault, patient_id, identity)?;
    audit::append(conn, vault, at, staff_id, AuditKind::Amended, patient_id)?;
    Ok(id)
}

/// Records, inside the caller's transaction, an amendment that keeps `previous` (identity JSON)
/// with who, when and why, without changing any current value (a merge keeps the duplicate's
/// details this way).
pub(super) fn keep_identity_in_history(
    conn: &Connection,
    vault: &Vault,
    staff_id: &str,
    patient_id: &str,
    previous: &PatientIdentity,
    reason: &str,
    at: &str,
) -> Result<String, StoreError> {
    let reason = require_reason(reason)?;
    let previous_json = Zeroizing::new(serde_json::to_vec(previous)?);
    insert_amendment(
        conn,
        vault,
        patient_id,
        None,
        staff_id,
        at,
        &previous_json,
        reason,
    )
}

/// Every amendment of a patient, and of the records merged into theirs, opened; medical values
/// only when `medical`.
pub(super) fn amendments_of(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
    medical: bool,
) -> Result<Vec<Amendment>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, submission_id, staff_id, amended_at, sealed_previous, sealed_reason, patient_id
         FROM amendments
         WHERE patient_id = ?1 OR patient_id IN (SELECT id FROM patients WHERE merged_into = ?1)
         ORDER BY seq",
    )?;
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        Option<String>,
        String,
        String,
        Vec<u8>,
        Vec<u8>,
        String,
    )> = stmt
        .query_map([patient_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(
            |(
                id,
                submission_id,
                staff_id,
                amended_at,
                sealed_previous,
                sealed_reason,
                row_patient,
            )| {
                let reason = vault
                    .open(amendment_aad("sealed_reason", &id), &sealed_reason)
                    .map_err(|_| StoreError::Tampered)?;
                let previous = match (&submission_id, medical) {
                    (Some(_), false) => Previous::Withheld,
                    (submission, _) => {
                        let json = vault
                            .open(amendment_aad("sealed_previous", &id), &sealed_previous)
                            .map_err(|_| StoreError::Tampered)?;
                        if submission.is_some() {
                            Previous::Answers(serde_json::from_slice(&json)?)
                        } else {
                            Previous::Identity(serde_json::from_slice(&json)?)
                        }
                    }
                };
                Ok(Amendment {
                    reason: String::from_utf8_lossy(&reason).into_owned(),
                    id,
                    patient_id: row_patient,
                    submission_id,
                    staff_id,
                    amended_at,
                    previous,
                })
            },
        )
        .collect()
}

fn not_found(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        other => other.into(),
    }
}
