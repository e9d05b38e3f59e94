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
//! what its writes changed and adds it to the census before it commits (a write outside one is
//! refused, so no change is missed); a transaction dropped without committing forgets what it
//! held. A data-key rotation and the census's first taking compute the sum from the rows.
//!
//! [`Writing`]: crate::store::writing::Writing

use std::cell::RefCell;

use rusqlite::Connection;

use crate::store::StoreError;
use crate::vault::Vault;

/// Large tables whose rows change in place and are kept as a sum in the census.
pub(in crate::store) const SUMMED: &[&str] = &["visit_state"];

/// Domain of a contribution's MAC: no row's canonical encoding, nor a table digest's message,
/// starts with it.
const SUM_DOMAIN: &[u8] = b"intake-kiosk/row-sum/1\0";

/// A sum of contributions: XOR, so adding a row's contribution twice takes it away.
pub(in crate::store) type Sum = [u8; 32];

/// The connection a [`Writing`](crate::store::writing::Writing) transaction is open on, and
/// what its writes changed in each summed table.
struct Open {
    conn: usize,
    changed: Vec<(&'static str, Sum)>,
}

thread_local! {
    /// The store transactions open on this thread (one per connection).
    static OPEN: RefCell<Vec<Open>> = const { RefCell::new(Vec::new()) };
}

/// A connection's identity while a transaction is open on it (it cannot move while borrowed).
fn id(conn: &Connection) -> usize {
    std::ptr::from_ref(conn) as usize
}

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

/// Starts holding what the writes on `conn` change (a transaction begins). Anything held from
/// a transaction that did not commit is forgotten.
pub(in crate::store) fn open(conn: &Connection) {
    let conn = id(conn);
    OPEN.with_borrow_mut(|open| {
        open.retain(|o| o.conn != conn);
        open.push(Open {
            conn,
            changed: Vec::new(),
        });
    });
}

/// Stops holding for `conn` and hands back what its writes changed in each summed table (only
/// the tables whose sum moved).
pub(in crate::store) fn close(conn: &Connection) -> Vec<(&'static str, Sum)> {
    let conn = id(conn);
    OPEN.with_borrow_mut(|open| match open.iter().position(|o| o.conn == conn) {
        Some(at) => open.swap_remove(at).changed,
        None => Vec::new(),
    })
    .into_iter()
    .filter(|(_, sum)| *sum != [0; 32])
    .collect()
}

/// Forgets what the writes on `conn` noted so far (the sums were just read from the rows, which
/// hold those writes); later writes are noted as before.
pub(super) fn forget_noted(conn: &Connection) {
    let conn = id(conn);
    OPEN.with_borrow_mut(|open| {
        if let Some(open) = open.iter_mut().find(|o| o.conn == conn) {
            open.changed.clear();
        }
    });
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
    let conn = id(conn);
    OPEN.with_borrow_mut(|open| {
        let Some(open) = open.iter_mut().find(|o| o.conn == conn) else {
            return Err(StoreError::Encoding(format!(
                "internal: {table} written outside a store transaction"
            )));
        };
        match open.changed.iter_mut().find(|(t, _)| *t == table) {
            Some((_, sum)) => add(sum, &change),
            None => open.changed.push((table, change)),
        }
        Ok(())
    })
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

    #[test]
    fn a_write_outside_a_transaction_is_refused_and_one_not_committed_is_forgotten() {
        let vault = Vault::create().expect("vault");
        let conn = Connection::open_in_memory().unwrap();
        assert!(note(&conn, &vault, "visit_state", None, Some(b"t")).is_err());
        open(&conn);
        note(&conn, &vault, "visit_state", None, Some(b"t")).unwrap();
        // Begun again without a commit (the first was dropped): what it held is gone.
        open(&conn);
        assert!(close(&conn).is_empty());
        open(&conn);
        note(&conn, &vault, "visit_state", None, Some(b"t")).unwrap();
        note(&conn, &vault, "visit_state", Some(b"t"), Some(b"u")).unwrap();
        let changed = close(&conn);
        assert_eq!(
            changed,
            [("visit_state", contribution(&vault, "visit_state", b"u"))]
        );
        assert!(close(&conn).is_empty(), "closed");
        assert!(note(&conn, &vault, "visit_state", None, Some(b"t")).is_err());
    }
}
