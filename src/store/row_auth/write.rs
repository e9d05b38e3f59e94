//! Writing tagged rows: every write computes the tag from exactly the values written.

use std::fmt::Write as _;

use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

use super::layout::{Layout, layout, tagged_tables};
use super::{Row, check, check_kind, encode, get, key_text, row_sums};
use crate::store::StoreError;
use crate::vault::Vault;

/// The tag of a row about to be written: `values` must name every covered column (and may name
/// sealed ones, which are not tagged).
fn tag_for(
    vault: &Vault, table: &str, layout: &Layout, values: &[(&str, Value)],
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

/// Runs `UPDATE table SET <set…>, row_tag = ? WHERE <key>` with `set` the columns to write.
fn update_row(
    conn: &Connection, table: &str, layout: &Layout, set: &[(&str, &Value)], tag: &[u8; 32],
    key: &[Value],
) -> Result<usize, StoreError> {
    let mut sql = String::with_capacity(64 + 24 * set.len());
    let _ = write!(sql, "UPDATE \"{table}\" SET ");
    for (i, (name, _)) in set.iter().enumerate() {
        let _ = write!(sql, "\"{name}\" = ?{}, ", i + 1);
    }
    let _ = write!(
        sql,
        "row_tag = ?{} WHERE {}",
        set.len() + 1,
        layout.key_condition(set.len() + 2)
    );
    let tag_ref = &tag[..];
    let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(set.len() + 1 + key.len());
    params.extend(set.iter().map(|(_, v)| *v as &dyn rusqlite::ToSql));
    params.push(&tag_ref);
    params.extend(key.iter().map(|k| k as &dyn rusqlite::ToSql));
    Ok(conn.prepare_cached(&sql)?.execute(params.as_slice())?)
}

/// Writes again the row with primary key `key`: `values` are all its covered values (and any
/// sealed ones) as they are to be, `changed` names the columns that differ from what is stored.
/// The tag is computed under `vault` from exactly `values`. For a rotation, which checked the
/// row under the old key just before. Returns the new tag.
pub(in crate::store) fn rewrite(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value], values: &[(&str, Value)],
    changed: &[&str],
) -> Result<[u8; 32], StoreError> {
    let layout = layout(table)?;
    let tag = tag_for(vault, table, layout, values)?;
    let set = changed
        .iter()
        .map(|name| {
            values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(n, v)| (*n, v))
                .ok_or_else(|| StoreError::Encoding(format!("internal: {table}.{name} not given")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if update_row(conn, table, layout, &set, &tag, key)? != 1 {
        return Err(StoreError::tampered(table, key_text(key)));
    }
    Ok(tag)
}

fn write(
    conn: &Connection, vault: &Vault, table: &str, verb: &str, values: &[(&str, Value)],
) -> Result<[u8; 32], StoreError> {
    let layout = layout(table)?;
    let tag = tag_for(vault, table, layout, values)?;
    if let Some(summed) = row_sums::summed(table) {
        // A replaced row's contribution would have to be taken away: a summed table's rows are
        // changed with [`update`].
        if verb != "INSERT" {
            return Err(StoreError::Encoding(format!(
                "internal: {table} rows are not replaced whole"
            )));
        }
        row_sums::note(conn, vault, summed, None, Some(&tag))?;
    }
    let tag = write_tagged(conn, table, verb, values, tag)?;
    if super::census::covers(table) {
        super::census::note_added(conn, vault, table, &layout.key_of(table, values)?)?;
    }
    Ok(tag)
}

/// A row whose tag is computed from exactly its values, not yet written (see
/// [`insert_prepared`]): for a chain whose next link must be known before the row it hangs on
/// is written.
pub(in crate::store) struct PreparedRow {
    table: &'static str,
    values: Vec<(&'static str, Value)>,
    tag: [u8; 32],
}

impl PreparedRow {
    pub(in crate::store) fn tag(&self) -> &[u8; 32] {
        &self.tag
    }

    /// The value given for `column`.
    #[cfg(test)]
    pub(in crate::store) fn value(&self, column: &str) -> Option<&Value> {
        self.values
            .iter()
            .find_map(|(name, value)| (*name == column).then_some(value))
    }

    /// The row's integer `column` (e.g. its `seq`), when it has one.
    pub(in crate::store) fn int(&self, column: &str) -> Option<i64> {
        self.values.iter().find_map(|(name, value)| match value {
            Value::Integer(i) if *name == column => Some(*i),
            _ => None,
        })
    }
}

/// Tags a row to be inserted later with [`insert_prepared`]. `values` names every covered
/// column (and any sealed ones).
pub(in crate::store) fn prepare(
    vault: &Vault, table: &'static str, values: Vec<(&'static str, Value)>,
) -> Result<PreparedRow, StoreError> {
    let tag = tag_for(vault, table, layout(table)?, &values)?;
    Ok(PreparedRow { table, values, tag })
}

/// Inserts a row tagged by [`prepare`], with that tag.
pub(in crate::store) fn insert_prepared(
    conn: &Connection, row: &PreparedRow,
) -> Result<(), StoreError> {
    write_tagged(conn, row.table, "INSERT", &row.values, row.tag).map(drop)
}

fn write_tagged(
    conn: &Connection, table: &str, verb: &str, values: &[(&str, Value)], tag: [u8; 32],
) -> Result<[u8; 32], StoreError> {
    // One buffer per statement text (looked up in the connection's statement cache).
    // Pushed, not formatted: `write!` for each name was a fifth of this function's work. A bare
    // `?` takes the next number, so the tag is the last parameter.
    let mut sql = String::with_capacity(64 + 24 * values.len());
    for part in [verb, " INTO \"", table, "\" ("] {
        sql.push_str(part);
    }
    for (name, _) in values {
        for part in ["\"", name, "\", "] {
            sql.push_str(part);
        }
    }
    sql.push_str("row_tag) VALUES (");
    sql.push_str(&"?, ".repeat(values.len()));
    sql.push_str("?)");
    let tag_ref = &tag[..];
    let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(values.len() + 1);
    params.extend(values.iter().map(|(_, v)| v as &dyn rusqlite::ToSql));
    params.push(&tag_ref);
    conn.prepare_cached(&sql)?.execute(params.as_slice())?;
    Ok(tag)
}

/// Inserts a row with its tag. `values` names every covered column (and any sealed ones).
pub(in crate::store) fn insert(
    conn: &Connection, vault: &Vault, table: &str, values: &[(&str, Value)],
) -> Result<(), StoreError> {
    write(conn, vault, table, "INSERT", values).map(drop)
}

/// Inserts a row unless one with the same key exists (which is then checked). Returns whether
/// it inserted.
pub(in crate::store) fn insert_if_absent(
    conn: &Connection, vault: &Vault, table: &str, values: &[(&str, Value)],
) -> Result<bool, StoreError> {
    let key = layout(table)?.key_of(table, values)?;
    if check(conn, vault, table, &key)? {
        return Ok(false);
    }
    insert(conn, vault, table, values)?;
    Ok(true)
}

/// Writes a whole row (insert, or replace the row with the same key) with its tag. For rows the
/// caller has just read and checked, or whose old content does not matter (a key wrap replaced).
pub(in crate::store) fn put(
    conn: &Connection, vault: &Vault, table: &str, values: &[(&str, Value)],
) -> Result<(), StoreError> {
    write(conn, vault, table, "INSERT OR REPLACE", values).map(drop)
}

/// [`update`] of a row that must exist: `NotFound` when there is none.
pub(in crate::store) fn update_one(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value], changes: &[(&str, Value)],
) -> Result<(), StoreError> {
    if update(conn, vault, table, key, changes)? {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Changes some columns of the row with primary key `key`: the row is checked first, then
/// written back with a new tag. Returns `false` when there is no such row.
pub(in crate::store) fn update(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value], changes: &[(&str, Value)],
) -> Result<bool, StoreError> {
    let Some(row) = get(conn, vault, table, key)? else {
        return Ok(false);
    };
    update_checked(conn, vault, table, key, row, changes)?;
    Ok(true)
}

/// [`update`] of a row the caller has just read with [`get`] (checked) in the same
/// transaction: written back with the changes and a new tag, without reading it again.
pub(in crate::store) fn update_checked(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value], row: Row,
    changes: &[(&str, Value)],
) -> Result<(), StoreError> {
    let layout = layout(table)?;
    let old_tag = row.tag;
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
    let set: Vec<(&str, &Value)> = changes.iter().map(|(n, v)| (*n, v)).collect();
    update_row(conn, table, layout, &set, &tag, key)?;
    if let Some(summed) = row_sums::summed(table) {
        row_sums::note(conn, vault, summed, Some(&old_tag), Some(&tag))?;
    }
    super::census::note_changed(conn, vault, table)
}

/// Deletes the row of the summed `table` (a [`row_sums::SUMMED`] table) with primary key `key`,
/// taking its contribution away. Returns whether there was one.
pub(in crate::store) fn delete_summed(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value],
) -> Result<bool, StoreError> {
    let summed = row_sums::summed(table)
        .ok_or_else(|| StoreError::Encoding(format!("internal: {table} is not kept as a sum")))?;
    let sql = format!(
        "DELETE FROM \"{table}\" WHERE {} RETURNING row_tag",
        layout(table)?.key_condition(1)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(key.iter()))?;
    let Some(r) = rows.next()? else {
        return Ok(false);
    };
    // Whatever tag the row had is taken away: a row put back from an older copy leaves the
    // newer one's contribution in the sum, which then disagrees as it did before.
    let tag: Vec<u8> = match r.get_ref(0)? {
        ValueRef::Blob(tag) => tag.to_vec(),
        _ => Vec::new(),
    };
    row_sums::note(conn, vault, summed, Some(&tag), None)?;
    Ok(true)
}

/// Whether any row of any authenticated table carries a tag. A database from before the scheme
/// carries none; one that carries some has been under it, so a missing audit head there is an
/// edit, not an old file.
pub(in crate::store) fn any_tagged(conn: &Connection) -> Result<bool, StoreError> {
    for table in tagged_tables() {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{table}\" WHERE row_tag IS NOT NULL)");
        if conn.query_row(&sql, [], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Tags every row that has no tag yet: the one-time step that brings a database written before
/// rows were authenticated under the scheme (run at the first unlock after the upgrade). Returns
/// how many rows it tagged.
pub(in crate::store) fn tag_untagged(
    conn: &Connection, vault: &Vault,
) -> Result<usize, StoreError> {
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
            let key = layout.key_of(table, &values)?;
            update_row(conn, table, layout, &[], &tag, &key)?;
            tagged += 1;
        }
    }
    Ok(tagged)
}
