//! Patients: a pseudonymous id, blind indexes for look-up, and the sealed identity.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::audit::{self, AuditKind};
use super::{Actor, OpenStore, StoreError};
use crate::forms::PatientIdentity;
use crate::vault::{Aad, Vault, random_id};

pub(super) fn identity_aad(patient_id: &str) -> Aad<'_> {
    Aad {
        table: "patients",
        column: "sealed_identity",
        row_id: patient_id,
    }
}

fn indexes(vault: &Vault, identity: &PatientIdentity) -> Result<([u8; 32], [u8; 32]), StoreError> {
    let lookup = identity
        .lookup_key()
        .map_err(|e| StoreError::Encoding(e.to_string()))?;
    let name_dob = identity
        .name_dob_key()
        .map_err(|e| StoreError::Encoding(e.to_string()))?;
    Ok((vault.blind_index(&lookup), vault.blind_index(&name_dob)))
}

/// Inserts a new patient inside the caller's transaction.
pub(super) fn insert_patient(
    conn: &Connection,
    vault: &Vault,
    identity: &PatientIdentity,
    at: &str,
) -> Result<String, StoreError> {
    let id = random_id()?;
    let (lookup, name_dob) = indexes(vault, identity)?;
    let json = zeroize::Zeroizing::new(serde_json::to_vec(identity)?);
    let sealed = vault.seal(identity_aad(&id), &json)?;
    conn.prepare_cached(
        "INSERT INTO patients (id, lookup_index, name_dob_index, sealed_identity, created_at, last_visit_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, &lookup[..], &name_dob[..], sealed, at])?;
    Ok(id)
}

/// Re-seals a patient's identity (and its look-up indexes) inside the caller's transaction.
pub(super) fn reseal_identity(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
    identity: &PatientIdentity,
) -> Result<(), StoreError> {
    // A postcode erased with the contact details leaves no three-point key: the index then
    // holds a value no look-up can produce (keys start "v1"), and the patient is found by name
    // and date of birth only.
    let (lookup, name_dob) = if identity.postcode.trim().is_empty() {
        let name_dob = identity
            .name_dob_key()
            .map_err(|e| StoreError::Encoding(e.to_string()))?;
        (
            vault.blind_index(&format!("no-postcode\x1f{patient_id}")),
            vault.blind_index(&name_dob),
        )
    } else {
        indexes(vault, identity)?
    };
    let json = zeroize::Zeroizing::new(serde_json::to_vec(identity)?);
    let sealed = vault.seal(identity_aad(patient_id), &json)?;
    let changed = conn.execute(
        "UPDATE patients SET lookup_index = ?2, name_dob_index = ?3, sealed_identity = ?4 WHERE id = ?1",
        params![patient_id, &lookup[..], &name_dob[..], sealed],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(super) fn open_identity(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
) -> Result<PatientIdentity, StoreError> {
    let sealed: Vec<u8> = conn
        .query_row(
            "SELECT sealed_identity FROM patients WHERE id = ?1",
            [patient_id],
            |r| r.get(0),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            other => other.into(),
        })?;
    let json = vault
        .open(identity_aad(patient_id), &sealed)
        .map_err(|_| StoreError::Tampered)?;
    Ok(serde_json::from_slice(&json)?)
}

impl OpenStore {
    /// The returning-patient look-up (three-point check: name, date of birth, postcode). Works
    /// on the blind index: no identity is decrypted to search. Logged.
    pub fn find_returning_patient(
        &self,
        actor: &Actor,
        identity: &PatientIdentity,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let lookup = identity
            .lookup_key()
            .map_err(|e| StoreError::Encoding(e.to_string()))?;
        let index = self.vault().blind_index(&lookup);
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM patients WHERE lookup_index = ?1 ORDER BY last_visit_at DESC LIMIT 1",
        )?;
        let found: Option<String> = stmt.query_row([&index[..]], |r| r.get(0)).ok();
        self.record_event(
            actor.staff_id(),
            AuditKind::PatientLookup,
            found.as_deref().unwrap_or(""),
            now,
        )?;
        Ok(found)
    }

    /// A patient's identity and contact details (every role may see these). Logged.
    pub fn patient_identity(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<PatientIdentity, StoreError> {
        let identity = open_identity(self.conn(), self.vault(), patient_id)?;
        audit::append(
            self.conn(),
            self.vault(),
            &now.to_rfc3339(),
            actor.staff_id(),
            AuditKind::RecordViewed,
            patient_id,
        )?;
        Ok(identity)
    }

    /// How many patients the store holds.
    pub fn patient_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM patients", [], |r| r.get(0))?)
    }

    /// Adds many patients in one transaction (imports and benchmarks). Returns their ids.
    pub fn insert_patients(
        &mut self,
        actor: &Actor,
        identities: &[PatientIdentity],
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        actor.require_manager()?;
        let at = now.to_rfc3339();
        let tx = self.conn().unchecked_transaction()?;
        let ids = identities
            .iter()
            .map(|identity| insert_patient(&tx, self.vault(), identity, &at))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(ids)
    }
}
