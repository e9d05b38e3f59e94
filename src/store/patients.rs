//! Patients: a pseudonymous id, blind indexes for look-up, and the sealed identity.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::audit::{self, AuditKind};
use super::patient_records::form_seals::Seals;
use super::patient_records::{
    IDENTITY_MAC, LAST_VISIT, Listed, NewState, identity_hash, identity_json_hash, insert_state,
    legacy, set_state, state_row,
};
use super::row_auth::{self, text_key};
use super::{Actor, OpenStore, StoreError};
use crate::forms::PatientIdentity;
use crate::store::writing::Writing;
use crate::vault::{Aad, Vault, time_ordered_id};

pub(super) fn identity_aad(patient_id: &str) -> Aad<'_> {
    Aad {
        table: "patients",
        column: "sealed_identity",
        row_id: patient_id,
    }
}

pub(super) fn indexes(
    vault: &Vault, identity: &PatientIdentity,
) -> Result<([u8; 32], [u8; 32]), StoreError> {
    let (lookup, name_dob) = identity
        .index_keys()
        .map_err(|e| StoreError::Encoding(e.to_string()))?;
    Ok((vault.blind_index(&lookup), vault.blind_index(&name_dob)))
}

/// The ids of `patient_id`'s rights requests (a small table, not listed in the patient's row).
pub(super) fn requests_of_patient(
    conn: &Connection, patient_id: &str,
) -> Result<Vec<String>, StoreError> {
    super::first_column(
        conn,
        "SELECT id FROM rights_requests WHERE patient_id = ?1",
        [patient_id],
    )
}

/// Gives the rows `ids` of `table` (each with a `patient_id` column) to `owner` instead
/// (another patient's id, or `Null` for none), inside the caller's transaction, each row checked
/// and tagged anew. The caller keeps the patients' lists (`patient_records`) in step.
pub(super) fn move_rows(
    conn: &Connection, vault: &Vault, table: &str, ids: &[String], owner: &Value,
) -> Result<(), StoreError> {
    for id in ids {
        let change = [("patient_id", owner.clone())];
        row_auth::update_one(conn, vault, table, &text_key(id), &change)?;
    }
    Ok(())
}

/// Inserts a new patient inside the caller's transaction (no records yet).
pub(super) fn insert_patient(
    conn: &Connection, vault: &Vault, identity: &PatientIdentity, at: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = time_ordered_id(at.timestamp_millis())?;
    let at = &at.to_rfc3339();
    let indexes = indexes(vault, identity)?;
    let nothing = Listed::default();
    insert_patient_as(
        conn,
        vault,
        &id,
        identity,
        &indexes,
        at,
        Value::Null,
        (&nothing, Seals::default()),
    )?;
    Ok(id)
}

/// Inserts the patient `id` (a new [`time_ordered_id`]: a patient's rows land where their tables
/// end) and their visit state (`patient_records`):
/// their consent chain starts at `consent_head` (see `submissions::FirstDecisions`; NULL while
/// it has no decisions), their chains hold `listed` (rows the caller links and writes in the
/// same transaction) whose forms' seals sum to `forms_sum`, with the blind `indexes` of
/// `identity` ([`indexes`], which the caller has usually needed already).
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_patient_as(
    conn: &Connection, vault: &Vault, id: &str, identity: &PatientIdentity,
    (lookup, name_dob): &([u8; 32], [u8; 32]), at: &str, consent_head: Value,
    (listed, forms_sum): (&Listed, Seals),
) -> Result<(), StoreError> {
    // Written once, sealed and hashed from the same bytes.
    let json = crate::vault::json_wiped(identity)?;
    let sealed = vault.seal(identity_aad(id), json.as_bytes())?;
    let mut values = vec![
        ("id", Value::Text(id.to_owned())),
        ("lookup_index", Value::Blob(lookup.to_vec())),
        ("name_dob_index", Value::Blob(name_dob.to_vec())),
        ("sealed_identity", Value::Blob(sealed)),
        ("created_at", Value::Text(at.to_owned())),
        ("erasure_requested_at", Value::Null),
        ("merged_into", Value::Null),
        ("merged_at", Value::Null),
    ];
    values.extend(legacy::EMPTIED);
    row_auth::insert(conn, vault, "patients", &values)?;
    insert_state(
        conn,
        vault,
        id,
        NewState {
            at,
            consent_head,
            listed,
            identity_mac: identity_json_hash(vault, id, json.as_bytes()),
            forms_sum: forms_sum.value(),
        },
    )
}

/// Re-seals a patient's identity (and its look-up indexes) inside the caller's transaction.
pub(super) fn reseal_identity(
    conn: &Connection, vault: &Vault, patient_id: &str, identity: &PatientIdentity,
) -> Result<(), StoreError> {
    set_patient(
        conn,
        vault,
        patient_id,
        &identity_columns(vault, patient_id, identity)?,
    )?;
    let held = identity_hash(vault, patient_id, identity)?;
    set_state(conn, vault, patient_id, &[(IDENTITY_MAC, held)])
}

/// The columns that hold a patient's identity: its look-up indexes and the identity sealed, to
/// be written in one change of their row.
pub(super) fn identity_columns(
    vault: &Vault, patient_id: &str, identity: &PatientIdentity,
) -> Result<Vec<(&'static str, Value)>, StoreError> {
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
    let sealed = super::seal_json(vault, identity_aad(patient_id), identity)?;
    Ok(vec![
        ("lookup_index", Value::Blob(lookup.to_vec())),
        ("name_dob_index", Value::Blob(name_dob.to_vec())),
        ("sealed_identity", Value::Blob(sealed)),
    ])
}

/// Which blind index a look-up goes by.
#[derive(Clone, Copy)]
pub(super) enum Index {
    /// Name, date of birth and postcode (the kiosk's three-point check).
    Lookup,
    /// Name and date of birth (the desk's register search).
    NameDob,
}

/// The ids of the patients whose `by` blind index is `index`, most recent visit first (for
/// equal visits, in the order SQLite found them). The look-up index holds the id (migration
/// 14): one match, the usual case, is found without reading a row; several are sorted here by
/// their visit states' last visits (not with `ORDER BY`, which sorted in a temporary b-tree).
pub(super) fn ids_by_index(
    conn: &Connection, by: Index, index: &[u8],
) -> Result<Vec<String>, StoreError> {
    let sql = match by {
        Index::Lookup => "SELECT id FROM patients WHERE lookup_index = ?1",
        Index::NameDob => "SELECT id FROM patients WHERE name_dob_index = ?1",
    };
    let ids: Vec<String> = super::first_column(conn, sql, [index])?;
    if ids.len() < 2 {
        return Ok(ids);
    }
    let mut last_visit = conn.prepare_cached(&format!(
        "SELECT {LAST_VISIT} FROM visit_state WHERE patient_id = ?1"
    ))?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let at: Option<String> = last_visit.query_row([&id], |r| r.get(0)).optional()?;
        found.push((id, at.unwrap_or_default()));
    }
    found.sort_by(|a, b| b.1.cmp(&a.1));
    Ok(found.into_iter().map(|(id, _)| id).collect())
}

/// The ids the `by` index holds for `identity`'s key (not yet checked against their rows).
fn ids_for(
    vault: &Vault, conn: &Connection, identity: &PatientIdentity, by: Index,
) -> Result<Vec<String>, StoreError> {
    let key = match by {
        Index::Lookup => identity.lookup_key(),
        Index::NameDob => identity.name_dob_key(),
    }
    .map_err(|e| StoreError::Encoding(e.to_string()))?;
    ids_by_index(conn, by, &vault.blind_index(&key))
}

/// The patients whose blind index `by` matches `identity`, most recent visit first — no identity
/// is decrypted to search. Every row found is checked: a copy slipped in beside the real one is
/// refused.
pub(super) fn find_by_index(
    conn: &Connection, vault: &Vault, identity: &PatientIdentity, by: Index,
) -> Result<Vec<String>, StoreError> {
    let ids = ids_for(vault, conn, identity, by)?;
    for id in &ids {
        row_auth::get(conn, vault, "patients", &text_key(id))?
            .ok_or_else(|| StoreError::tampered("patients", id))?;
    }
    Ok(ids)
}

/// [`find_by_index`] with each patient's identity: each row read once, checked and opened.
pub(super) fn open_by_index(
    conn: &Connection, vault: &Vault, identity: &PatientIdentity, by: Index,
) -> Result<Vec<(String, PatientIdentity)>, StoreError> {
    ids_for(vault, conn, identity, by)?
        .into_iter()
        .map(|id| {
            let (_, opened) = open_patient(conn, vault, &id).map_err(|e| match e {
                // Named by the index, gone from the table: the index was edited.
                StoreError::NotFound => StoreError::tampered("patients", &id),
                other => other,
            })?;
            Ok((id, opened))
        })
        .collect()
}

/// A patient's checked row; `NotFound` if there is none.
pub(super) fn patient_row(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<row_auth::Row, StoreError> {
    row_auth::get(conn, vault, "patients", &text_key(patient_id))?.ok_or(StoreError::NotFound)
}

/// Changes columns of a patient's row (checked first, tagged again); `NotFound` if none.
pub(super) fn set_patient(
    conn: &Connection, vault: &Vault, patient_id: &str, changes: &[(&str, Value)],
) -> Result<(), StoreError> {
    row_auth::update_one(conn, vault, "patients", &text_key(patient_id), changes)
}

pub(super) fn open_identity(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<PatientIdentity, StoreError> {
    Ok(open_patient(conn, vault, patient_id)?.1)
}

/// A patient's row, checked, and their identity opened and checked against the hash their
/// visit state holds (`NotFound` if none). The patient's row tag does not cover the sealed
/// identity (AES-GCM binds it to the row, not to a version): an identity put back from an older
/// copy — details from before their correction, contact details from before an erasure — alone
/// or with its whole row, is refused here, naming the patient.
pub(super) fn open_patient(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<(row_auth::Row, PatientIdentity), StoreError> {
    let state = state_row(conn, vault, patient_id)?;
    open_patient_against(conn, vault, patient_id, &state)
}

/// [`open_patient`] for a caller that has read the patient's (checked) visit state already.
pub(super) fn open_patient_against(
    conn: &Connection, vault: &Vault, patient_id: &str, state: &row_auth::Row,
) -> Result<(row_auth::Row, PatientIdentity), StoreError> {
    let (row, identity) = open_patient_as_stored(conn, vault, patient_id)?;
    let held = state.opt_blob(IDENTITY_MAC)?;
    let Value::Blob(now) = identity_hash(vault, patient_id, &identity)? else {
        return Err(StoreError::Encoding(
            "internal: an identity hash that is not bytes".into(),
        ));
    };
    if !held.is_some_and(|held| crate::vault::constant_time_eq(&held, &now)) {
        return Err(StoreError::tampered(
            "patients",
            format!(
                "{patient_id} — the identity held is not the one last written: it was put back \
                 from an older copy"
            ),
        ));
    }
    Ok((row, identity))
}

/// A patient's row, checked, and their identity opened: one look-up (`NotFound` if none). Not
/// checked against the visit state: for the one-time steps that write that hash (a patient
/// moving to a visit state, a state getting its sums).
pub(super) fn open_patient_as_stored(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<(row_auth::Row, PatientIdentity), StoreError> {
    // The row is checked as it is read, with its sealed identity: one look-up.
    static SQL: OnceLock<Result<(String, usize), String>> = OnceLock::new();
    let (sql, at) = SQL
        .get_or_init(|| {
            let list = row_auth::select_list("patients", None).map_err(|e| e.to_string())?;
            let at = row_auth::checked_len("patients").map_err(|e| e.to_string())?;
            Ok((
                format!("SELECT {list}, sealed_identity FROM patients WHERE id = ?1"),
                at,
            ))
        })
        .as_ref()
        .map_err(|e| StoreError::Encoding(e.clone()))?;
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([patient_id])?;
    let r = rows.next()?.ok_or(StoreError::NotFound)?;
    let row = row_auth::verify(vault, "patients", r)?;
    let json = super::unseal(
        vault,
        identity_aad(patient_id),
        row_auth::blob_at("patients", r, *at)?,
    )?;
    Ok((row, serde_json::from_slice(&json)?))
}

impl OpenStore {
    /// The returning-patient look-up (three-point check: name, date of birth, postcode). Works
    /// on the blind index: no identity is decrypted to search. Logged.
    pub fn find_returning_patient(
        &self, actor: &Actor, identity: &PatientIdentity, now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        // The most recent visit wins.
        let found = find_by_index(self.conn(), self.vault(), identity, Index::Lookup)?
            .into_iter()
            .next();
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
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
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
        &mut self, actor: &Actor, identities: &[PatientIdentity], now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        actor.require_manager()?;
        let tx = Writing::begin(self.conn())?;
        let ids = identities
            .iter()
            .map(|identity| insert_patient(&tx, self.vault(), identity, now))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit(self.vault())?;
        Ok(ids)
    }
}
