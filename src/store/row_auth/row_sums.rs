//! The keyed sum of a large table's rows: a row put back from an older copy, deleted or added
//! by hand no longer agrees with it, and keeping it costs one keyed hash per row written.
//!
//! A visit state holds the heads of its patient's chains (forms, consent ledger, the consent
//! chain's hash): with an older copy of the database at hand, putting back a visit state from
//! before a withdrawal and deleting the withdrawal's ledger row leaves a chain that reads as
//! sound — the patient is back on the marketing lists and their record shows the consent
//! granted. The table grows with every patient, so a digest taken again at every write (as the
//! census does for small tables) would cost a read of the whole table per visit.
//!
//! Instead the census keeps, for each table in [`SUMMED`], the XOR of a keyed hash of every
//! row's tag ([`contribution`]). A write changes it by the contributions of the tag it replaces
//! and the tag it writes, noted as the row is written ([`note`]) and added to the census once per
//! transaction ([`crate::store::writing::Writing::commit`]). Without the row key no one can
//! compute a contribution, so no set of rows other than the one written agrees with the sum; the
//! census itself is under the installation row's tag. Checking the sum reads every row's tag
//! ([`sum_of`]): at every unlock, by `verify` and before every marketing list.
//!
//! Invariants: every write of a summed table runs inside a [`Writing`] transaction, which holds
//! what its writes changed ([`pending`]) and adds it to the census before it commits (a write
//! outside one is refused, so no change is missed); a transaction dropped without committing
//! forgets what it held. A data-key rotation and the census's first taking compute the sum from the rows.
//!
//! [`Writing`]: crate::store::writing::Writing

use rusqlite::Connection;

use super::pending;
use crate::store::StoreError;
use crate::vault::Vault;

/// Large tables whose rows change in place and are kept as a sum in the census.
pub(in crate::store) const SUMMED: &[&str] = &["visit_state"];

/// Domain of a contribution's MAC: no row's canonical encoding, nor a table digest's message,
/// starts with it.
const SUM_DOMAIN: &[u8] = b"intake-kiosk/row-sum/1\0";

/// A sum of contributions: XOR, so adding a row's contribution twice takes it away.
pub(in crate::store) type Sum = [u8; 32];

/// The keyed hash a row with tag `tag` adds to its table's sum.
fn contribution(vault: &Vault, table: &str, tag: &[u8]) -> Sum {
    let mut message = Vec::with_capacity(SUM_DOMAIN.len() + table.len() + 1 + tag.len());
    message.extend_from_slice(SUM_DOMAIN);
    message.extend_from_slice(table.as_bytes());
    message.push(0);
    message.extend_from_slice(tag);
    vault.row_tag(&message)
}

fn add(sum: &mut Sum, other: &Sum) {
    for (a, b) in sum.iter_mut().zip(other) {
        *a ^= b;
    }
}

/// `table`, when it is kept as a sum.
pub(super) fn summed(table: &str) -> Option<&'static str> {
    SUMMED.iter().copied().find(|t| *t == table)
}

/// Notes that a row of the summed `table` with tag `old` (none: it is new) now has tag `new`
/// (none: it was deleted), in the transaction open on `conn`.
pub(super) fn note(
    conn: &Connection, vault: &Vault, table: &'static str, old: Option<&[u8]>, new: Option<&[u8]>,
) -> Result<(), StoreError> {
    let mut change = [0; 32];
    for tag in [old, new].into_iter().flatten() {
        add(&mut change, &contribution(vault, table, tag));
    }
    pending::add_to_sum(conn, table, &change)
}

/// The sum of `table` as its rows are now.
pub(super) fn sum_of(conn: &Connection, vault: &Vault, table: &str) -> Result<Sum, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT row_tag FROM \"{table}\""))?;
    let mut rows = stmt.query([])?;
    let mut sum = [0; 32];
    while let Some(r) = rows.next()? {
        // A row without a tag (an edit: its own check fails too) adds the empty tag's hash.
        let tag = match r.get_ref(0)? {
            rusqlite::types::ValueRef::Blob(tag) => tag,
            _ => &[],
        };
        add(&mut sum, &contribution(vault, table, tag));
    }
    Ok(sum)
}

/// `sum` plus `change`.
pub(super) fn plus(mut sum: Sum, change: &Sum) -> Sum {
    add(&mut sum, change);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contribution_added_twice_is_taken_away() {
        let vault = Vault::create().expect("vault");
        let a = contribution(&vault, "visit_state", b"tag a");
        let b = contribution(&vault, "visit_state", b"tag b");
        assert_ne!(a, b);
        assert_ne!(
            a,
            contribution(&vault, "patients", b"tag a"),
            "tables apart"
        );
        assert_eq!(plus(plus(b, &a), &a), b);
    }
}
