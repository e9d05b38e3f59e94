//! The consent ledger's rows, in both of their shapes, and the one way each is written and read.
//!
//! - `consent_events` (migration 1): one decision per row, sealed as a whole [`ConsentEvent`]
//!   bound to the event's id. Written by databases before migration 10; only read (and deleted
//!   by purge and erasure) now.
//! - `consent_records` (migration 10): one row per run of decisions taken together — a form's
//!   decisions, or one later decision at the desk — sealed as [`SealedDecisions`] bound to the
//!   row's id. The row's covered (MAC'd) columns hold what the decisions share: patient, form,
//!   time; the sealed value holds the rest, and how many decisions it holds is a covered column.
//!
//! Invariants: every read goes through [`read_ledger`], which checks each row's tag as it reads
//! the row (no second look-up) and matches the opened value to the row; a patient's chain (see
//! `consents`) folds the tags of the `consent_events` rows first, then those of
//! `consent_records`, each in `seq` order — [`LEDGER_TABLES`] is that order.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::forms::ConsentEvent;
use crate::forms::consent_runs::{OwnDecision, Shared, runs};
use crate::store::row_auth;
use crate::store::{StoreError, seal_json, unseal};
use crate::vault::{Aad, Vault, random_id};

/// The first shape: one decision per row (read only).
const ONE_PER_ROW: &str = "consent_events";
/// The shape written now: the decisions taken together in one row.
const RECORDS: &str = "consent_records";
/// The ledger's tables in chain order.
pub(in crate::store) const LEDGER_TABLES: [&str; 2] = [ONE_PER_ROW, RECORDS];

fn event_aad(event_id: &str) -> Aad<'_> {
    Aad {
        table: ONE_PER_ROW,
        column: "sealed_event",
        row_id: event_id,
    }
}

fn record_aad(row_id: &str) -> Aad<'_> {
    Aad {
        table: RECORDS,
        column: "sealed_decisions",
        row_id,
    }
}

/// The sealed value of a `consent_records` row: what its decisions do not share with the row's
/// covered columns. `S` is `&str` when written, `String` when read.
#[derive(Serialize, Deserialize)]
struct SealedDecisions<S> {
    device_id: S,
    signature_ref: Option<S>,
    decisions: Vec<OwnDecision<S>>,
}

fn count_value(n: usize) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Seals and tags the rows for `events` (all of one patient, in order), filed under
/// `patient_id` (the caller's word for whose they are, see `consents::FiledUnder`): one row per
/// run of decisions taken together, numbered after the ledger's last row. The caller inserts
/// them, in order, inside the same transaction (see [`row_auth::insert_prepared`]), and folds
/// their tags into the patient's chain.
pub(super) fn prepare_rows(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
    events: &[ConsentEvent],
) -> Result<Vec<row_auth::PreparedRow>, StoreError> {
    // Rowids only grow (see the schema): the next numbers follow the largest, read once.
    let mut seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM consent_records")?
        .query_row([], |r| r.get(0))?;
    let mut rows = Vec::with_capacity(1);
    for run in runs(events) {
        let first = &run[0];
        let value = SealedDecisions {
            device_id: first.device_id.as_str(),
            signature_ref: first.signature_ref.as_deref(),
            decisions: run.iter().map(OwnDecision::of).collect(),
        };
        let row_id = random_id()?;
        let sealed = seal_json(vault, record_aad(&row_id), &value)?;
        seq += 1;
        rows.push(row_auth::prepare(
            vault,
            RECORDS,
            vec![
                ("seq", Value::Integer(seq)),
                ("id", Value::Text(row_id)),
                ("patient_id", Value::Text(patient_id.to_owned())),
                (
                    "submission_id",
                    first.submission_id.clone().map_or(Value::Null, Value::Text),
                ),
                ("recorded_at", Value::Text(first.recorded_at.clone())),
                ("decision_count", count_value(run.len())),
                ("sealed_decisions", Value::Blob(sealed)),
            ],
        )?);
    }
    Ok(rows)
}

/// Which ledger rows [`read_ledger`] reads.
#[derive(Clone, Copy)]
pub(in crate::store) enum Scope<'a> {
    /// One patient's: rows of the first shape by their index, rows of the second as the
    /// patient's (checked) row lists them (`listed`, see `patient_records`).
    Patient {
        patient_id: &'a str,
        listed: &'a [i64],
    },
    /// One form's decisions, filed under `patient_id` (among the rows it lists, `listed`).
    Form {
        patient_id: &'a str,
        submission_id: &'a str,
        listed: &'a [i64],
    },
    /// Every decision taken with a form.
    WithForms,
    /// Every row.
    Everything,
}

impl Scope<'_> {
    /// The condition on rows of `table` read by a scan (the first shape's are found by its
    /// patient index; a patient's rows of the second shape by number, see [`read_ledger`]).
    fn condition(self) -> &'static str {
        match self {
            Scope::Patient { .. } => "WHERE patient_id = ?1",
            Scope::Form { .. } => "WHERE patient_id = ?1 AND submission_id = ?2",
            Scope::WithForms => "WHERE submission_id IS NOT NULL",
            Scope::Everything => "",
        }
    }
}

/// One ledger row, checked and opened.
pub(in crate::store) struct LedgerRow {
    /// The row's tag: the link it adds to its patient's chain.
    pub(in crate::store) tag: Vec<u8>,
    pub(in crate::store) submission_id: Option<String>,
    /// Its decisions (one for a row of the first shape), in the order taken.
    pub(in crate::store) events: Vec<ConsentEvent>,
}

/// The one reader of the consent ledger: every row in `scope`, rows of the first shape first,
/// each in `seq` order (the chain's order), each row's tag checked as it is read and its sealed
/// value opened and matched to the row, handed to `each`. A row a patient's row lists that is
/// missing, or is another patient's, is refused.
pub(in crate::store) fn read_ledger(
    conn: &Connection,
    vault: &Vault,
    scope: Scope<'_>,
    mut each: impl FnMut(LedgerRow) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let (params, listed): (Vec<&str>, Option<&[i64]>) = match scope {
        Scope::Patient { patient_id, listed } => (vec![patient_id], Some(listed)),
        Scope::Form {
            patient_id,
            submission_id,
            listed,
        } => (vec![patient_id, submission_id], Some(listed)),
        Scope::WithForms | Scope::Everything => (Vec::new(), None),
    };
    for table in LEDGER_TABLES {
        let sealed_at = row_auth::checked_len(table)?;
        let sealed_column = if table == RECORDS {
            "sealed_decisions"
        } else {
            "sealed_event"
        };
        let select = row_auth::select_list(table, None)?;
        let by_number = listed.is_some() && table == RECORDS;
        let mut take = |r: &rusqlite::Row<'_>| -> Result<(), StoreError> {
            let row = row_auth::verify(vault, table, r)?;
            // Rows read by number (those a patient's row lists) are matched to the patient and
            // form here; rows found by the scan's condition already are.
            if let Some(patient_id) = params.first().filter(|_| by_number) {
                if row.text("patient_id")? != *patient_id {
                    return Err(StoreError::tampered(table, row.int("seq")?));
                }
                if let Some(form) = params.get(1)
                    && row.opt_text("submission_id")?.as_deref() != Some(*form)
                {
                    return Ok(());
                }
            }
            let tag = row_auth::blob_at(table, r, sealed_at - 1)?.to_vec();
            let sealed = row_auth::blob_at(table, r, sealed_at)?;
            let events = if table == RECORDS {
                open_record(vault, &row, sealed)?
            } else {
                vec![open_event(vault, &row, sealed)?]
            };
            each(LedgerRow {
                tag,
                submission_id: row.opt_text("submission_id")?,
                events,
            })
        };
        match listed {
            Some(seqs) if table == RECORDS => {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {select}, {sealed_column} FROM {table} WHERE seq = ?1"
                ))?;
                // A listed row deleted: the patient's ledger lost a decision.
                let patient_id = params.first().copied().unwrap_or_default();
                for seq in seqs {
                    let mut rows = stmt.query([seq])?;
                    let r = rows
                        .next()?
                        .ok_or_else(|| StoreError::tampered("consent ledger", patient_id))?;
                    take(r)?;
                }
            }
            _ => {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {select}, {sealed_column} FROM {table} {} ORDER BY seq",
                    scope.condition()
                ))?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(r) = rows.next()? {
                    take(r)?;
                }
            }
        }
    }
    Ok(())
}

/// A row of the first shape (checked): its event opened and matched to the row.
fn open_event(
    vault: &Vault,
    row: &row_auth::Row,
    sealed: &[u8],
) -> Result<ConsentEvent, StoreError> {
    let id = row.text("id")?;
    let json = unseal(vault, event_aad(&id), sealed)?;
    let event: ConsentEvent = serde_json::from_slice(&json)?;
    if event.id != id
        || row.text("patient_id")? != event.patient_id
        || row.opt_text("submission_id")? != event.submission_id
        || row.text("recorded_at")? != event.recorded_at
    {
        return Err(StoreError::tampered(ONE_PER_ROW, row.int("seq")?));
    }
    Ok(event)
}

/// A row of the second shape (checked): its decisions opened, counted against the row, and
/// given what they share from the row.
fn open_record(
    vault: &Vault,
    row: &row_auth::Row,
    sealed: &[u8],
) -> Result<Vec<ConsentEvent>, StoreError> {
    let json = unseal(vault, record_aad(&row.text("id")?), sealed)?;
    let value: SealedDecisions<String> = serde_json::from_slice(&json)?;
    if count_value(value.decisions.len()) != Value::Integer(row.int("decision_count")?)
        || value.decisions.is_empty()
    {
        return Err(StoreError::tampered(RECORDS, row.int("seq")?));
    }
    let shared = Shared {
        patient_id: row.text("patient_id")?,
        submission_id: row.opt_text("submission_id")?,
        recorded_at: row.text("recorded_at")?,
        device_id: value.device_id,
        signature_ref: value.signature_ref,
    };
    Ok(value
        .decisions
        .into_iter()
        .map(|d| d.with(&shared))
        .collect())
}

/// The first ledger row (table, seq), in either shape, that `condition` (SQL over the row as
/// `e`, parameters `params`) selects: for the checks that refuse a decision gone astray.
pub(in crate::store) fn first_row_where(
    conn: &Connection,
    condition: &str,
    params: &[&str],
) -> Result<Option<(&'static str, i64)>, StoreError> {
    for table in LEDGER_TABLES {
        let seq: Option<i64> = conn
            .prepare_cached(&format!(
                "SELECT e.seq FROM {table} e WHERE {condition} LIMIT 1"
            ))?
            .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))
            .optional()?;
        if let Some(seq) = seq {
            return Ok(Some((table, seq)));
        }
    }
    Ok(None)
}

/// Deletes the ledger rows, in either shape, that `condition` (SQL, parameters `params`)
/// selects, inside the caller's transaction (purge, erasure). The caller carries the chains of
/// the patients concerned over what stays.
pub(in crate::store) fn delete_rows_where(
    conn: &Connection,
    condition: &str,
    params: &[&str],
) -> Result<usize, StoreError> {
    let mut deleted = 0;
    for table in LEDGER_TABLES {
        deleted += conn
            .prepare_cached(&format!("DELETE FROM {table} WHERE {condition}"))?
            .execute(rusqlite::params_from_iter(params.iter()))?;
    }
    Ok(deleted)
}

/// Deletes a patient's ledger rows, in either shape — those of the second as the patient's row
/// lists them (`listed`) — inside the caller's transaction (erasure). The caller empties the
/// list and carries the chain over what stays.
pub(in crate::store) fn delete_patient_rows(
    conn: &Connection,
    patient_id: &str,
    listed: &[i64],
) -> Result<usize, StoreError> {
    let mut deleted = conn
        .prepare_cached("DELETE FROM consent_events WHERE patient_id = ?1")?
        .execute([patient_id])?;
    let mut by_seq = conn.prepare_cached("DELETE FROM consent_records WHERE seq = ?1")?;
    for seq in listed {
        deleted += by_seq.execute([seq])?;
    }
    Ok(deleted)
}

/// The SQL that is true when patient `?1` has a ledger row of the first shape (those of the
/// second are listed in the patient's row).
pub(in crate::store) const HAS_FIRST_SHAPE_DECISIONS: &str =
    "EXISTS (SELECT 1 FROM consent_events WHERE patient_id = ?1)";
