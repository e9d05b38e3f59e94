//! What a visit changes, in a small row of its own per patient (`visit_state`, migration 14),
//! and the links that make a patient's forms and consent-ledger rows two chains.
//!
//! The row holds the last visit, the restriction, the consent chain's head, the newest form
//! (`form_head`) and ledger row (`ledger_head`) with how many of each, and a keyed hash of the
//! identity as held ([`identity_hash`]). Each submission names the patient's form filed before
//! it (`prev_form`), each `consent_records` row the patient's previous ledger row (`prev_seq`).
//!
//! Why: a returning patient's form changes the last visit and the heads, nothing else of the
//! patient. In the patient's own row (identity, indexes, ~1 KB with the lists the row held
//! before) every imported form rewrote a page of a table that at 1,000,000 forms no cache
//! holds; in this row of ~200 bytes the whole table is a few pages a thousand patients, and the
//! new rows are appended where the table ends (ids in time order). The identity's hash answers
//! "are the details on the form the ones held?" without opening the patient's row.
//!
//! Invariants:
//! - every patient has one `visit_state` row and every such row a patient;
//! - a patient's forms are the `form_count` submissions reached from `form_head` by `prev_form`,
//!   each the patient's, the oldest's link NULL; likewise the ledger rows from `ledger_head` by
//!   `prev_seq`, each link to a smaller `seq`. Every submission and `consent_records` row is in
//!   its patient's chain and in no other;
//! - a writer changes the links and the row in the same transaction as the rows they link. Both
//!   rows are tagged (the links are covered columns), so a form or decision taken out of a
//!   chain, put into another or reordered shows when the chain is read.
//! - `identity_mac` is the hash of the identity sealed in the patient's row, or NULL (not known:
//!   the identity is then opened and compared, and the hash set).
//!
//! Bytes per row: the two keyed hashes keep 16 bytes ([`row_auth::STATE_HASH_BYTES`]), the
//! newest form's id its 16 bytes rather than 32 hex digits ([`newest_form`]) and the last
//! visit is kept to the millisecond ([`visit_time`]): about 135 bytes where they took 210.
//! A bundle of returning patients spread over a register of 100,000 rewrites nearly every page
//! of this table, each copied to the rollback journal first; a third fewer pages made that
//! import 10% faster (README, the desk at 1M). Rows written before keep their 32-byte hashes and
//! longer times until the patient's next visit writes them again: a 32-byte consent head keeps
//! its width ([`row_auth::head_width`]), a 32-byte identity hash no longer matches and is set
//! again after the identity is opened and compared.
//!
//! The ledger's first shape (`consent_events`) is not linked: it keeps its patient index.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::row_auth::{self, Row, text_key};
use super::{StoreError, first_column};
use crate::forms::PatientIdentity;
use crate::vault::Vault;

pub(super) mod form_seals;
use form_seals::{FORMS_SUM, Seals};

/// The table of each patient's visit state.
pub(super) const STATE: &str = "visit_state";
/// A patient's last visit, in their visit state.
pub(super) const LAST_VISIT: &str = "last_visit_at";
/// When the patient's record was restricted (NULL: it is not), in their visit state.
pub(super) const RESTRICTED: &str = "restricted_at";
/// The head of the patient's consent chain, in their visit state.
pub(super) const CONSENT_HEAD: &str = "consent_head";
/// The keyed hash of the identity held, in their visit state.
pub(super) const IDENTITY_MAC: &str = "identity_mac";

/// What a patient's chains hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Listed {
    /// Submission ids, in the order they were filed.
    pub(super) forms: Vec<String>,
    /// `consent_records.seq` of the patient's ledger rows, ascending.
    pub(super) ledger: Vec<i64>,
}

impl Listed {
    /// A patient's chains, read from their checked visit state `state`: every row reached
    /// checked and the patient's, as many as the state counts, the oldest's link NULL.
    pub(super) fn read(
        conn: &Connection, vault: &Vault, patient_id: &str, state: &Row,
    ) -> Result<Listed, StoreError> {
        // Named by what the chain lost: a form, or a consent decision.
        let broken = || StoreError::tampered("submissions", format!("{patient_id}'s forms"));
        let count = |column: &str| {
            usize::try_from(state.int(column)?).map_err(|_| StoreError::tampered(STATE, patient_id))
        };
        let mut forms = Vec::with_capacity(count("form_count")?.min(4096));
        let mut next = form_head(state)?;
        for _ in 0..count("form_count")? {
            let id = next.ok_or_else(broken)?;
            let row =
                row_auth::get(conn, vault, "submissions", &text_key(&id))?.ok_or_else(broken)?;
            if row.text("patient_id")? != patient_id {
                return Err(broken());
            }
            next = row.opt_text("prev_form")?;
            forms.push(id);
        }
        if next.is_some() {
            return Err(broken());
        }
        forms.reverse();
        let broken = || StoreError::tampered("consent ledger", patient_id);
        let mut ledger = Vec::with_capacity(count("ledger_count")?.min(4096));
        let mut next = state.opt_int("ledger_head")?;
        for _ in 0..count("ledger_count")? {
            let seq = next.ok_or_else(broken)?;
            let row = row_auth::get(conn, vault, "consent_records", &[Value::Integer(seq)])?
                .ok_or_else(broken)?;
            if row.text("patient_id")? != patient_id {
                return Err(broken());
            }
            next = row.opt_int("prev_seq")?;
            if next.is_some_and(|prev| prev >= seq) {
                return Err(broken());
            }
            ledger.push(seq);
        }
        if next.is_some() {
            return Err(broken());
        }
        ledger.reverse();
        Ok(Listed { forms, ledger })
    }

    /// A new patient's chains: their first form and its ledger rows.
    pub(super) fn first(form_id: &str, ledger: Vec<i64>) -> Listed {
        Listed {
            forms: vec![form_id.to_owned()],
            ledger,
        }
    }

    /// A patient's chains, their visit state read (checked) first.
    pub(super) fn of_patient(
        conn: &Connection, vault: &Vault, patient_id: &str,
    ) -> Result<Listed, StoreError> {
        Listed::read(
            conn,
            vault,
            patient_id,
            &state_row(conn, vault, patient_id)?,
        )
    }
}

/// A patient's checked visit state: `NotFound` if the patient is not held, tampered if the
/// patient is and their state is not.
pub(super) fn state_row(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<Row, StoreError> {
    if let Some(row) = row_auth::get(conn, vault, STATE, &text_key(patient_id))? {
        return Ok(row);
    }
    let held = conn
        .prepare_cached("SELECT 1 FROM patients WHERE id = ?1")?
        .query_row([patient_id], |_| Ok(()))
        .optional()?
        .is_some();
    Err(if held {
        StoreError::tampered(STATE, patient_id)
    } else {
        StoreError::NotFound
    })
}

/// Changes columns of a patient's visit state (checked first, tagged again).
/// A change of the restriction is noted in the census (who is restricted, see
/// `row_auth::census::RESTRICTED`).
pub(super) fn set_state(
    conn: &Connection, vault: &Vault, patient_id: &str, changes: &[(&str, Value)],
) -> Result<(), StoreError> {
    row_auth::update_one(conn, vault, STATE, &text_key(patient_id), changes)?;
    if changes.iter().any(|(column, _)| *column == RESTRICTED) {
        row_auth::census::note_restricted(conn, vault)?;
    }
    Ok(())
}

/// The keyed hash of `identity` as held for `patient_id` (see the module's invariants).
pub(super) fn identity_hash(
    vault: &Vault, patient_id: &str, identity: &PatientIdentity,
) -> Result<Value, StoreError> {
    Ok(identity_json_hash(
        vault,
        patient_id,
        crate::vault::json_wiped(identity)?.as_bytes(),
    ))
}

/// [`identity_hash`] of an identity already written as JSON (to be sealed from the same bytes).
pub(super) fn identity_json_hash(vault: &Vault, patient_id: &str, json: &[u8]) -> Value {
    Value::Blob(vault.value_hash(patient_id, json)[..row_auth::STATE_HASH_BYTES].to_vec())
}

/// A new patient's visit state, the chains `listed` already linked (or about to be: the new
/// rows' links are the caller's).
pub(super) struct NewState<'a> {
    pub(super) at: &'a str,
    pub(super) consent_head: Value,
    pub(super) listed: &'a Listed,
    pub(super) identity_mac: Value,
    /// The sum of the seals of the forms in `listed` ([`form_seals`]).
    pub(super) forms_sum: Value,
}

/// Inserts a patient's visit state.
pub(super) fn insert_state(
    conn: &Connection, vault: &Vault, patient_id: &str, state: NewState<'_>,
) -> Result<(), StoreError> {
    let mut values = vec![
        ("patient_id", Value::Text(patient_id.to_owned())),
        (LAST_VISIT, Value::Text(visit_time(state.at))),
        (RESTRICTED, Value::Null),
        (CONSENT_HEAD, state.consent_head),
        (IDENTITY_MAC, state.identity_mac),
        (FORMS_SUM, state.forms_sum),
    ];
    values.extend(heads(state.listed));
    row_auth::insert(conn, vault, STATE, &values)
}

/// A time as the visit state keeps a last visit: UTC to the millisecond, `Z` (24 bytes; RFC 3339
/// with nanoseconds took 35). Compared as text, such times order as the times do; a value
/// written before (nanoseconds and `+00:00`) orders right against one of these but within the
/// same millisecond. `at` is a time this program wrote; one that does not parse is kept as is.
pub(super) fn visit_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at).map_or_else(
        |_| at.to_owned(),
        |t| visit_time_at(t.with_timezone(&chrono::Utc)),
    )
}

/// [`visit_time`] of a time already parsed.
pub(super) fn visit_time_at(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The head and count columns of chains holding `listed`.
fn heads(listed: &Listed) -> [(&'static str, Value); 5] {
    let count = |n: usize| Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    let ledger_head = listed.ledger.last().copied().map(Value::Integer);
    let [text, bytes] = newest_form(listed.forms.last().map(String::as_str));
    [
        text,
        bytes,
        ("form_count", count(listed.forms.len())),
        ("ledger_head", ledger_head.unwrap_or(Value::Null)),
        ("ledger_count", count(listed.ledger.len())),
    ]
}

/// The link a form filed now takes: the patient's newest form before it (`prev_form`).
pub(super) fn form_link(state: &Row) -> Result<Value, StoreError> {
    Ok(form_head(state)?.map_or(Value::Null, Value::Text))
}

/// The visit state's two columns for the patient's newest form `id` (`None`: no form): an id
/// as `time_ordered_id` makes them (32 lower-case hex digits) as its 16 bytes in `newest_form`,
/// any other as its text in `form_head`; the other column NULL.
fn newest_form(id: Option<&str>) -> [(&'static str, Value); 2] {
    let bytes = id
        .and_then(crate::hex::decode)
        .filter(|bytes| bytes.len() == 16);
    match (id, bytes) {
        (_, Some(bytes)) => [
            ("form_head", Value::Null),
            ("newest_form", Value::Blob(bytes)),
        ],
        (Some(id), None) => [
            ("form_head", Value::Text(id.to_owned())),
            ("newest_form", Value::Null),
        ],
        (None, None) => [("form_head", Value::Null), ("newest_form", Value::Null)],
    }
}

/// The patient's newest form, from either column of [`newest_form`] (a row written before
/// migration 15 has it as text).
fn form_head(state: &Row) -> Result<Option<String>, StoreError> {
    match (state.opt_blob("newest_form")?, state.opt_text("form_head")?) {
        (Some(bytes), None) if bytes.len() == 16 => Ok(Some(crate::hex::encode(&bytes))),
        (Some(bytes), None) => Err(StoreError::Encoding(format!(
            "a visit state's newest form is {} bytes, not 16",
            bytes.len()
        ))),
        (None, id) => Ok(id),
        (Some(_), Some(_)) => Err(StoreError::Encoding(
            "a visit state names its newest form twice".into(),
        )),
    }
}

/// The link the first of the ledger rows written now takes (`prev_seq`).
pub(super) fn ledger_link(state: &Row) -> Result<Option<i64>, StoreError> {
    state.opt_int("ledger_head")
}

/// The visit state's columns once `form_id` (linked by [`form_link`]), whose seal is `seal`,
/// is filed.
pub(super) fn adding_form(
    state: &Row, form_id: &str, seal: Seals,
) -> Result<[(&'static str, Value); 4], StoreError> {
    let [text, bytes] = newest_form(Some(form_id));
    Ok([
        text,
        bytes,
        ("form_count", Value::Integer(state.int("form_count")? + 1)),
        form_seals::adding(state, &state.text("patient_id")?, seal)?,
    ])
}

/// The visit state's columns once the ledger rows `seqs` (linked from [`ledger_link`], in
/// order) are written; none when there are none.
pub(super) fn adding_ledger(
    state: &Row, seqs: &[i64],
) -> Result<Vec<(&'static str, Value)>, StoreError> {
    let Some(last) = seqs.last() else {
        return Ok(Vec::new());
    };
    let added = i64::try_from(seqs.len()).unwrap_or(i64::MAX);
    Ok(vec![
        ("ledger_head", Value::Integer(*last)),
        (
            "ledger_count",
            Value::Integer(state.int("ledger_count")? + added),
        ),
    ])
}

/// Links the rows `listed` names into the patient's two chains, in its order (each row checked
/// before it is tagged again, a row already linked right left alone), and returns the visit
/// state's head and count columns for them, with the sum of the forms' seals taken again from
/// the rows ([`form_seals`]). For the rare writers that take rows out of a chain
/// or put rows from another into it (purge, merge, erasure, the move to visit states).
pub(super) fn relink(
    conn: &Connection, vault: &Vault, listed: &Listed,
) -> Result<Vec<(&'static str, Value)>, StoreError> {
    let mut prev = Value::Null;
    for id in &listed.forms {
        let key = text_key(id);
        let row = row_auth::get(conn, vault, "submissions", &key)?
            .ok_or_else(|| StoreError::tampered("submissions", id))?;
        let now = row.opt_text("prev_form")?.map_or(Value::Null, Value::Text);
        if now != prev {
            row_auth::update_checked(
                conn,
                vault,
                "submissions",
                &key,
                row,
                &[("prev_form", prev)],
            )?;
        }
        prev = Value::Text(id.clone());
    }
    let mut prev = Value::Null;
    for seq in &listed.ledger {
        let key = [Value::Integer(*seq)];
        let row = row_auth::get(conn, vault, "consent_records", &key)?
            .ok_or_else(|| StoreError::tampered("consent_records", seq))?;
        let now = row.opt_int("prev_seq")?.map_or(Value::Null, Value::Integer);
        if now != prev {
            let change = [("prev_seq", prev)];
            row_auth::update_checked(conn, vault, "consent_records", &key, row, &change)?;
        }
        prev = Value::Integer(*seq);
    }
    let mut columns = heads(listed).to_vec();
    columns.push((
        FORMS_SUM,
        form_seals::sum_of(conn, vault, &listed.forms)?.value(),
    ));
    Ok(columns)
}

/// The forms of a patient (checked: read through their chain).
pub(super) fn patient_forms(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(Listed::of_patient(conn, vault, patient_id)?.forms)
}

/// Each patient's records as the rows themselves say (their `patient_id` columns, read by one
/// scan of each table): forms by time, ledger rows by `seq`. For the one-time move and the
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

/// Moves every patient whose row has not moved yet (a database written before migration 14)
/// to a visit state: the first unlock's one-time step, each patient row checked, its records
/// linked in the order its lists held them (a row from before migration 12, which listed
/// none, in the order its records were written), its state inserted and the columns that moved
/// emptied in its row. Returns how many patients moved.
pub(super) fn move_to_visit_state(conn: &Connection, vault: &Vault) -> Result<usize, StoreError> {
    // Answered by the partial index `patients_not_moved`: no scan once every row has moved.
    let waiting: Vec<String> = first_column(
        conn,
        "SELECT id FROM patients WHERE last_visit_at <> ''",
        [],
    )?;
    let mut from_rows: Option<HashMap<String, Listed>> = None;
    for id in &waiting {
        let (row, identity) = super::patients::open_patient_as_stored(conn, vault, id)?;
        let listed = match legacy::lists_of(&row)? {
            Some(listed) => listed,
            None => {
                let all = match &mut from_rows {
                    Some(all) => all,
                    None => from_rows.insert(lists_from_rows(conn)?),
                };
                all.remove(id).unwrap_or_default()
            }
        };
        let forms_sum = relink(conn, vault, &listed)?
            .into_iter()
            .find_map(|(column, value)| (column == FORMS_SUM).then_some(value))
            .unwrap_or(Value::Null);
        insert_state(
            conn,
            vault,
            id,
            NewState {
                at: &row.text(LAST_VISIT)?,
                consent_head: row.opt_blob(CONSENT_HEAD)?.map_or(Value::Null, Value::Blob),
                listed: &listed,
                identity_mac: identity_hash(vault, id, &identity)?,
                forms_sum,
            },
        )?;
        if let Some(since) = row.opt_text(RESTRICTED)? {
            set_state(conn, vault, id, &[(RESTRICTED, Value::Text(since))])?;
        }
        super::patients::set_patient(conn, vault, id, &legacy::EMPTIED)?;
    }
    Ok(waiting.len())
}

/// The whole-database check of the chains: every patient's chains hold exactly the submissions
/// and `consent_records` rows that are theirs, what is sealed in their forms and their identity
/// is what was last written ([`form_seals`], [`identity_hash`]), and every visit state is a
/// patient's. A row in no chain, or in another patient's, or a form or an identity put back
/// from an older copy, is refused.
pub(super) fn check_every_list(conn: &Connection, vault: &Vault) -> Result<(), StoreError> {
    let mut held = lists_from_rows(conn)?;
    let ids: Vec<String> = first_column(conn, "SELECT id FROM patients", [])?;
    for id in ids {
        let state = state_row(conn, vault, &id)?;
        let mut listed = Listed::read(conn, vault, &id, &state)?;
        form_seals::check(conn, vault, &id, &state, &listed.forms)?;
        // The identity as last written (its hash in the visit state).
        super::patients::open_patient(conn, vault, &id)?;
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
    if let Some(nobody) = held.into_keys().next() {
        return Err(StoreError::tampered(
            "submissions",
            format!("of {nobody}, a patient not held"),
        ));
    }
    let stray: Vec<String> = first_column(
        conn,
        "SELECT patient_id FROM visit_state WHERE patient_id NOT IN (SELECT id FROM patients)",
        [],
    )?;
    match stray.into_iter().next() {
        Some(nobody) => Err(StoreError::tampered(STATE, nobody)),
        None => Ok(()),
    }
}

/// The patient row's columns from before migration 14: the lists it kept of its records
/// (migration 12) and the columns that moved to the visit state.
pub(super) mod legacy {
    use rusqlite::types::Value;

    use super::{CONSENT_HEAD, LAST_VISIT, Listed, RESTRICTED};
    use crate::store::StoreError;
    use crate::store::row_auth::Row;

    /// The column that listed a patient's forms.
    pub(in crate::store) const FORM_IDS: &str = "form_ids";
    /// The column that listed a patient's `consent_records` rows.
    pub(in crate::store) const LEDGER_SEQS: &str = "ledger_seqs";

    /// The patient row's moved columns as a row that has moved holds them.
    pub(in crate::store) const EMPTIED: [(&str, Value); 5] = [
        (LAST_VISIT, Value::Text(String::new())),
        (CONSENT_HEAD, Value::Null),
        (RESTRICTED, Value::Null),
        (FORM_IDS, Value::Null),
        (LEDGER_SEQS, Value::Null),
    ];

    /// The lists a checked patient row kept (`None`: a row from before migration 12, which
    /// kept none).
    pub(in crate::store) fn lists_of(row: &Row) -> Result<Option<Listed>, StoreError> {
        let (Some(forms), Some(ledger)) = (row.opt_blob(FORM_IDS)?, row.opt_blob(LEDGER_SEQS)?)
        else {
            return Ok(None);
        };
        let id = row.text("id")?;
        let broken = || StoreError::tampered("patients", &id);
        Ok(Some(Listed {
            forms: unpack_ids(&forms).ok_or_else(broken)?,
            ledger: unpack_seqs(&ledger).ok_or_else(broken)?,
        }))
    }

    /// The lists as a row before migration 14 kept them (for tests that build such a row).
    #[cfg(test)]
    pub(in crate::store) fn columns(listed: &Listed) -> [(&'static str, Value); 2] {
        [
            (FORM_IDS, Value::Blob(pack_ids(&listed.forms))),
            (LEDGER_SEQS, Value::Blob(pack_seqs(&listed.ledger))),
        ]
    }

    /// Each id as one length byte and its bytes.
    #[cfg(test)]
    fn pack_ids(ids: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        for id in ids {
            out.push(u8::try_from(id.len()).expect("a short id"));
            out.extend_from_slice(id.as_bytes());
        }
        out
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
    #[cfg(test)]
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

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn lists_pack_and_unpack() {
            let ids = vec!["a".repeat(32), String::new(), "x".repeat(128)];
            assert_eq!(unpack_ids(&pack_ids(&ids)), Some(ids));
            assert_eq!(unpack_ids(&[]), Some(Vec::new()));
            let seqs = vec![1, 7, i64::MAX];
            assert_eq!(unpack_seqs(&pack_seqs(&seqs)), Some(seqs));
        }

        #[test]
        fn a_cut_list_does_not_unpack() {
            let packed = pack_ids(&["abc".to_owned()]);
            assert_eq!(unpack_ids(&packed[..3]), None);
            assert_eq!(unpack_seqs(&pack_seqs(&[3])[..7]), None);
        }
    }
}

#[cfg(test)]
mod tests;
