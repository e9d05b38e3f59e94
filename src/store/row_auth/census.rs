//! The census: how many rows each table that only grows holds, and which settings were ever
//! written, kept in the installation row (so under its tag) and updated with every row added.
//!
//! A row deleted by hand leaves no tag behind to fail, and in these tables a missing row changes
//! a decision: a deleted setting brings its default back (a stored 15 years' retention becomes 8,
//! and records are erased early); deleted import and erasure lists let an old bundle be imported
//! again and bring an erased patient back; a deleted breach or rights request hides it from the
//! registers and their clocks. The census notices: it is checked at every unlock and by
//! `verify`, and the import checks its two lists before it trusts them.
//!
//! Invariants: the app never deletes a row of these tables; every row added goes through
//! [`super::insert`] or [`super::put`], which note it here in the same transaction. A database
//! written before the census gets one, once, at its first unlock from what it holds (as rows got
//! their tags); from then on the census column is covered by the installation row's tag.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use super::{get, update};
use crate::store::StoreError;
use crate::vault::Vault;

/// Tables whose rows are counted: the app only ever adds to them.
const COUNTED: &[&str] = &[
    "imported_bundles",
    "erased_submissions",
    "breaches",
    "rights_requests",
    "kiosk_security_events",
];

/// The census's shape: 1 counts the kiosks' security events too (a deleted burst of wrong PINs
/// would hide it from the desk's unusual-access flags). A census of shape 0 gets that count,
/// once, at the first unlock after the upgrade.
const SHAPE: u32 = 1;

/// The table whose keys are listed (each setting ever written; a handful).
const LISTED: &str = "settings";

/// The lists an import trusts: what was imported, and which forms were erased.
pub(in crate::store) const IMPORT_LISTS: &[&str] = &["imported_bundles", "erased_submissions"];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::store) struct Census {
    counts: BTreeMap<String, u64>,
    settings: BTreeSet<String>,
    /// [`SHAPE`] when written; absent (0) in a census from before it.
    #[serde(default)]
    shape: u32,
}

impl Census {
    /// The census of a new database: nothing in any table.
    pub(in crate::store) fn empty_json() -> String {
        let census = Census {
            shape: SHAPE,
            ..Census::default()
        };
        serde_json::to_string(&census).expect("a census always serialises")
    }
}

const INSTALLATION: [Value; 1] = [Value::Integer(1)];

/// The census as the installation row holds it: `None` before the installation row exists,
/// `Some(None)` for a database from before the census.
fn stored(conn: &Connection, vault: &Vault) -> Result<Option<Option<Census>>, StoreError> {
    let Some(row) = get(conn, vault, "installation", &INSTALLATION)? else {
        return Ok(None);
    };
    let Some(json) = row.opt_text("census")? else {
        return Ok(Some(None));
    };
    serde_json::from_str(&json)
        .map(|census| Some(Some(census)))
        .map_err(|_| StoreError::tampered("installation", "census"))
}

/// What the tables hold now.
fn taken(conn: &Connection) -> Result<Census, StoreError> {
    let mut census = Census {
        shape: SHAPE,
        ..Census::default()
    };
    for table in COUNTED {
        let count: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })?;
        census
            .counts
            .insert((*table).to_owned(), u64::try_from(count).unwrap_or(0));
    }
    let mut keys = conn.prepare_cached("SELECT key FROM settings")?;
    for key in keys.query_map([], |r| r.get::<_, String>(0))? {
        census.settings.insert(key?);
    }
    Ok(census)
}

fn store(conn: &Connection, vault: &Vault, census: &Census) -> Result<(), StoreError> {
    let json = serde_json::to_string(census).expect("a census always serialises");
    update(
        conn,
        vault,
        "installation",
        &INSTALLATION,
        &[("census", Value::Text(json))],
    )?;
    Ok(())
}

/// Whether the census keeps `table` (every other table's writes pass by without a look).
pub(super) fn covers(table: &str) -> bool {
    table == LISTED || COUNTED.contains(&table)
}

/// Notes a row just added to `table` (with primary key `key`), in the caller's transaction.
/// Tables outside the census are left alone; so is a database still without an installation row.
pub(super) fn note_added(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value],
) -> Result<(), StoreError> {
    let counted = COUNTED.contains(&table);
    if !covers(table) {
        return Ok(());
    }
    let Some(stored) = stored(conn, vault)? else {
        return Ok(());
    };
    let Some(mut census) = stored else {
        // Not adopted yet (an unlock adopts it): what the tables hold, this row included.
        return store(conn, vault, &taken(conn)?);
    };
    if counted {
        *census.counts.entry(table.to_owned()).or_default() += 1;
    } else {
        match key {
            [Value::Text(setting)] if !census.settings.contains(setting) => {
                census.settings.insert(setting.clone());
            }
            _ => return Ok(()),
        }
    }
    store(conn, vault, &census)
}

/// A database from before the census gets one from what it holds (at its first unlock after the
/// upgrade, as rows got their tags). Nothing for one that has it.
pub(in crate::store) fn adopt(conn: &Connection, vault: &Vault) -> Result<(), StoreError> {
    match stored(conn, vault)? {
        Some(None) => store(conn, vault, &taken(conn)?),
        // Of an earlier shape: the tables counted since are counted from what they hold.
        Some(Some(mut census)) if census.shape < SHAPE => {
            let now = taken(conn)?;
            let table = "kiosk_security_events";
            census.counts.insert(
                table.to_owned(),
                now.counts.get(table).copied().unwrap_or(0),
            );
            census.shape = SHAPE;
            store(conn, vault, &census)
        }
        _ => Ok(()),
    }
}

/// Checks `tables` (all of the census's when empty) against the census: a row count that differs
/// or a setting once written and now gone is [`StoreError::Tampered`], naming the table.
pub(in crate::store) fn check(
    conn: &Connection, vault: &Vault, tables: &[&str],
) -> Result<(), StoreError> {
    let Some(Some(census)) = stored(conn, vault)? else {
        return Ok(());
    };
    let now = taken(conn)?;
    let asked = |table: &str| tables.is_empty() || tables.contains(&table);
    for table in COUNTED.iter().filter(|t| asked(t)) {
        let was = census.counts.get(*table).copied().unwrap_or(0);
        let is = now.counts.get(*table).copied().unwrap_or(0);
        if was != is {
            return Err(StoreError::tampered(
                table,
                format!("{is} rows where {was} were written"),
            ));
        }
    }
    if asked(LISTED)
        && let Some(gone) = census.settings.difference(&now.settings).next()
    {
        return Err(StoreError::tampered(LISTED, gone));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use crate::staff::Role;
    use crate::store::{Actor, OpenStore, Store, StoreError, SyncRole};
    use crate::vault::Passphrase;

    fn unlock(path: &std::path::Path) -> Result<(OpenStore, Actor), StoreError> {
        let store = Store::open_for(path, SyncRole::Desk)?;
        let passphrase = Passphrase::new(crate::demo::DEMO_PASSPHRASE);
        let (open, manager) =
            OpenStore::unlock(store, &passphrase, Utc::now()).map_err(|f| f.error)?;
        Ok((open, Actor::new(manager, Role::Manager)))
    }

    fn edited(path: &std::path::Path, sql: &str) {
        let conn = rusqlite::Connection::open(path).unwrap();
        assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
    }

    /// A demo desk in a folder of its own (kept as long as the folder lives).
    fn demo_desk() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        crate::demo::create_demo_desk(&path).unwrap();
        (dir, path)
    }

    fn refused_for(path: &std::path::Path) -> String {
        match unlock(path) {
            Err(StoreError::Tampered { table, .. }) => table,
            other => panic!("opened: {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_setting_deleted_by_hand_is_not_replaced_by_its_default() {
        let (_dir, path) = demo_desk();
        let (open, manager) = unlock(&path).unwrap();
        open.set_setting(&manager, "retention.adult_years", "15", Utc::now())
            .unwrap();
        // Written again with another value: still one setting, listed once.
        open.set_setting(&manager, "retention.adult_years", "20", Utc::now())
            .unwrap();
        open.close(Some(&manager), Utc::now()).unwrap();
        let (open, manager) = unlock(&path).unwrap();
        open.verify_everything().unwrap();
        open.close(Some(&manager), Utc::now()).unwrap();
        edited(
            &path,
            "DELETE FROM settings WHERE key = 'retention.adult_years'",
        );
        assert_eq!(refused_for(&path), "settings");
    }

    #[test]
    fn a_register_entry_deleted_by_hand_is_noticed() {
        let (dir, path) = demo_desk();
        for (table, sql) in [
            ("rights_requests", "DELETE FROM rights_requests"),
            ("breaches", "DELETE FROM breaches"),
        ] {
            let copy = dir.path().join(format!("{table}.sqlite3"));
            std::fs::copy(&path, &copy).unwrap();
            edited(&copy, sql);
            assert_eq!(refused_for(&copy), table);
        }
    }

    #[test]
    fn a_kiosks_security_event_deleted_by_hand_is_noticed_and_an_older_census_counts_them_once() {
        use rusqlite::types::Value;
        let (_dir, path) = demo_desk();
        let (open, manager) = unlock(&path).unwrap();
        for seq in 1..=2 {
            let event = [
                ("kiosk_id", Value::Text("kiosk-1".into())),
                ("seq", Value::Integer(seq)),
                ("at", Value::Text("2026-12-01T10:00:00+00:00".into())),
                ("kind", Value::Text("sign_in_failed".into())),
            ];
            super::super::insert(open.conn(), open.vault(), "kiosk_security_events", &event)
                .unwrap();
        }
        // A census of the earlier shape (written by the app, so under its tag): the events are
        // counted at the next unlock, once.
        let mut census = super::stored(open.conn(), open.vault())
            .unwrap()
            .unwrap()
            .unwrap();
        census.counts.remove("kiosk_security_events");
        census.shape = 0;
        super::store(open.conn(), open.vault(), &census).unwrap();
        open.close(Some(&manager), Utc::now()).unwrap();
        let (open, manager) = unlock(&path).unwrap();
        open.verify_everything().unwrap();
        let census = super::stored(open.conn(), open.vault())
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(census.shape, super::SHAPE);
        assert_eq!(census.counts["kiosk_security_events"], 2);
        open.close(Some(&manager), Utc::now()).unwrap();
        edited(&path, "DELETE FROM kiosk_security_events WHERE seq = 2");
        assert_eq!(refused_for(&path), "kiosk_security_events");
    }

    #[test]
    fn the_census_is_covered_by_the_installation_rows_tag() {
        let (dir, path) = demo_desk();
        // Taken away (as if from before the census), or made to agree with a deletion.
        for sql in [
            "UPDATE installation SET census = NULL",
            r#"UPDATE installation SET census = '{"counts":{},"settings":[]}'"#,
        ] {
            let copy = dir.path().join("copy.sqlite3");
            std::fs::copy(&path, &copy).unwrap();
            edited(&copy, sql);
            assert_eq!(refused_for(&copy), "installation", "{sql}");
            std::fs::remove_file(&copy).unwrap();
        }
    }
}
