//! When this connection last found the large tables' sums as the census keeps them, by SQLite's
//! `PRAGMA data_version`: a sign-in leaves the sums out (a read of every visit state, ~0.4 µs a
//! patient: 13 → 17 ms a hand-back over 10,000 patients held) while no other connection has
//! committed since it last took them.
//!
//! Why that is sound: this connection writes a summed table only inside a store transaction,
//! which adds what it changed to the census as it commits, so its own writes leave the sums
//! agreeing; and `data_version` changes when any other connection commits (another process:
//! the command line, a row put back with `sqlite3`). Bytes written into the file by something
//! that is not SQLite are beyond what any check through this connection can promise (its page
//! cache may hold the pages as they were); the unlock and `verify` take the sums every time, as
//! does a marketing list.

use rusqlite::Connection;

use super::{VISIT_STATES, check};
use crate::store::StoreError;
use crate::vault::Vault;

/// The `data_version` at which this connection's last full check of the sums passed; `None`
/// until one has (and again after one failed).
#[derive(Debug, Default)]
pub(in crate::store) struct SumsSeen(Option<i64>);

impl SumsSeen {
    /// [`check`] of `tables` (a list named, not all: empty asks for all and is checked whole),
    /// the visit states' sum left out when this connection found it agreeing and no other
    /// connection has committed since.
    pub(in crate::store) fn check(
        &mut self, conn: &Connection, vault: &Vault, tables: &[&str],
    ) -> Result<(), StoreError> {
        // Read before the check: a commit by another connection while the sums are read moves
        // it, so the next check takes them again.
        let version = data_version(conn)?;
        if !tables.is_empty() && self.0 == Some(version) {
            let rest: Vec<&str> = tables
                .iter()
                .copied()
                .filter(|t| *t != VISIT_STATES)
                .collect();
            if !rest.is_empty() {
                check(conn, vault, &rest)?;
            }
            return Ok(());
        }
        self.0 = None;
        check(conn, vault, tables)?;
        self.0 = Some(version);
        Ok(())
    }
}

/// SQLite's count of commits by other connections, as this connection sees it.
fn data_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}
