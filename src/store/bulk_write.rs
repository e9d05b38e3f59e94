//! One large transaction (a bundle's import) made the cheap way, and the connection put back as
//! it was when it ends: a page cache that holds the whole transaction, and the rollback journal
//! instead of the WAL.
//!
//! Why the rollback journal: in WAL mode a 10,000-form import writes its ~50 MB of new pages
//! twice (into the WAL, then at the checkpoint its commit sets off, read back and into the
//! database) and syncs both files. With the rollback journal the new pages are written once, into
//! the database; the journal holds only the pages the transaction changes that were there before
//! (index and table pages it adds to), and is synced before any of them is overwritten. The
//! promise is the same: all of the transaction or nothing, durable once the commit returns
//! (`synchronous = FULL`); a crash in the middle leaves a hot journal that the next open rolls
//! back. What either file holds is sealed values and tags, as in the database.
//!
//! The switch needs the database to itself: when another connection has it open (the desk window
//! beside a command), the transaction runs in WAL mode as before.

use std::time::Duration;

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, Store, StoreError};

/// How long the switch to the rollback journal waits for another connection before the
/// transaction runs in WAL mode instead.
const SWITCH_WAIT: Duration = Duration::from_millis(50);

/// See [`Store::large_cache`]: the everyday size (`PRAGMA cache_size`, negative: KiB) to go
/// back to.
pub(in crate::store) struct LargeCache<'c>(&'c Connection, i64);

impl Drop for LargeCache<'_> {
    fn drop(&mut self) {
        let _ = self.0.execute_batch(&format!(
            "PRAGMA cache_size = {}; PRAGMA shrink_memory;",
            self.1
        ));
    }
}

/// See [`Store::rollback_journal`]: whether the switch was made (and is to be undone).
pub(in crate::store) struct RollbackJournal<'c> {
    conn: &'c Connection,
    switched: bool,
}

impl RollbackJournal<'_> {
    /// Whether the transaction runs with the rollback journal (false: in WAL mode, as always).
    #[cfg(test)]
    pub(in crate::store) fn switched(&self) -> bool {
        self.switched
    }
}

impl Drop for RollbackJournal<'_> {
    fn drop(&mut self) {
        // Should this fail (another connection came meanwhile and is reading), the connection
        // goes on with the rollback journal, as safe; every open sets WAL mode again.
        if self.switched {
            let _ = journal_mode(self.conn, "WAL");
        }
    }
}

/// Sets the journal mode, waiting [`SWITCH_WAIT`] at most for another connection; the mode it is
/// in afterwards.
fn journal_mode(conn: &Connection, mode: &str) -> Result<String, StoreError> {
    conn.busy_timeout(SWITCH_WAIT)?;
    let now = conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| {
        r.get::<_, String>(0)
    });
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(now?)
}

impl Store {
    /// A page cache large enough for one bundle's transaction until the guard drops (then back to
    /// the everyday size, the memory given back): a 10,000-form import writes ~100 MB of pages
    /// and, with the everyday cache, spilled them mid-transaction (7% of its time).
    pub(in crate::store) fn large_cache(&self) -> Result<LargeCache<'_>, StoreError> {
        let everyday: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.execute_batch("PRAGMA cache_size = -262144")?;
        Ok(LargeCache(&self.conn, everyday))
    }

    /// The rollback journal instead of the WAL until the guard drops (see the module), when no
    /// other connection has the database open; otherwise nothing changes. Outside any
    /// transaction only. The switch checkpoints what the WAL holds first.
    pub(in crate::store) fn rollback_journal(&self) -> RollbackJournal<'_> {
        let switched = matches!(
            journal_mode(&self.conn, "DELETE"),
            Ok(mode) if mode.eq_ignore_ascii_case("delete")
        );
        RollbackJournal {
            conn: &self.conn,
            switched,
        }
    }
}
