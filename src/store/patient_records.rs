//! The records a patient's row lists: the ids of the patient's forms (`form_ids`) and the
//! numbers of their consent-ledger rows (`ledger_seqs`, rows of `consent_records`), kept in the
//! patient's own tagged row instead of found through an index on `patient_id` (migration 12).
//!
//! Why: a returning patient's form rewrites the patient's row anyway (the consent chain's head,
//! the last visit), while an index entry per form in `submissions_patient` and in
//! `consent_records_patient` cost two B-tree leaves at random places in indexes that grow with
//! every form (measured at 1,000,000 forms: the desk imported at half the rate of an empty one,
//! 0.9 of it with neither index). Listed in the row they cost nothing more to write, and the row's
//! tag covers the lists: a form or decision taken out of a record, or added to another, shows —
//! an index could be edited unseen.
//!
//! Invariants: every submission row is listed in its patient's `form_ids` and every
//! `consent_records` row in its patient's `ledger_seqs` (in `seq` order), and nothing else is;
//! each writer changes the lists in the same transaction and the same row write as the rows
//! they list. NULL means "not listed yet", only in a row written before migration 12, until the
//! first unlock lists its records ([`list_unlisted`]). The ledger's first shape
//! (`consent_events`, no longer written) keeps its index.

use std::collections::HashMap;

use rusqlite::Connection;
use rusqlite::types::Value;

use super::row_auth::{self, Row, text_key};
use super::{StoreError, first_column};
use crate::vault::Vault;

/// The column that lists a patient's forms.
pub(super) const FORM_IDS: &str = "form_ids";
/// The column that lists a patient's `consent_records` rows.
pub(super) const LEDGER_SEQS: &str = "ledger_seqs";

/// What a patient's row lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Listed {
    /// Submission ids, in the order they were filed.
    pub(super) forms: Vec<String>,
    /// `consent_records.seq` of the patient's ledger rows, ascending.
    pub(super) ledger: Vec<i64>,
}

impl Listed {
    /// The lists of a checked patient row (none while NULL: a row not listed yet).
    pub(super) fn of(row: &Row) -> Result<Listed, StoreError> {
        let id = row.text("id")?;
        let broken = || StoreError::tampered("patients", &id);
        let forms = match row.opt_blob(FORM_IDS)? {
            Some(packed) => unpack_ids(&packed).ok_or_else(broken)?,
            None => Vec::new(),
        };
        let ledger = match row.opt_blob(LEDGER_SEQS)? {
            Some(packed) => unpack_seqs(&packed).ok_or_else(broken)?,
            None => Vec::new(),
        };
        Ok(Listed { forms, ledger })
    }

    /// A new patient's lists: their first form and its ledger rows.
    pub(super) fn first(form_id: &str, ledger: Vec<i64>) -> Listed {
        Listed {
            forms: vec![form_id.to_owned()],
            ledger,
        }
    }

    /// Both columns as written.
    pub(super) fn columns(&self) -> Result<[(&'static str, Value); 2], StoreError> {
        Ok([
            (FORM_IDS, Value::Blob(pack_ids(&self.forms)?)),
            (LEDGER_SEQS, Value::Blob(pack_seqs(&self.ledger))),
        ])
    }

    /// The `form_ids` column with `form_id` added.
    pub(super) fn adding_form(
        mut self,
        form_id: &str,
    ) -> Result<(&'static str, Value), StoreError> {
        self.forms.push(form_id.to_owned());
        Ok((FORM_IDS, Value::Blob(pack_ids(&self.forms)?)))
    }

    /// The `ledger_seqs` column with `seqs` (newer than every listed one) added.
    pub(super) fn adding_ledger(mut self, seqs: &[i64]) -> (&'static str, Value) {
        self.ledger.extend_from_slice(seqs);
        (LEDGER_SEQS, Value::Blob(pack_seqs(&self.ledger)))
    }
}

/// The forms a patient's row lists (checked: read through the row's tag).
pub(super) fn patient_forms(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(Listed::of(&super::patients::patient_row(conn, vault, patient_id)?)?.forms)
}

/// Each id as one length byte and its bytes (ids are at most 128 characters, see
/// `sync::encoding::check_id`; the store's own are 32).
fn pack_ids(ids: &[String]) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(ids.iter().map(|id| 1 + id.len()).sum());
    for id in ids {
        let len = u8::try_from(id.len())
            .map_err(|_| StoreError::Invalid(format!("a submission id of {} bytes", id.len())))?;
        out.push(len);
        out.extend_from_slice(id.as_bytes());
    }
    Ok(out)
}

fn unpack_ids(mut packed: &[u8]) -> Option<Vec<String>> {
    let mut ids = Vec::new();
    while let Some((&len, rest)) = packed.split_first() {
        let (id, rest) = rest.split_at_checked(usize::from(len))?;
        ids.push(String::from_utf8(id.to_vec()).ok()?);
        packed = rest;
    }
    Some(ids)
}

/// Each number as 8 bytes, big-endian.
fn pack_seqs(seqs: &[i64]) -> Vec<u8> {
    seqs.iter().flat_map(|seq| seq.to_be_bytes()).collect()
}

fn unpack_seqs(packed: &[u8]) -> Option<Vec<i64>> {
    let chunks = packed.chunks_exact(8);
    if !chunks.remainder().is_empty() {
        return None;
    }
    Some(
        chunks
            .map(|c| i64::from_be_bytes(c.try_into().expect("8 bytes")))
            .collect(),
    )
}

/// Each patient's lists as the rows themselves say (their `patient_id` columns, read by one
/// scan of each table): forms by time, ledger rows by `seq`. For the one-time listing and the
/// whole-database check, not for reads of one record.
fn lists_from_rows(conn: &Connection) -> Result<HashMap<String, Listed>, StoreError> {
    let mut lists: HashMap<String, Listed> = HashMap::new();
    let mut forms =
        conn.prepare("SELECT patient_id, id FROM submissions ORDER BY created_at, id")?;
    let mut rows = forms.query([])?;
    while let Some(r) = rows.next()? {
        lists.entry(r.get(0)?).or_default().forms.push(r.get(1)?);
    }
    let mut ledger = conn.prepare("SELECT patient_id, seq FROM consent_records ORDER BY seq")?;
    let mut rows = ledger.query([])?;
    while let Some(r) = rows.next()? {
        lists.entry(r.get(0)?).or_default().ledger.push(r.get(1)?);
    }
    Ok(lists)
}

/// Lists the records of every patient whose row lists none yet (a database written before
/// migration 12): the one-time step of the first unlock after the upgrade, each row checked
/// before it is tagged again. Returns how many rows it listed.
pub(super) fn list_unlisted(conn: &Connection, vault: &Vault) -> Result<usize, StoreError> {
    // Answered by the partial index `patients_unlisted`: no scan once every row is listed.
    let unlisted: Vec<String> = first_column(
        conn,
        "SELECT id FROM patients WHERE form_ids IS NULL OR ledger_seqs IS NULL",
        [],
    )?;
    if unlisted.is_empty() {
        return Ok(0);
    }
    let mut listed = lists_from_rows(conn)?;
    for id in &unlisted {
        let lists = listed.remove(id).unwrap_or_default();
        row_auth::update_one(conn, vault, "patients", &text_key(id), &lists.columns()?)?;
    }
    Ok(unlisted.len())
}

/// The whole-database check of the lists: every patient's lists name exactly the submissions
/// and `consent_records` rows that are theirs (each patient row checked as it is read). A row
/// no patient lists, or listed by another patient than its own, is refused.
pub(super) fn check_every_list(conn: &Connection, vault: &Vault) -> Result<(), StoreError> {
    let mut held = lists_from_rows(conn)?;
    let ids: Vec<String> = first_column(conn, "SELECT id FROM patients", [])?;
    for id in ids {
        let mut listed = Listed::of(&super::patients::patient_row(conn, vault, &id)?)?;
        let mut theirs = held.remove(&id).unwrap_or_default();
        listed.forms.sort();
        theirs.forms.sort();
        if listed != theirs {
            return Err(StoreError::tampered(
                "patients",
                format!("{id}'s list of records"),
            ));
        }
    }
    match held.into_keys().next() {
        Some(nobody) => Err(StoreError::tampered(
            "submissions",
            format!("of {nobody}, a patient not held"),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{OpenStore, Store, SyncRole};
    use crate::vault::Passphrase;

    fn unlock(path: &std::path::Path) -> OpenStore {
        let store = Store::open_for(path, SyncRole::Desk).unwrap();
        let passphrase = Passphrase::new(crate::demo::DEMO_PASSPHRASE);
        OpenStore::unlock(store, &passphrase, chrono::Utc::now())
            .map_err(|f| f.error)
            .unwrap()
            .0
    }

    fn every_list(store: &OpenStore) -> Vec<(String, Listed)> {
        let ids: Vec<String> =
            first_column(store.conn(), "SELECT id FROM patients ORDER BY id", []).unwrap();
        ids.into_iter()
            .map(|id| {
                let row = crate::store::patients::patient_row(store.conn(), store.vault(), &id);
                let listed = Listed::of(&row.unwrap()).unwrap();
                (id, listed)
            })
            .collect()
    }

    #[test]
    fn a_database_from_before_the_lists_lists_its_records_at_the_first_unlock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        crate::demo::create_demo_desk(&path).unwrap();
        let store = unlock(&path);
        let lists = every_list(&store);
        assert!(
            lists
                .iter()
                .all(|(_, l)| !l.forms.is_empty() && !l.ledger.is_empty())
        );
        // Each row as a database before migration 12 held it: no lists, tagged without them.
        for (id, _) in &lists {
            let none = [(FORM_IDS, Value::Null), (LEDGER_SEQS, Value::Null)];
            row_auth::update_one(
                store.conn(),
                store.vault(),
                "patients",
                &text_key(id),
                &none,
            )
            .unwrap();
        }
        let unlisted: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM patients WHERE form_ids IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(usize::try_from(unlisted).unwrap(), lists.len());
        // Nor a census (step 13): the installation row as it was, tagged without it.
        row_auth::update_one(
            store.conn(),
            store.vault(),
            "installation",
            &[Value::Integer(1)],
            &[("census", Value::Null)],
        )
        .unwrap();
        // And the schema as it was: no list columns, the two indexes on `patient_id`, step 11.
        store
            .conn()
            .execute_batch(
                "ALTER TABLE installation DROP COLUMN census;
                 DROP INDEX patients_unlisted;
                 DROP INDEX patients_held_for_erasure;
                 ALTER TABLE patients DROP COLUMN form_ids;
                 ALTER TABLE patients DROP COLUMN ledger_seqs;
                 CREATE INDEX submissions_patient ON submissions (patient_id);
                 CREATE INDEX consent_records_patient ON consent_records (patient_id);
                 PRAGMA user_version = 11;",
            )
            .unwrap();
        store.close(None, chrono::Utc::now()).unwrap();
        // Opened, the store takes steps 12 and 13; the next unlock lists the records from the
        // rows themselves, counts the census, and every check holds.
        let store = unlock(&path);
        assert_eq!(every_list(&store), lists);
        store.verify_everything().unwrap();
    }

    #[test]
    fn lists_pack_and_unpack() {
        let ids = vec!["a".repeat(32), String::new(), "x".repeat(128)];
        assert_eq!(unpack_ids(&pack_ids(&ids).unwrap()), Some(ids));
        assert_eq!(unpack_ids(&[]), Some(Vec::new()));
        let seqs = vec![1, 7, i64::MAX];
        assert_eq!(unpack_seqs(&pack_seqs(&seqs)), Some(seqs));
    }

    #[test]
    fn a_cut_list_does_not_unpack() {
        let packed = pack_ids(&["abc".to_owned()]).unwrap();
        assert_eq!(unpack_ids(&packed[..3]), None);
        assert_eq!(unpack_seqs(&pack_seqs(&[3])[..7]), None);
        assert!(pack_ids(&["y".repeat(256)]).is_err());
    }
}
