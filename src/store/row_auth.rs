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
//! consent events by the head kept in the patient's row ([`consent_head`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension};

use super::StoreError;
use super::migrations::MIGRATIONS;
use crate::vault::Vault;

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

/// The one table not tagged row by row: its entries form a MAC chain closed by `audit_head`.
const UNTAGGED: &[&str] = &["audit_log"];

const ROW_DOMAIN: &[u8] = b"intake-kiosk/row/1\0";
const CHAIN_DOMAIN: &[u8] = b"intake-kiosk/consent-chain/1\0";

/// The declared type of a column, as its values must be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Blob,
}

#[derive(Debug)]
struct Column {
    name: String,
    kind: Kind,
    not_null: bool,
}

/// What row authentication knows of one table.
#[derive(Debug)]
struct Layout {
    /// Covered columns, sorted by name (the canonical order).
    covered: Vec<Column>,
    /// Primary-key columns, in key order.
    key: Vec<String>,
    /// Sealed columns (written, not covered).
    sealed: Vec<String>,
    /// `SELECT <covered…>, row_tag FROM t WHERE <key> = ?…`
    select_by_key: String,
    /// `SELECT <covered…>, row_tag FROM t`
    select_all: String,
}

fn layouts() -> &'static HashMap<String, Layout> {
    static LAYOUTS: OnceLock<HashMap<String, Layout>> = OnceLock::new();
    LAYOUTS.get_or_init(|| {
        let conn = Connection::open_in_memory().expect("an in-memory database opens");
        for step in MIGRATIONS {
            conn.execute_batch(step)
                .expect("the migrations build an empty schema");
        }
        read_layouts(&conn).expect("the schema describes itself")
    })
}

fn read_layouts(conn: &Connection) -> rusqlite::Result<HashMap<String, Layout>> {
    let mut tables = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )?;
    let names: Vec<String> = tables
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = HashMap::new();
    for table in names {
        if UNTAGGED.contains(&table.as_str()) {
            continue;
        }
        let mut info = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
        let mut columns: Vec<(String, String, bool, i64)> = info
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?)))?
            .collect::<Result<_, _>>()?;
        let mut key: Vec<(i64, String)> = columns
            .iter()
            .filter(|c| c.3 > 0)
            .map(|c| (c.3, c.0.clone()))
            .collect();
        key.sort();
        columns.sort_by(|a, b| a.0.cmp(&b.0));
        let mut covered = Vec::new();
        let mut sealed = Vec::new();
        for (name, declared, not_null, _) in columns {
            if name == "row_tag" {
                continue;
            }
            if name.starts_with("sealed_") {
                sealed.push(name);
                continue;
            }
            if UNCOVERED.iter().any(|(t, c, _)| *t == table && *c == name) {
                continue;
            }
            let kind = match declared.to_ascii_uppercase().as_str() {
                "INTEGER" => Kind::Integer,
                "BLOB" => Kind::Blob,
                _ => Kind::Text,
            };
            covered.push(Column {
                name,
                kind,
                not_null,
            });
        }
        let list = covered
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let key: Vec<String> = key.into_iter().map(|(_, name)| name).collect();
        let where_key = key
            .iter()
            .enumerate()
            .map(|(i, k)| format!("\"{k}\" = ?{}", i + 1))
            .collect::<Vec<_>>()
            .join(" AND ");
        out.insert(
            table.clone(),
            Layout {
                select_by_key: format!("SELECT {list}, row_tag FROM \"{table}\" WHERE {where_key}"),
                select_all: format!("SELECT {list}, row_tag FROM \"{table}\""),
                covered,
                key,
                sealed,
            },
        );
    }
    Ok(out)
}

fn layout(table: &str) -> Result<&'static Layout, StoreError> {
    layouts()
        .get(table)
        .ok_or_else(|| StoreError::Encoding(format!("internal: {table} is not a tagged table")))
}

/// Every tagged table, in a stable order.
pub(super) fn tagged_tables() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = layouts().keys().map(String::as_str).collect();
    names.sort_unstable();
    names
}

/// A verified row: the covered columns by name.
#[derive(Debug)]
pub(super) struct Row {
    values: Vec<(&'static str, Value)>,
}

impl Row {
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

/// The sealed columns of `table` (written, not covered).
pub(super) fn sealed_columns(table: &str) -> Result<&'static [String], StoreError> {
    Ok(&layout(table)?.sealed)
}

/// The primary-key columns of `table`, in key order.
pub(super) fn key_columns(table: &str) -> Result<&'static [String], StoreError> {
    Ok(&layout(table)?.key)
}

/// The primary-key values of a row given by its covered values.
pub(super) fn key_values(table: &str, values: &[(&str, Value)]) -> Result<Vec<Value>, StoreError> {
    key_of(table, layout(table)?, values)
}

/// Writes again the row with primary key `key`: `values` are all its covered values (and any
/// sealed ones) as they are to be, `changed` names the columns that differ from what is stored.
/// The tag is computed under `vault` from exactly `values`. For a rotation, which checked the
/// row under the old key just before. Returns the new tag.
pub(super) fn rewrite(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    key: &[Value],
    values: &[(&str, Value)],
    changed: &[&str],
) -> Result<[u8; 32], StoreError> {
    let layout = layout(table)?;
    let tag = tag_for(vault, table, layout, values)?;
    let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(changed.len() + 1 + key.len());
    let mut sets = Vec::with_capacity(changed.len() + 1);
    for name in changed {
        let value = values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| StoreError::Encoding(format!("internal: {table}.{name} not given")))?;
        sets.push(format!("\"{name}\" = ?{}", sets.len() + 1));
        params.push(value);
    }
    let tag_ref = &tag[..];
    sets.push(format!("row_tag = ?{}", sets.len() + 1));
    params.push(&tag_ref);
    let first_key = params.len() + 1;
    let where_key = layout
        .key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("\"{k}\" = ?{}", first_key + i))
        .collect::<Vec<_>>()
        .join(" AND ");
    for k in key {
        params.push(k);
    }
    let sql = format!(
        "UPDATE \"{table}\" SET {} WHERE {where_key}",
        sets.join(", ")
    );
    let written = conn.prepare_cached(&sql)?.execute(params.as_slice())?;
    if written != 1 {
        return Err(StoreError::tampered(table, key_text(key)));
    }
    Ok(tag)
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

/// The canonical encoding of a row: domain, table, then each covered column (sorted by name)
/// with its type and length-prefixed value.
fn encode<'a>(table: &str, values: impl Iterator<Item = (&'a str, ValueRef<'a>)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(ROW_DOMAIN);
    out.extend_from_slice(table.as_bytes());
    out.push(0);
    for (name, value) in values {
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
    vault: &Vault,
    table: &str,
    layout: &'static Layout,
    r: &rusqlite::Row<'_>,
) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(layout.covered.len());
    for (i, column) in layout.covered.iter().enumerate() {
        values.push((column.name.as_str(), r.get::<_, Value>(i)?));
    }
    let encoded = encode(table, values.iter().map(|(n, v)| (*n, ValueRef::from(v))));
    let tag = r.get_ref(layout.covered.len())?;
    let sound = match tag {
        ValueRef::Blob(tag) => vault.row_tag_matches(&encoded, tag),
        _ => false,
    };
    if !sound {
        let key: Vec<Value> = layout
            .key
            .iter()
            .filter_map(|k| values.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
            .collect();
        return Err(tampered(table, &key));
    }
    Ok(Row {
        values: values.into_iter().collect(),
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
    table: &str,
    r: &'r rusqlite::Row<'_>,
    index: usize,
) -> Result<&'r [u8], StoreError> {
    match r.get_ref(index)? {
        ValueRef::Blob(bytes) => Ok(bytes),
        _ => Err(StoreError::tampered(table, format!("column {index}"))),
    }
}

/// The row of `table` whose primary key is `key`, checked; `None` when there is none.
pub(super) fn get(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    key: &[Value],
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
    conn: &Connection,
    vault: &Vault,
    table: &str,
    key: &[Value],
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
    conn: &Connection,
    vault: &Vault,
    table: &str,
) -> Result<usize, StoreError> {
    Ok(all(conn, vault, table)?.len())
}

/// The tag of a row about to be written: `values` must name every covered column (and may name
/// sealed ones, which are not tagged).
fn tag_for(
    vault: &Vault,
    table: &str,
    layout: &Layout,
    values: &[(&str, Value)],
) -> Result<[u8; 32], StoreError> {
    let mut covered: Vec<(&str, ValueRef<'_>)> = Vec::with_capacity(layout.covered.len());
    for column in &layout.covered {
        let value = values
            .iter()
            .find(|(n, _)| *n == column.name)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                StoreError::Encoding(format!(
                    "internal: {table}.{} not given a value",
                    column.name
                ))
            })?;
        check_kind(table, column, value)?;
        covered.push((column.name.as_str(), ValueRef::from(value)));
    }
    for (name, _) in values {
        let known = layout.covered.iter().any(|c| c.name == *name)
            || layout.sealed.iter().any(|s| s == name);
        if !known {
            return Err(StoreError::Encoding(format!(
                "internal: {table} has no column {name}"
            )));
        }
    }
    Ok(vault.row_tag(&encode(table, covered.into_iter())))
}

fn write(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    verb: &str,
    values: &[(&str, Value)],
) -> Result<[u8; 32], StoreError> {
    let layout = layout(table)?;
    let tag = tag_for(vault, table, layout, values)?;
    // One buffer per statement text (looked up in the connection's statement cache).
    let mut sql = String::with_capacity(64 + 24 * values.len());
    sql.push_str(verb);
    sql.push_str(" INTO \"");
    sql.push_str(table);
    sql.push_str("\" (");
    for (name, _) in values {
        sql.push('"');
        sql.push_str(name);
        sql.push_str("\", ");
    }
    sql.push_str("row_tag) VALUES (");
    for i in 1..=values.len() {
        sql.push_str(&format!("?{i}, "));
    }
    sql.push_str(&format!("?{})", values.len() + 1));
    let mut params: Vec<&dyn rusqlite::ToSql> = values
        .iter()
        .map(|(_, v)| v as &dyn rusqlite::ToSql)
        .collect();
    let tag_ref = &tag[..];
    params.push(&tag_ref);
    conn.prepare_cached(&sql)?.execute(params.as_slice())?;
    Ok(tag)
}

/// Inserts a row with its tag. `values` names every covered column (and any sealed ones).
pub(super) fn insert(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    values: &[(&str, Value)],
) -> Result<(), StoreError> {
    write(conn, vault, table, "INSERT", values)?;
    Ok(())
}

/// Inserts a row and returns its tag (for chains that fold row tags).
pub(super) fn insert_tagged(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    values: &[(&str, Value)],
) -> Result<[u8; 32], StoreError> {
    write(conn, vault, table, "INSERT", values)
}

/// Inserts a row unless one with the same key exists (which is then checked). Returns whether
/// it inserted.
pub(super) fn insert_if_absent(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    values: &[(&str, Value)],
) -> Result<bool, StoreError> {
    let layout = layout(table)?;
    let key = key_of(table, layout, values)?;
    if check(conn, vault, table, &key)? {
        return Ok(false);
    }
    insert(conn, vault, table, values)?;
    Ok(true)
}

/// Writes a whole row (insert, or replace the row with the same key) with its tag. For rows the
/// caller has just read and checked, or whose old content does not matter (a key wrap replaced).
pub(super) fn put(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    values: &[(&str, Value)],
) -> Result<(), StoreError> {
    write(conn, vault, table, "INSERT OR REPLACE", values)?;
    Ok(())
}

fn key_of(
    table: &str,
    layout: &Layout,
    values: &[(&str, Value)],
) -> Result<Vec<Value>, StoreError> {
    layout
        .key
        .iter()
        .map(|k| {
            values
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| StoreError::Encoding(format!("internal: {table}.{k} not given")))
        })
        .collect()
}

/// [`update`] of a row that must exist: `NotFound` when there is none.
pub(super) fn update_one(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    key: &[Value],
    changes: &[(&str, Value)],
) -> Result<(), StoreError> {
    if update(conn, vault, table, key, changes)? {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Changes some columns of the row with primary key `key`: the row is checked first, then
/// written back with a new tag. Returns `false` when there is no such row.
pub(super) fn update(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    key: &[Value],
    changes: &[(&str, Value)],
) -> Result<bool, StoreError> {
    let Some(row) = get(conn, vault, table, key)? else {
        return Ok(false);
    };
    update_checked(conn, vault, table, key, row, changes)?;
    Ok(true)
}

/// [`update`] of a row the caller has just read with [`get`] (checked) in the same
/// transaction: written back with the changes and a new tag, without reading it again.
pub(super) fn update_checked(
    conn: &Connection,
    vault: &Vault,
    table: &str,
    key: &[Value],
    row: Row,
    changes: &[(&str, Value)],
) -> Result<(), StoreError> {
    let layout = layout(table)?;
    let mut values: Vec<(&str, Value)> = row.values;
    for (name, value) in changes {
        if let Some(slot) = values.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value.clone();
        } else if !layout.sealed.iter().any(|s| s == name) {
            return Err(StoreError::Encoding(format!(
                "internal: {table} has no column {name}"
            )));
        }
    }
    let tag = tag_for(vault, table, layout, &values)?;
    let sets: Vec<String> = changes
        .iter()
        .enumerate()
        .map(|(i, (n, _))| format!("\"{n}\" = ?{}", i + 1))
        .collect();
    let tag_mark = changes.len() + 1;
    let where_key = layout
        .key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("\"{k}\" = ?{}", tag_mark + 1 + i))
        .collect::<Vec<_>>()
        .join(" AND ");
    let sql = format!(
        "UPDATE \"{table}\" SET {}, row_tag = ?{tag_mark} WHERE {where_key}",
        sets.join(", ")
    );
    let mut params: Vec<&dyn rusqlite::ToSql> = changes
        .iter()
        .map(|(_, v)| v as &dyn rusqlite::ToSql)
        .collect();
    let tag_ref = &tag[..];
    params.push(&tag_ref);
    for k in key {
        params.push(k);
    }
    conn.prepare_cached(&sql)?.execute(params.as_slice())?;
    Ok(())
}

/// The next link of a patient's consent chain: the previous head and the new event's row tag.
/// The head kept in the patient's row is the fold over every event of the patient in `seq`
/// order, so a deleted, inserted or reordered event no longer matches it.
pub(super) fn consent_head(vault: &Vault, previous: &[u8], event_tag: &[u8]) -> [u8; 32] {
    let mut message = Vec::with_capacity(CHAIN_DOMAIN.len() + 8 + previous.len() + 32);
    message.extend_from_slice(CHAIN_DOMAIN);
    message.extend_from_slice(&(previous.len() as u64).to_be_bytes());
    message.extend_from_slice(previous);
    message.extend_from_slice(event_tag);
    vault.row_tag(&message)
}

/// Tags every row that has no tag yet: the one-time step that brings a database written before
/// rows were authenticated under the scheme (run at the first unlock after the upgrade). Returns
/// how many rows it tagged.
pub(super) fn tag_untagged(conn: &Connection, vault: &Vault) -> Result<usize, StoreError> {
    let mut tagged = 0;
    for table in tagged_tables() {
        let layout = layout(table)?;
        let sql = format!(
            "{} WHERE row_tag IS NULL",
            layout
                .select_all
                .replacen(", row_tag FROM", ", NULL FROM", 1)
        );
        let rows: Vec<Vec<(&'static str, Value)>> = {
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let mut values = Vec::with_capacity(layout.covered.len());
                for (i, column) in layout.covered.iter().enumerate() {
                    values.push((column.name.as_str(), r.get::<_, Value>(i)?));
                }
                out.push(values);
            }
            out
        };
        for values in rows {
            let encoded = encode(table, values.iter().map(|(n, v)| (*n, ValueRef::from(v))));
            let tag = vault.row_tag(&encoded);
            let key = key_of(table, layout, &values)?;
            let where_key = layout
                .key
                .iter()
                .enumerate()
                .map(|(i, k)| format!("\"{k}\" = ?{}", i + 2))
                .collect::<Vec<_>>()
                .join(" AND ");
            let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(1 + key.len());
            let tag_ref = &tag[..];
            params.push(&tag_ref);
            for k in &key {
                params.push(k);
            }
            conn.execute(
                &format!("UPDATE \"{table}\" SET row_tag = ?1 WHERE {where_key}"),
                params.as_slice(),
            )?;
            tagged += 1;
        }
    }
    Ok(tagged)
}

/// The key values of a one-column text key.
pub(super) fn text_key(id: &str) -> [Value; 1] {
    [Value::Text(id.to_owned())]
}

/// Whether a row with this one-column key exists at all (checked or not): for "is there one?"
/// questions whose answer is then checked by reading the row.
pub(super) fn exists(conn: &Connection, table: &str, key: &[Value]) -> Result<bool, StoreError> {
    let layout = layout(table)?;
    let where_key = layout
        .key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("\"{k}\" = ?{}", i + 1))
        .collect::<Vec<_>>()
        .join(" AND ");
    Ok(conn
        .prepare_cached(&format!("SELECT 1 FROM \"{table}\" WHERE {where_key}"))?
        .query_row(rusqlite::params_from_iter(key.iter()), |_| Ok(()))
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_but_the_audit_log_is_tagged_and_keyed() {
        let names = tagged_tables();
        assert!(names.contains(&"staff"));
        assert!(names.contains(&"submissions"));
        assert!(!names.contains(&"audit_log"));
        for name in names {
            let layout = layout(name).unwrap();
            assert!(!layout.key.is_empty(), "{name} has a primary key");
            for k in &layout.key {
                assert!(
                    layout.covered.iter().any(|c| &c.name == k),
                    "{name}'s key {k} is covered"
                );
            }
        }
    }

    #[test]
    fn the_encoding_separates_columns_and_types() {
        let a = encode(
            "t",
            [("a", ValueRef::Text(b"1")), ("b", ValueRef::Text(b"23"))].into_iter(),
        );
        let b = encode(
            "t",
            [("a", ValueRef::Text(b"12")), ("b", ValueRef::Text(b"3"))].into_iter(),
        );
        let c = encode(
            "t",
            [("a", ValueRef::Integer(1)), ("b", ValueRef::Text(b"23"))].into_iter(),
        );
        let d = encode(
            "u",
            [("a", ValueRef::Text(b"1")), ("b", ValueRef::Text(b"23"))].into_iter(),
        );
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}
