//! What a store transaction's writes change in the census, held until it commits: how each
//! summed table's sum moved ([`super::row_sums`]) and how long the audit log has grown.
//!
//! Held per connection on the thread that writes (a transaction does not cross threads), from
//! [`open`] when a [`Writing`] transaction begins to [`close`] when it commits or is dropped.
//! A write that needs to be held outside one is refused, so nothing escapes the census.
//!
//! [`Writing`]: crate::store::writing::Writing

use std::cell::RefCell;

use rusqlite::Connection;

use super::row_sums::{Sum, plus};
use crate::store::StoreError;

/// What one transaction changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(in crate::store) struct Held {
    /// Each summed table whose sum moved, and by how much.
    pub(in crate::store) sums: Vec<(&'static str, Sum)>,
    /// The audit log's length after the transaction's last entry (none: it wrote none).
    pub(in crate::store) audit_length: Option<i64>,
}

impl Held {
    pub(in crate::store) fn is_empty(&self) -> bool {
        self.sums.is_empty() && self.audit_length.is_none()
    }
}

struct Open {
    conn: usize,
    held: Held,
}

thread_local! {
    /// The store transactions open on this thread (one per connection).
    static OPEN: RefCell<Vec<Open>> = const { RefCell::new(Vec::new()) };
}

/// A connection's identity while a transaction is open on it (it cannot move while borrowed).
fn id(conn: &Connection) -> usize {
    std::ptr::from_ref(conn) as usize
}

/// Starts holding what the writes on `conn` change (a transaction begins). Anything held from
/// a transaction that did not commit is forgotten.
pub(in crate::store) fn open(conn: &Connection) {
    let conn = id(conn);
    OPEN.with_borrow_mut(|open| {
        open.retain(|o| o.conn != conn);
        open.push(Open {
            conn,
            held: Held::default(),
        });
    });
}

/// Stops holding for `conn` and hands back what its writes changed (the sums that did not move
/// left out).
pub(in crate::store) fn close(conn: &Connection) -> Held {
    let conn = id(conn);
    let mut held = OPEN.with_borrow_mut(|open| match open.iter().position(|o| o.conn == conn) {
        Some(at) => open.swap_remove(at).held,
        None => Held::default(),
    });
    held.sums.retain(|(_, sum)| *sum != [0; 32]);
    held
}

/// Runs `hold` on what the transaction open on `conn` holds; `what` names the write refused when
/// none is open.
fn with_open(
    conn: &Connection, what: &str, hold: impl FnOnce(&mut Held),
) -> Result<(), StoreError> {
    let conn = id(conn);
    OPEN.with_borrow_mut(|open| match open.iter_mut().find(|o| o.conn == conn) {
        Some(open) => {
            hold(&mut open.held);
            Ok(())
        }
        None => Err(StoreError::Encoding(format!(
            "internal: {what} written outside a store transaction"
        ))),
    })
}

/// Adds `change` to what `table`'s sum moved by in the transaction open on `conn`.
pub(super) fn add_to_sum(
    conn: &Connection, table: &'static str, change: &Sum,
) -> Result<(), StoreError> {
    with_open(conn, table, |held| {
        match held.sums.iter_mut().find(|(t, _)| *t == table) {
            Some((_, sum)) => *sum = plus(*sum, change),
            None => held.sums.push((table, *change)),
        }
    })
}

/// Notes the audit log's length after an entry appended in the transaction open on `conn`.
pub(in crate::store) fn note_audit_length(
    conn: &Connection, length: i64,
) -> Result<(), StoreError> {
    with_open(conn, "audit_log", |held| held.audit_length = Some(length))
}

/// Forgets how the sums moved so far (they were just read from the rows, which hold those
/// writes); later writes are held as before.
pub(super) fn forget_sums(conn: &Connection) {
    let conn = id(conn);
    OPEN.with_borrow_mut(|open| {
        if let Some(open) = open.iter_mut().find(|o| o.conn == conn) {
            open.held.sums.clear();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_outside_a_transaction_is_refused_and_one_not_committed_is_forgotten() {
        let conn = Connection::open_in_memory().unwrap();
        let (a, b) = ([1; 32], [2; 32]);
        assert!(add_to_sum(&conn, "visit_state", &a).is_err());
        assert!(note_audit_length(&conn, 3).is_err());
        open(&conn);
        add_to_sum(&conn, "visit_state", &a).unwrap();
        // Begun again without a commit (the first was dropped): what it held is gone.
        open(&conn);
        assert!(close(&conn).is_empty());
        open(&conn);
        add_to_sum(&conn, "visit_state", &a).unwrap();
        add_to_sum(&conn, "visit_state", &b).unwrap();
        note_audit_length(&conn, 3).unwrap();
        note_audit_length(&conn, 4).unwrap();
        assert_eq!(
            close(&conn),
            Held {
                sums: vec![("visit_state", plus(a, &b))],
                audit_length: Some(4),
            }
        );
        assert!(close(&conn).is_empty(), "closed");
        // A sum that moved back to where it was is not written.
        open(&conn);
        add_to_sum(&conn, "visit_state", &a).unwrap();
        add_to_sum(&conn, "visit_state", &a).unwrap();
        assert!(close(&conn).is_empty());
    }
}
