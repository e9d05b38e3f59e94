//! A store write transaction: what its writes change in the summed tables, and the audit log's
//! new length, are added to the census before it commits (`row_auth::pending`).
//!
//! Every transaction of the store that writes goes through [`Writing`]: a write of a summed
//! table outside one is refused, so no change escapes its sum. Dropped without [`Writing::commit`]
//! it rolls back and forgets what it held.

use std::ops::Deref;

use rusqlite::{Connection, Transaction};

use super::StoreError;
use super::row_auth::{census, pending};
use crate::vault::Vault;

pub(super) struct Writing<'c> {
    /// Always `Some` until committed.
    tx: Option<Transaction<'c>>,
}

impl<'c> Writing<'c> {
    /// Begins a transaction on `conn` (deferred, as `unchecked_transaction`).
    pub(super) fn begin(conn: &'c Connection) -> Result<Writing<'c>, StoreError> {
        let tx = conn.unchecked_transaction()?;
        pending::open(&tx);
        Ok(Writing { tx: Some(tx) })
    }

    /// Adds what the writes changed to the census (sums, the audit log's length), then commits.
    pub(super) fn commit(mut self, vault: &Vault) -> Result<(), StoreError> {
        let tx = self.tx.take().expect("a transaction until committed");
        let held = pending::close(&tx);
        census::add_held(&tx, vault, &held)?;
        tx.commit()?;
        Ok(())
    }
}

impl Deref for Writing<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.tx.as_ref().expect("a transaction until committed")
    }
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        if let Some(tx) = &self.tx {
            // Not committed: it rolls back, and what it held goes with it.
            pending::close(tx);
        }
    }
}
