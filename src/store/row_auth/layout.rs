//! What row authentication knows of each table, read once from the schema the migrations build
//! (an in-memory database): which columns a tag covers, in which order, which are sealed, the
//! primary key, and the statements that read a row back.

use std::collections::HashMap;
use std::sync::OnceLock;

use rusqlite::Connection;
use rusqlite::types::Value;

use super::UNCOVERED;
use crate::store::StoreError;
use crate::store::migrations::MIGRATIONS;

/// The one table not tagged row by row: its entries form a MAC chain closed by `audit_head`.
const UNTAGGED: &[&str] = &["audit_log"];

/// The declared type of a column, as its values must be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Integer,
    Text,
    Blob,
}

#[derive(Debug)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) not_null: bool,
}

/// What row authentication knows of one table.
#[derive(Debug)]
pub(super) struct Layout {
    /// Covered columns, sorted by name (the canonical order).
    pub(super) covered: Vec<Column>,
    /// Primary-key columns, in key order.
    pub(super) key: Vec<String>,
    /// Sealed columns (written, not covered).
    pub(super) sealed: Vec<String>,
    /// `SELECT <covered…>, row_tag FROM t WHERE <key> = ?…`
    pub(super) select_by_key: String,
    /// `SELECT <covered…>, row_tag FROM t`
    pub(super) select_all: String,
    /// `SELECT 1 FROM t WHERE <key> = ?…`
    pub(super) exists_by_key: String,
}

impl Layout {
    /// `"k1" = ?first AND "k2" = ?first+1 …`: the row's primary key as a condition whose
    /// parameters start at `first`.
    pub(super) fn key_condition(&self, first: usize) -> String {
        key_condition(&self.key, first)
    }

    /// The primary-key values among a row's `values`.
    pub(super) fn key_of(
        &self, table: &str, values: &[(&str, Value)],
    ) -> Result<Vec<Value>, StoreError> {
        self.key
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
}

/// `"k1" = ?first AND "k2" = ?first+1 …` for the key columns `key`.
pub(in crate::store) fn key_condition(key: &[String], first: usize) -> String {
    key.iter()
        .enumerate()
        .map(|(i, k)| format!("\"{k}\" = ?{}", first + i))
        .collect::<Vec<_>>()
        .join(" AND ")
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
        let where_key = key_condition(&key, 1);
        out.insert(
            table.clone(),
            Layout {
                select_by_key: format!("SELECT {list}, row_tag FROM \"{table}\" WHERE {where_key}"),
                select_all: format!("SELECT {list}, row_tag FROM \"{table}\""),
                exists_by_key: format!("SELECT 1 FROM \"{table}\" WHERE {where_key}"),
                covered,
                key,
                sealed,
            },
        );
    }
    Ok(out)
}

pub(super) fn layout(table: &str) -> Result<&'static Layout, StoreError> {
    layouts()
        .get(table)
        .ok_or_else(|| StoreError::Encoding(format!("internal: {table} is not a tagged table")))
}

/// Every tagged table, in a stable order.
pub(in crate::store) fn tagged_tables() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = layouts().keys().map(String::as_str).collect();
    names.sort_unstable();
    names
}

/// The sealed columns of `table` (written, not covered).
pub(in crate::store) fn sealed_columns(table: &str) -> Result<&'static [String], StoreError> {
    Ok(&layout(table)?.sealed)
}

/// The primary-key columns of `table`, in key order.
pub(in crate::store) fn key_columns(table: &str) -> Result<&'static [String], StoreError> {
    Ok(&layout(table)?.key)
}

/// The primary-key values of a row given by its covered values.
pub(in crate::store) fn key_values(
    table: &str, values: &[(&str, Value)],
) -> Result<Vec<Value>, StoreError> {
    layout(table)?.key_of(table, values)
}
