//! A store write transaction: what its writes change in the summed tables is added to the
//! census before it commits (`row_auth::row_sums`).
//!
//! Every transaction of the store that writes goes through [`Writing`]: a write of a summed
//! table outside one is refused, so no change escapes its sum. Dropped without [`Writing::commit`]
//! it rolls back and forgets what it held.

use std::ops::Deref;

use rusqlite::{Connection, Transaction};

use super::StoreError;
use super::row_auth::{census, row_sums};
use crate::vault::Vault;

pub(super) struct Writing<'c> {
    /// Always `Some` until committed.
    tx: Option<Transaction<'c>>,
}

impl<'c> Writing<'c> {
    /// Begins a transaction on `conn` (deferred, as `unchecked_transaction`).
    pub(super) fn begin(conn: &'c Connection) -> Result<Writing<'c>, StoreError> {
        let tx = conn.unchecked_transaction()?;
        row_sums::open(&tx);
        Ok(Writing { tx: Some(tx) })
    }

    /// Adds what the writes changed to the census's sums, then commits.
    pub(super) fn commit(mut self, vault: &Vault) -> Result<(), StoreError> {
        let tx = self.tx.take().expect("a transaction until committed");
        let changed = row_sums::close(&tx);
        census::add_sums(&tx, vault, &changed)?;
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
            row_sums::close(tx);
        }
    }
}
