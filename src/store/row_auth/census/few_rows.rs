//! The census's digests of a few rows of a large table that decisions read as a set: who is
//! restricted (in `visit_state`) and whose record is held for erasure (in `patients`), each read
//! through a partial index of the marked rows.

use rusqlite::Connection;

use super::{DIGEST_DOMAIN, HELD_FOR_ERASURE, RESTRICTED, store, stored};
use crate::store::StoreError;
use crate::vault::Vault;

/// A few rows of a large table that a decision reads as a set, kept as a digest of what marks
/// them (a digest of the whole table would be taken again at every visit).
pub(super) struct FewRows {
    /// The table, and the name the digest is kept and checked under.
    pub(super) table: &'static str,
    /// Told apart from another set of the same table in the digest's message.
    label: &'static [u8],
    /// Each marked row's key and mark (through a partial index of the marked rows).
    select: &'static str,
    /// The first census shape that keeps it.
    pub(super) shape: u32,
    /// What a digest that no longer agrees says.
    pub(super) changed: &'static str,
}

const RESTRICTED_ROWS: FewRows = FewRows {
    table: RESTRICTED,
    label: b".restricted\0",
    select: "SELECT patient_id, restricted_at FROM visit_state WHERE restricted_at IS NOT NULL",
    shape: 3,
    changed: "unknown — who is restricted is not as last written: a visit state was put back \
              from before a restriction, or edited",
};

const HELD_ROWS: FewRows = FewRows {
    table: HELD_FOR_ERASURE,
    label: b".held_for_erasure\0",
    select: "SELECT id, erasure_requested_at FROM patients WHERE erasure_requested_at IS NOT NULL",
    shape: 4,
    changed: "unknown — whose record is held for erasure is not as last written: a patient's row \
              was put back from before their request, or edited",
};

/// Every set of few rows the census keeps.
pub(super) const FEW_ROWS: [&FewRows; 2] = [&RESTRICTED_ROWS, &HELD_ROWS];

/// The digest of the rows `few` marks as they are now (each key and its mark).
pub(super) fn few_digest(
    conn: &Connection, vault: &Vault, few: &FewRows,
) -> Result<String, StoreError> {
    let mut stmt = conn.prepare_cached(few.select)?;
    let marked = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<(String, String)>, _>>()?;
    Ok(few_digest_of(vault, few, marked))
}

/// [`few_digest`] of the rows `marked` (key, mark).
pub(super) fn few_digest_of(
    vault: &Vault, few: &FewRows, mut marked: Vec<(String, String)>,
) -> String {
    marked.sort_unstable();
    let mut message = DIGEST_DOMAIN.to_vec();
    message.extend_from_slice(few.table.as_bytes());
    message.extend_from_slice(few.label);
    for (patient, since) in &marked {
        for part in [patient, since] {
            message.extend_from_slice(&(part.len() as u64).to_be_bytes());
            message.extend_from_slice(part.as_bytes());
        }
    }
    crate::hex::encode(&vault.row_tag(&message))
}

/// Notes that who is restricted may have changed (a restriction set or lifted, a restricted
/// patient's visit state deleted or moved), in the caller's transaction.
pub(in crate::store) fn note_restricted(
    conn: &Connection, vault: &Vault,
) -> Result<(), StoreError> {
    note_few(conn, vault, &RESTRICTED_ROWS)
}

/// Notes that whose record is held for erasure may have changed (an erasure asked for and
/// held, a patient's row deleted), in the caller's transaction.
pub(in crate::store) fn note_held_for_erasure(
    conn: &Connection, vault: &Vault,
) -> Result<(), StoreError> {
    note_few(conn, vault, &HELD_ROWS)
}

/// Takes `few`'s digest again, in the caller's transaction.
fn note_few(conn: &Connection, vault: &Vault, few: &FewRows) -> Result<(), StoreError> {
    if conn.is_autocommit() {
        return Err(StoreError::Encoding(format!(
            "internal: {} marked outside a transaction",
            few.table
        )));
    }
    let Some(Some(mut census)) = stored(conn, vault)? else {
        return Ok(());
    };
    if census.shape < few.shape {
        return Ok(());
    }
    let now = few_digest(conn, vault, few)?;
    if census.digests.get(few.table) == Some(&now) {
        return Ok(());
    }
    census.digests.insert(few.table.to_owned(), now);
    store(conn, vault, &census)
}
