//! Row authentication: a database edited by hand is refused, never obeyed.
//!
//! Every row of every table but the audit log (which is a MAC chain of its own, closed by the MAC'd
//! `audit_head`) carries `row_tag`: a MAC under the vault's row key over a canonical encoding of
//! the table's name and every column of the row except
//! - `sealed_*` columns: they are AES-GCM sealed with their table, column and row id as associated
//!   data, so an edited, swapped or copied sealed value already fails to open;
//! - the few columns in [`UNCOVERED`], each with the reason it cannot be covered.
//!
//! The primary key is one of the covered columns, so a row copied under another key, or two rows'
//! values swapped, fail their check like an edited value does. Which columns a table has is read
//! from the schema itself (an in-memory database built from the migrations), so a column added by a
//! later migration is covered without anyone remembering to list it.
//!
//! Invariants:
//! - every write of a tagged table goes through [`insert`], [`update`] or [`put`], which compute
//!   the tag from exactly the values written (an `update` first checks the row it changes: a
//!   tampered row is never re-tagged as if it were sound);
//! - a value's SQLite type must match its column's declared type, so what is tagged is what is
//!   read back;
//! - every read that a decision or a screen depends on checks its rows ([`get`], [`check`],
//!   [`check_all`]); a mismatch is [`StoreError::Tampered`] naming the table and the row.
//!
//! Deleting whole rows is caught where it matters by chains: the audit log by its head, a patient's
//! consent events by the head kept in the patient's visit state ([`consent_head`]), a patient's
//! forms and ledger rows by their links and counts (`patient_records`); and in the tables that
//! only grow (settings, imports, erasures, breaches, rights requests) by the [`census`]. A row
//! put back from an older copy of the database (its tag still sound) is caught in the small
//! tables decisions read whole (key wraps, staff, settings, sync identity and links, registers)
//! by the census's digests of them; in the visit states (each holding the heads of its patient's
//! chains) by the census's keyed sum of them ([`row_sums`]); in a patient's row and forms by what
//! their visit state keeps of them: the hash of the identity held and the sum of the forms'
//! sealed values (`patient_records::form_seals`), so a sealed value put back, alone or with its
//! row, is refused; a row put back with the same sealed values (a form's older export mark) is
//! not.

use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

use super::StoreError;
use crate::vault::Vault;

pub(super) mod census;
mod layout;
pub(super) mod pending;
pub(super) mod row_sums;
mod write;

use layout::{Column, Kind, Layout, layout};
pub(super) use layout::{key_columns, key_condition, key_values, sealed_columns, tagged_tables};
pub(super) use write::{
    PreparedRow, any_tagged, delete_summed, insert, insert_if_absent, insert_prepared, prepare,
    put, rewrite, tag_untagged, update, update_checked, update_one,
};

/// Columns no tag covers, and why.
pub(super) const UNCOVERED: &[(&str, &str, &str)] = &[(
    "installation",
    "failed_unlocks",
    "counted before the passphrase is checked, while no key is in memory; a wrong passphrase \
     changes nothing else, and whoever can edit the file can copy it and guess offline anyway",
)];

/// Small tables that every decision reads (who may sign in, which keys, settings, forms, links,
/// registers), checked whole at every unlock. The large ones are checked row by row as read.
pub(super) const CHECKED_AT_UNLOCK: &[&str] = &[
    "installation",
    "key_wraps",
    "staff",
    "settings",
    "form_definitions",
    "sync_identity",
    "pairing_offers",
    "desk_link",
    "export_bundles",
    "kiosk_links",
    "imported_bundles",
    "erased_submissions",
    "rights_requests",
    "breaches",
    "kiosk_security_events",
    "amendments",
    "audit_head",
];

const ROW_DOMAIN: &[u8] = b"intake-kiosk/row/1\0";
const CHAIN_DOMAIN: &[u8] = b"intake-kiosk/consent-chain/1\0";

/// A verified row: the covered columns by name.
#[derive(Debug)]
pub(super) struct Row {
    values: Vec<(&'static str, Value)>,
    /// The tag the row was read with (sound: it was checked).
    tag: [u8; 32],
}

impl Row {
    /// A row as if read and checked, for the unit tests of what reads rows.
    #[cfg(test)]
    pub(in crate::store) fn checked_for_test(values: Vec<(&'static str, Value)>) -> Row {
        Row {
            values,
            tag: [0; 32],
        }
    }

    fn value(&self, column: &str) -> Result<&Value, StoreError> {
        self.values
            .iter()
            .find(|(name, _)| *name == column)
            .map(|(_, v)| v)
            .ok_or_else(|| StoreError::Encoding(format!("internal: no column {column}")))
    }
    pub(super) fn text(&self, column: &str) -> Result<String, StoreError> {
        match self.value(column)? {
            Value::Text(t) => Ok(t.clone()),
            _ => Err(StoreError::Encoding(format!("{column} is not text"))),
        }
    }
    pub(super) fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            _ => self.text(column).map(Some),
        }
    }
    pub(super) fn int(&self, column: &str) -> Result<i64, StoreError> {
        match self.value(column)? {
            Value::Integer(i) => Ok(*i),
            _ => Err(StoreError::Encoding(format!("{column} is not a number"))),
        }
    }
    pub(super) fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            _ => self.int(column).map(Some),
        }
    }
    pub(super) fn blob(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        match self.value(column)? {
            Value::Blob(b) => Ok(b.clone()),
            _ => Err(StoreError::Encoding(format!("{column} is not bytes"))),
        }
    }
    pub(super) fn opt_blob(&self, column: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            _ => self.blob(column).map(Some),
        }
    }
    /// The covered values, by column name (for a row written again whole, as a rotation does).
    pub(super) fn into_values(self) -> Vec<(&'static str, Value)> {
        self.values
    }
}

fn push_value(out: &mut Vec<u8>, value: ValueRef<'_>) {
    let (kind, bytes): (u8, &[u8]) = match value {
        ValueRef::Null => (0, &[]),
        ValueRef::Integer(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_be_bytes());
            return;
        }
        ValueRef::Real(r) => {
            out.push(2);
            out.extend_from_slice(&r.to_bits().to_be_bytes());
            return;
        }
        ValueRef::Text(t) => (3, t),
        ValueRef::Blob(b) => (4, b),
    };
    out.push(kind);
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Covered columns added to a table after its rows were first tagged, whose NULL means "not
/// set yet" and is left out of the encoding: a row tagged before the column existed keeps its
/// tag until the column is given a value (which is encoded, so taking it away again shows).
const ADDED_LATER: &[(&str, &str)] = &[
    ("patients", "form_ids"),
    ("patients", "ledger_seqs"),
    ("installation", "census"),
    ("submissions", "prev_form"),
    ("consent_records", "prev_seq"),
    ("visit_state", "newest_form"),
    ("visit_state", "forms_sum"),
    ("export_bundles", "audit_length"),
    ("imported_bundles", "audit_tag"),
];

/// The canonical encoding of a row: domain, table, then each covered column (sorted by name)
/// with its type and length-prefixed value (a NULL in an [`ADDED_LATER`] column left out).
fn encode<'a>(table: &str, values: impl Iterator<Item = (&'a str, ValueRef<'a>)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(ROW_DOMAIN);
    out.extend_from_slice(table.as_bytes());
    out.push(0);
    for (name, value) in values {
        if value == ValueRef::Null && ADDED_LATER.contains(&(table, name)) {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        push_value(&mut out, value);
    }
    out
}

fn key_text(key: &[Value]) -> String {
    key.iter()
        .map(|v| match v {
            Value::Text(t) => t.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Null => "NULL".into(),
            Value::Real(r) => r.to_string(),
            Value::Blob(_) => "(bytes)".into(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn tampered(table: &str, key: &[Value]) -> StoreError {
    StoreError::Tampered {
        table: table.to_owned(),
        row: key_text(key),
    }
}

fn check_kind(table: &str, column: &Column, value: &Value) -> Result<(), StoreError> {
    let fits = match value {
        Value::Null => !column.not_null,
        Value::Integer(_) => column.kind == Kind::Integer,
        Value::Text(_) => column.kind == Kind::Text,
        Value::Blob(_) => column.kind == Kind::Blob,
        Value::Real(_) => false,
    };
    if fits {
        Ok(())
    } else {
        Err(StoreError::Encoding(format!(
            "internal: {table}.{} given a value of the wrong type",
            column.name
        )))
    }
}

/// Reads one row's covered values and tag from a statement row (covered columns first, in the
/// canonical order, then `row_tag`), and checks the tag.
fn verified_row(
    vault: &Vault, table: &str, layout: &'static Layout, r: &rusqlite::Row<'_>,
) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(layout.covered.len());
    for (i, column) in layout.covered.iter().enumerate() {
        values.push((column.name.as_str(), r.get::<_, Value>(i)?));
    }
    let encoded = encode(table, values.iter().map(|(n, v)| (*n, ValueRef::from(v))));
    let tag = match r.get_ref(layout.covered.len())? {
        ValueRef::Blob(tag) if vault.row_tag_matches(&encoded, tag) => {
            <[u8; 32]>::try_from(tag).ok()
        }
        _ => None,
    };
    let Some(tag) = tag else {
        let key: Vec<Value> = layout
            .key
            .iter()
            .filter_map(|k| values.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .collect();
        return Err(tampered(table, &key));
    };
    Ok(Row {
        values: values.into_iter().collect(),
        tag,
    })
}

/// The checked columns of `table` (its covered columns in the canonical order, then `row_tag`)
/// as a select list, each prefixed with `alias.` when an alias is given. A query that selects
/// this list first, and anything else after it, has its rows checked by [`verify`] as they are
/// read: no second look-up per row. The first column after the list is at
/// [`checked_len`]`(table)`.
pub(super) fn select_list(table: &str, alias: Option<&str>) -> Result<String, StoreError> {
    let layout = layout(table)?;
    let prefix = alias.map(|a| format!("{a}.")).unwrap_or_default();
    let mut list: Vec<String> = layout
        .covered
        .iter()
        .map(|c| format!("{prefix}\"{}\"", c.name))
        .collect();
    list.push(format!("{prefix}row_tag"));
    Ok(list.join(", "))
}

/// How many columns [`select_list`] names for `table`.
pub(super) fn checked_len(table: &str) -> Result<usize, StoreError> {
    Ok(layout(table)?.covered.len() + 1)
}

/// Checks a row read by a query that starts with [`select_list`]`(table, …)`.
pub(super) fn verify(vault: &Vault, table: &str, r: &rusqlite::Row<'_>) -> Result<Row, StoreError> {
    verified_row(vault, table, layout(table)?, r)
}

/// The bytes of column `index` of a row read after [`select_list`] (a sealed value); a value of
/// another type is a row edited by hand.
pub(super) fn blob_at<'r>(
    table: &str, r: &'r rusqlite::Row<'_>, index: usize,
) -> Result<&'r [u8], StoreError> {
    match r.get_ref(index)? {
        ValueRef::Blob(bytes) => Ok(bytes),
        _ => Err(StoreError::tampered(table, format!("column {index}"))),
    }
}

/// The row of `table` whose primary key is `key`, checked; `None` when there is none.
pub(super) fn get(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value],
) -> Result<Option<Row>, StoreError> {
    let layout = layout(table)?;
    let mut stmt = conn.prepare_cached(&layout.select_by_key)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(key.iter()))?;
    match rows.next()? {
        Some(r) => Ok(Some(verified_row(vault, table, layout, r)?)),
        None => Ok(None),
    }
}

/// Checks the row of `table` whose primary key is `key`; `false` when there is none.
pub(super) fn check(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value],
) -> Result<bool, StoreError> {
    Ok(get(conn, vault, table, key)?.is_some())
}

/// Every row of `table`, checked. Returns them.
pub(super) fn all(conn: &Connection, vault: &Vault, table: &str) -> Result<Vec<Row>, StoreError> {
    let layout = layout(table)?;
    let mut stmt = conn.prepare_cached(&layout.select_all)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(verified_row(vault, table, layout, r)?);
    }
    Ok(out)
}

/// Checks every row of `table`. Returns how many there are.
pub(super) fn check_all(
    conn: &Connection, vault: &Vault, table: &str,
) -> Result<usize, StoreError> {
    Ok(all(conn, vault, table)?.len())
}

/// How many bytes of a keyed hash a patient's visit state keeps (its consent chain's head, the
/// hash of the identity held): 16, 128 bits of HMAC-SHA256, which someone without the key
/// matches by chance once in 2^128 tries. The whole 32 made the state row a third larger, and
/// at 100,000 patients a bundle of returning patients rewrites nearly every page of the table
/// (README, the desk at 1M). Values written before kept all 32 and are read as they are.
pub(super) const STATE_HASH_BYTES: usize = 16;

/// The width a consent chain grows with whose stored head is `stored`: a head written with all
/// 32 bytes (before [`STATE_HASH_BYTES`]) keeps its width, so its chain reads back as it was
/// written; any other chain is [`STATE_HASH_BYTES`] wide.
pub(super) fn head_width(stored: Option<&[u8]>) -> usize {
    match stored {
        Some(head) if head.len() == 32 => 32,
        _ => STATE_HASH_BYTES,
    }
}

/// The next link of a patient's consent chain: the previous head and the new event's row tag,
/// `width` bytes of it ([`head_width`]). The head kept in the patient's visit state is the fold
/// over every event of the patient in `seq` order, so a deleted, inserted or reordered event no
/// longer matches it.
pub(super) fn consent_head(
    vault: &Vault, previous: &[u8], event_tag: &[u8], width: usize,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(CHAIN_DOMAIN.len() + 8 + previous.len() + 32);
    message.extend_from_slice(CHAIN_DOMAIN);
    message.extend_from_slice(&(previous.len() as u64).to_be_bytes());
    message.extend_from_slice(previous);
    message.extend_from_slice(event_tag);
    let full = vault.row_tag(&message);
    full[..width.min(full.len())].to_vec()
}

/// The key values of a one-column text key.
pub(super) fn text_key(id: &str) -> [Value; 1] {
    [Value::Text(id.to_owned())]
}

/// Whether a row with this one-column key exists at all (checked or not): for "is there one?"
/// questions whose answer is then checked by reading the row.
pub(super) fn exists(conn: &Connection, table: &str, key: &[Value]) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(&layout(table)?.exists_by_key)?;
    Ok(stmt.exists(rusqlite::params_from_iter(key.iter()))?)
}

#[cfg(test)]
mod tests;
