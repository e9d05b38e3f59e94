//! Consent events: the ledger of each patient's decisions, sealed per event, each row tagged, and
//! chained per patient (the head kept in the patient's checked row), so a deleted, added or
//! reordered event is refused. Appended with a submission, or later at the desk (a withdrawal).

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::forms::{ConsentDecision, ConsentEvent, Decision};
use crate::store::audit::AuditKind;
use crate::store::patients::set_patient;
use crate::store::row_auth::{self, text_key};
use crate::store::{Actor, OpenStore, StoreError};
use crate::vault::{Aad, Vault, random_id};

pub(in crate::store) fn event_aad(event_id: &str) -> Aad<'_> {
    Aad {
        table: "consent_events",
        column: "sealed_event",
        row_id: event_id,
    }
}

/// Appends consent events of one patient inside the caller's transaction: each row tagged, and
/// the patient's consent chain carried forward over them.
pub(in crate::store) fn append_consent_events(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
    events: &[ConsentEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let key = text_key(patient_id);
    let patient = row_auth::get(conn, vault, "patients", &key)?.ok_or(StoreError::NotFound)?;
    let mut head = patient.opt_blob("consent_head")?.unwrap_or_default();
    // Rowids only grow (see the schema): the next numbers follow the largest, read once.
    let mut seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM consent_events")?
        .query_row([], |r| r.get(0))?;
    for event in events {
        if event.patient_id != patient_id {
            return Err(StoreError::Encoding(
                "internal: a consent event for another patient".into(),
            ));
        }
        let json = Zeroizing::new(serde_json::to_vec(event)?);
        let sealed = vault.seal(event_aad(&event.id), &json)?;
        seq += 1;
        let tag = row_auth::insert_tagged(
            conn,
            vault,
            "consent_events",
            &[
                ("seq", Value::Integer(seq)),
                ("id", Value::Text(event.id.clone())),
                ("patient_id", Value::Text(event.patient_id.clone())),
                (
                    "submission_id",
                    event.submission_id.clone().map_or(Value::Null, Value::Text),
                ),
                ("recorded_at", Value::Text(event.recorded_at.clone())),
                ("sealed_event", Value::Blob(sealed)),
            ],
        )?;
        head = row_auth::consent_head(vault, &head, &tag).to_vec();
    }
    row_auth::update_checked(
        conn,
        vault,
        "patients",
        &key,
        patient,
        &[("consent_head", Value::Blob(head))],
    )
}

/// Opens consent event rows selected as `seq, id, sealed_event`, each row checked.
pub(in crate::store) fn consent_events(
    conn: &Connection,
    vault: &Vault,
    sql: &str,
    key: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows: Vec<(i64, String, Vec<u8>)> = stmt
        .query_map([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    rows.iter()
        .map(|(seq, id, sealed)| open_event(conn, vault, *seq, id, sealed))
        .collect()
}

/// One consent event: its row checked, its sealed value opened and matched to the row.
pub(in crate::store) fn open_event(
    conn: &Connection,
    vault: &Vault,
    seq: i64,
    id: &str,
    sealed: &[u8],
) -> Result<ConsentEvent, StoreError> {
    let row = row_auth::get(conn, vault, "consent_events", &[Value::Integer(seq)])?
        .ok_or_else(|| StoreError::tampered("consent_events", seq))?;
    checked_event(vault, &row, seq, id, sealed)
}

/// One consent event whose row was read and checked already (see [`row_auth::verify`]): its
/// sealed value opened and matched to the row.
pub(in crate::store) fn checked_event(
    vault: &Vault,
    row: &row_auth::Row,
    seq: i64,
    id: &str,
    sealed: &[u8],
) -> Result<ConsentEvent, StoreError> {
    let json = crate::store::unseal(vault, event_aad(id), sealed)?;
    let event: ConsentEvent = serde_json::from_slice(&json)?;
    if event.id != id
        || row.text("id")? != id
        || row.text("patient_id")? != event.patient_id
        || row.text("recorded_at")? != event.recorded_at
    {
        return Err(StoreError::tampered("consent_events", seq));
    }
    Ok(event)
}

/// Every consent event of a patient, oldest first: each row checked, and the chain over them
/// checked against the head in the patient's (checked) row, so a deleted, added or reordered
/// event is refused.
pub(in crate::store) fn patient_consent_events(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let patient = row_auth::get(conn, vault, "patients", &text_key(patient_id))?
        .ok_or(StoreError::NotFound)?;
    let rows: Vec<(i64, String, Vec<u8>, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT seq, id, sealed_event, row_tag FROM consent_events WHERE patient_id = ?1 ORDER BY seq",
        )?
        .query_map([patient_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<Vec<u8>>>(3)?.unwrap_or_default()))
        })?
        .collect::<Result<_, _>>()?;
    let mut head: Vec<u8> = Vec::new();
    let mut events = Vec::with_capacity(rows.len());
    for (seq, id, sealed, tag) in &rows {
        events.push(open_event(conn, vault, *seq, id, sealed)?);
        head = row_auth::consent_head(vault, &head, tag).to_vec();
    }
    // A decision taken with a form belongs to that form's patient: an event whose form is gone,
    // or was moved to another patient, is refused.
    let astray: Option<i64> = conn
        .prepare_cached(
            "SELECT e.seq FROM consent_events e WHERE e.patient_id = ?1 AND e.submission_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = e.submission_id
                 AND (s.patient_id = e.patient_id
                      OR s.patient_id = (SELECT p.merged_into FROM patients p WHERE p.id = e.patient_id)))
             LIMIT 1",
        )?
        .query_row([patient_id], |r| r.get(0))
        .optional()?;
    if let Some(seq) = astray {
        return Err(StoreError::tampered(
            "submissions",
            format!("of consent event {seq}"),
        ));
    }
    let stored = patient.opt_blob("consent_head")?.unwrap_or_default();
    if !crate::vault::constant_time_eq(&head, &stored) {
        return Err(StoreError::tampered("consent_events", patient_id));
    }
    Ok(events)
}

/// Carries a patient's consent chain over the events left after some were deleted (purge,
/// erasure). The caller checked the whole chain before deleting.
pub(in crate::store) fn rechain_consents(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
) -> Result<(), StoreError> {
    set_consent_head(conn, vault, patient_id, true)
}

/// Sets a patient's consent head to the chain over the events it has now, in `seq` order (NULL
/// when it has none); with `check_rows`, each event's row is checked first.
fn set_consent_head(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
    check_rows: bool,
) -> Result<(), StoreError> {
    let rows: Vec<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT seq, row_tag FROM consent_events WHERE patient_id = ?1 ORDER BY seq",
        )?
        .query_map([patient_id], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<Vec<u8>>>(1)?.unwrap_or_default(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut head: Option<Vec<u8>> = None;
    for (seq, tag) in &rows {
        if check_rows {
            row_auth::check(conn, vault, "consent_events", &[Value::Integer(*seq)])?;
        }
        let previous = head.as_deref().unwrap_or_default();
        head = Some(row_auth::consent_head(vault, previous, tag).to_vec());
    }
    let value = head.map_or(Value::Null, Value::Blob);
    set_patient(conn, vault, patient_id, &[("consent_head", value)])
}

fn every_patient(conn: &Connection) -> Result<Vec<String>, StoreError> {
    Ok(conn
        .prepare("SELECT id FROM patients")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Sets every patient's consent head from the events it has (tagged just before): the one-time
/// step of a database written before consent chains were kept.
pub(in crate::store) fn start_every_consent_chain(
    conn: &Connection,
    vault: &Vault,
) -> Result<(), StoreError> {
    for id in every_patient(conn)? {
        set_consent_head(conn, vault, &id, false)?;
    }
    Ok(())
}

/// Checks every patient's consent chain (the whole-database check).
pub(in crate::store) fn check_every_consent_chain(
    conn: &Connection,
    vault: &Vault,
) -> Result<(), StoreError> {
    for id in every_patient(conn)? {
        patient_consent_events(conn, vault, &id)?;
    }
    // An event whose patient is gone belongs to no chain: refused too.
    let orphan: Option<i64> = conn
        .query_row(
            "SELECT seq FROM consent_events WHERE patient_id NOT IN (SELECT id FROM patients) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(seq) = orphan {
        return Err(StoreError::tampered("consent_events", seq));
    }
    Ok(())
}

impl OpenStore {
    /// Every consent event of a patient, oldest first. Any role (consent state is not medical).
    pub fn consent_history(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<ConsentEvent>, StoreError> {
        let events = patient_consent_events(self.conn(), self.vault(), patient_id)?;
        self.record_event(actor.staff_id(), AuditKind::RecordViewed, patient_id, now)?;
        Ok(events)
    }

    /// Records a later consent decision (e.g. withdrawal of SMS marketing) as a new event, which
    /// is the item's current decision from now on. It is dated now — or, when the item's current
    /// decision carries a later time (a kiosk whose clock runs up to the allowed skew ahead), at
    /// that time, which the tie rule of [`crate::forms::current_events`] gives to this later
    /// event: a withdrawal at the desk always takes effect at once.
    pub fn record_consent(
        &self,
        actor: &Actor,
        patient_id: &str,
        decision: &ConsentDecision,
        now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError> {
        let at = now.to_rfc3339();
        let tx = self.conn().unchecked_transaction()?;
        crate::store::merge::refuse_if_merged(&tx, self.vault(), patient_id)?;
        let history = patient_consent_events(&tx, self.vault(), patient_id)?;
        let decided_at = crate::forms::current_events(&history)
            .get(&decision.item_id)
            .and_then(|current| DateTime::parse_from_rfc3339(current.recorded_at.trim()).ok())
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t > now)
            .map_or_else(|| at.clone(), |t| t.to_rfc3339());
        let event = self.consent_event(patient_id, None, decision, &decided_at)?;
        append_consent_events(&tx, self.vault(), patient_id, std::slice::from_ref(&event))?;
        self.audit_as(actor, &tx, &at, AuditKind::ConsentRecorded, patient_id)?;
        tx.commit()?;
        Ok(event)
    }

    /// A new ledger event for `decision`. A decision taken with a signed submission refers to
    /// that submission's signature; a later one (e.g. a withdrawal at the desk) has none.
    pub(super) fn consent_event(
        &self,
        patient_id: &str,
        submission_id: Option<&str>,
        decision: &ConsentDecision,
        at: &str,
    ) -> Result<ConsentEvent, StoreError> {
        Ok(ConsentEvent {
            id: random_id()?,
            patient_id: patient_id.to_owned(),
            submission_id: submission_id.map(str::to_owned),
            item_id: decision.item_id.clone(),
            decision: decision.decision,
            text_hash: decision.text_hash.clone(),
            text_version: decision.text_version.clone(),
            language: decision.language.clone(),
            recorded_at: at.to_owned(),
            device_id: self.device_id().to_owned(),
            signature_ref: submission_id.map(str::to_owned),
        })
    }

    /// A patient's current decision per consent item, derived from the ledger. Logged.
    pub fn current_consents(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<std::collections::BTreeMap<String, Decision>, StoreError> {
        Ok(crate::forms::current_state(
            &self.consent_history(actor, patient_id, now)?,
        ))
    }
}
