//! The consent ledger's rows, in both of their shapes, and the one way each is written and read.
//!
//! - `consent_events` (migration 1): one decision per row, sealed as a whole [`ConsentEvent`]
//!   bound to the event's id. Written by databases before migration 10; only read (and deleted
//!   by purge and erasure) now.
//! - `consent_records` (migration 10): one row per run of decisions taken together — a form's
//!   decisions, or one later decision at the desk — sealed as a [`RunValue`] bound to the
//!   row's id. The row's covered (MAC'd) columns hold what the decisions share: patient, form,
//!   time; the sealed value holds the rest, and how many decisions it holds is a covered column.
//!
//! Invariants: every read goes through [`read_ledger_as`] (mostly as [`read_ledger`]), which
//! checks each row's tag as it reads the row (no second look-up) and matches the opened value to
//! the row (or, as sealed, checks that it opens for the row); a patient's chain (see `consents`)
//! folds the tags of the `consent_events` rows first, then those of `consent_records`, each in
//! `seq` order — [`LEDGER_TABLES`] is that order.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use crate::forms::ConsentEvent;
use crate::forms::consent_runs::{RunValue, runs};
use crate::store::row_auth;
use crate::store::transfer::{PackedRun, SealedRun};
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

fn count_value(n: usize) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Seals and tags the rows for `events` (all of one patient, in order), filed under
/// `patient_id` (the caller's word for whose they are, see `consents::FiledUnder`): one row per
/// run of decisions taken together, numbered after the ledger's last row. The caller inserts
/// them, in order, inside the same transaction (see [`row_auth::insert_prepared`]), and folds
/// their tags into the patient's chain. The first is linked to `prev` (the patient's newest
/// ledger row, see `patient_records`), each next one to the one before it.
///
/// `as_sent`: the runs' values as a kiosk's bundle carried them (see [`PackedRun`]), or none.
/// Used, each sealed as it came, only when they are exactly these runs (as many, each of as
/// many decisions); otherwise every value is written here.
pub(super) fn prepare_rows(
    conn: &Connection, vault: &Vault, patient_id: &str, mut prev: Option<i64>,
    events: &[ConsentEvent], as_sent: &[PackedRun],
) -> Result<Vec<row_auth::PreparedRow>, StoreError> {
    // Rowids only grow (see the schema): the next numbers follow the largest, read once.
    let mut seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM consent_records")?
        .query_row([], |r| r.get(0))?;
    let runs: Vec<&[ConsentEvent]> = runs(events).collect();
    let as_sent = Some(as_sent).filter(|sent| {
        sent.len() == runs.len() && sent.iter().zip(&runs).all(|(s, r)| s.decisions == r.len())
    });
    let mut rows = Vec::with_capacity(runs.len());
    for (i, run) in runs.into_iter().enumerate() {
        let first = &run[0];
        let row_id = random_id()?;
        let sealed = match as_sent.and_then(|sent| sent[i].packed.as_ref()) {
            Some(packed) => vault.seal_prepacked(record_aad(&row_id), packed)?,
            None => seal_json(vault, record_aad(&row_id), &RunValue::of(run))?,
        };
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
                ("prev_seq", prev.map_or(Value::Null, Value::Integer)),
                ("sealed_decisions", Value::Blob(sealed)),
            ],
        )?);
        prev = Some(seq);
    }
    Ok(rows)
}

/// Which ledger rows [`read_ledger`] reads.
#[derive(Clone, Copy)]
pub(in crate::store) enum Scope<'a> {
    /// One patient's: rows of the first shape by their index, rows of the second as the
    /// patient's (checked) chain holds them (`listed`, see `patient_records`).
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
    /// Its decisions (one for a row of the first shape), in the order taken; none for a row
    /// read as sealed.
    pub(in crate::store) events: Vec<ConsentEvent>,
    /// A row of the second shape read as sealed ([`Opening::AsSealed`]): its value not read,
    /// to be handed on as it is.
    pub(in crate::store) sealed: Option<SealedRun>,
}

/// How [`read_ledger_as`] opens a row of the second shape.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(in crate::store) enum Opening {
    /// Its decisions read (and counted against the row).
    Events,
    /// Its value as sealed ([`LedgerRow::sealed`]).
    AsSealed,
}

/// Every row in `scope`, its decisions read (see [`read_ledger_as`]).
pub(in crate::store) fn read_ledger(
    conn: &Connection, vault: &Vault, scope: Scope<'_>,
    each: impl FnMut(LedgerRow) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    read_ledger_as(conn, vault, scope, Opening::Events, each)
}

/// The one reader of the consent ledger: every row in `scope`, rows of the first shape first,
/// each in `seq` order (the chain's order), each row's tag checked as it is read and its sealed
/// value opened and matched to the row — or, as `opening` says, left as sealed once checked to
/// open for its row (an export hands it on as it is) —, handed to `each`. A row a patient's chain
/// holds that is missing, or is another patient's, is refused.
pub(in crate::store) fn read_ledger_as(
    conn: &Connection, vault: &Vault, scope: Scope<'_>, opening: Opening,
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
            // Rows read by number (those a patient's chain holds) are matched to the patient and
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
            let (events, sealed) = match (table == RECORDS, opening) {
                (true, Opening::Events) => (open_record(vault, &row, sealed)?, None),
                (true, Opening::AsSealed) => (Vec::new(), Some(as_sealed(vault, &row, sealed)?)),
                (false, _) => (vec![open_event(vault, &row, sealed)?], None),
            };
            each(LedgerRow {
                tag,
                submission_id: row.opt_text("submission_id")?,
                events,
                sealed,
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
    vault: &Vault, row: &row_auth::Row, sealed: &[u8],
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

/// A row of the second shape (checked) with its value as sealed: opened for its row, not read.
fn as_sealed(vault: &Vault, row: &row_auth::Row, sealed: &[u8]) -> Result<SealedRun, StoreError> {
    let value = vault
        .open_as_sealed(record_aad(&row.text("id")?), sealed)
        .map_err(|_| StoreError::tampered(RECORDS, row.int("seq").unwrap_or_default()))?;
    Ok(SealedRun {
        patient_id: row.text("patient_id")?,
        submission_id: row.opt_text("submission_id")?,
        recorded_at: row.text("recorded_at")?,
        value,
    })
}

/// A row of the second shape (checked): its decisions opened, counted against the row, and
/// given what they share from the row.
fn open_record(
    vault: &Vault, row: &row_auth::Row, sealed: &[u8],
) -> Result<Vec<ConsentEvent>, StoreError> {
    let json = unseal(vault, record_aad(&row.text("id")?), sealed)?;
    let value: RunValue<String> = serde_json::from_slice(&json)?;
    if count_value(value.decisions.len()) != Value::Integer(row.int("decision_count")?)
        || value.decisions.is_empty()
    {
        return Err(StoreError::tampered(RECORDS, row.int("seq")?));
    }
    Ok(value.into_events(
        row.text("patient_id")?,
        row.opt_text("submission_id")?,
        row.text("recorded_at")?,
    ))
}

/// The first ledger row (table, seq), in either shape, that `condition` (SQL over the row as
/// `e`, parameters `params`) selects: for the checks that refuse a decision gone astray.
pub(in crate::store) fn first_row_where(
    conn: &Connection, condition: &str, params: &[&str],
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
    conn: &Connection, condition: &str, params: &[&str],
) -> Result<usize, StoreError> {
    let mut deleted = 0;
    for table in LEDGER_TABLES {
        deleted += conn
            .prepare_cached(&format!("DELETE FROM {table} WHERE {condition}"))?
            .execute(rusqlite::params_from_iter(params.iter()))?;
    }
    Ok(deleted)
}

/// Deletes a patient's ledger rows, in either shape — those of the second as the patient's
/// chain holds them (`listed`) — inside the caller's transaction (erasure). The caller relinks
/// what stays and carries the consent chain over it.
pub(in crate::store) fn delete_patient_rows(
    conn: &Connection, patient_id: &str, listed: &[i64],
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
/// second are in the patient's chain, see `patient_records`).
pub(in crate::store) const HAS_FIRST_SHAPE_DECISIONS: &str =
    "EXISTS (SELECT 1 FROM consent_events WHERE patient_id = ?1)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::Decision;
    use crate::packing::{self, Packed};
    use crate::store::Store;
    use crate::vault::Opened;

    fn decision(n: usize, item: &str) -> ConsentEvent {
        ConsentEvent {
            id: format!("{n:032x}"),
            patient_id: "kiosk-patient".into(),
            submission_id: Some("form-1".into()),
            item_id: item.into(),
            decision: Decision::Granted,
            text_hash: format!("sha256:{n:064x}"),
            text_version: "2".into(),
            language: "en".into(),
            recorded_at: "2026-12-04T10:00:00+00:00".into(),
            device_id: "kiosk-1".into(),
            signature_ref: Some("form-1".into()),
        }
    }

    /// The value of `row` (a prepared ledger row) as sealed.
    fn sealed_value(vault: &Vault, row: &row_auth::PreparedRow) -> Opened {
        let (Some(Value::Text(id)), Some(Value::Blob(sealed))) =
            (row.value("id"), row.value("sealed_decisions"))
        else {
            panic!("a ledger row has an id and a sealed value");
        };
        vault.open_as_sealed(record_aad(id), sealed).expect("opens")
    }

    #[test]
    fn a_run_as_a_bundle_carried_it_is_sealed_as_it_came_only_when_it_is_that_run() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("desk.sqlite3")).expect("store");
        let vault = Vault::create().expect("vault");
        let events = vec![decision(1, "treatment"), decision(2, "marketing_sms")];
        // The same value in other bytes than this store writes (a kiosk's own spacing): kept.
        let json = serde_json::to_string_pretty(&RunValue::of(&events)).expect("json");
        let mut bytes = Vec::new();
        packing::pack_into(&mut bytes, json.as_bytes());
        let (packed, _) = Packed::check(&bytes, 1 << 20).expect("unpacks");
        let sent = |decisions| {
            vec![PackedRun {
                decisions,
                packed: Some(packed.clone()),
            }]
        };
        let rows = prepare_rows(&store.conn, &vault, "desk-patient", None, &events, &sent(2))
            .expect("prepared");
        assert_eq!(rows.len(), 1);
        match sealed_value(&vault, &rows[0]) {
            Opened::Packed(kept) => assert_eq!(kept.as_slice(), bytes.as_slice()),
            Opened::Plain(_) => panic!("sealed packed, as it came"),
        }
        // Not that run (another count, or another number of runs): written here.
        let written = serde_json::to_vec(&RunValue::of(&events)).expect("json");
        for as_sent in [sent(3), Vec::new(), [sent(1), sent(1)].concat()] {
            let rows = prepare_rows(&store.conn, &vault, "desk-patient", None, &events, &as_sent)
                .expect("prepared");
            let value = match sealed_value(&vault, &rows[0]) {
                Opened::Packed(own) => packing::unpack(&own, 1 << 20).expect("unpacks"),
                Opened::Plain(own) => own,
            };
            assert_eq!(value.as_slice(), written.as_slice());
        }
    }
}
