//! The census's note of the audit log's length: a log cut back to an older head, with that head
//! put back from an older copy (every entry since lost, each remaining one sound and the head
//! agreeing with them), no longer agrees with it.
//!
//! Every store transaction that appends an entry writes the log's new length into the census as
//! it commits (`store::writing`), so the census — under the installation row's tag — always
//! knows how long the log was last written. The check compares three numbers, each read in one
//! step: the census's, the head's (its row checked) and the last entry's sequence number.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::super::get;
use crate::store::StoreError;

/// The name the log's length is kept under, among the census's counts.
pub(in crate::store) const AUDIT_LOG: &str = "audit_log";

/// The length the audit head says the log has (its row checked); 0 before the head is written.
pub(super) fn head_length(
    conn: &Connection, vault: &crate::vault::Vault,
) -> Result<u64, StoreError> {
    let Some(head) = get(conn, vault, "audit_head", &[Value::Integer(1)])? else {
        return Ok(0);
    };
    u64::try_from(head.int("length")?).map_err(|_| StoreError::tampered("audit_head", 1))
}

/// Checks the log against the census's `written` length: the head must say the same, and the
/// log must end at the head.
pub(super) fn check(
    conn: &Connection, vault: &crate::vault::Vault, written: u64,
) -> Result<(), StoreError> {
    let head = head_length(conn, vault)?;
    if head != written {
        return Err(StoreError::tampered(
            AUDIT_LOG,
            format!(
                "unknown — the log's head says {head} entries where {written} were written: the \
                 log was cut back and an older head put back"
            ),
        ));
    }
    let last: Option<i64> = conn
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .optional()?
        .flatten();
    let last = last.map_or(0, |seq| u64::try_from(seq).unwrap_or(0));
    if last != head {
        return Err(StoreError::tampered(
            AUDIT_LOG,
            format!("the log ends at entry {last} where its head says {head}"),
        ));
    }
    Ok(())
}
