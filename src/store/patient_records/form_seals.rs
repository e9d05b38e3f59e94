//! What is sealed in a patient's forms, kept as a keyed sum in their visit state
//! (`forms_sum`, migration 17), so that a form's row put back from an older copy of the
//! database is refused.
//!
//! A form's row tag covers every column but the sealed ones (AES-GCM binds those to their
//! table, column and row id), and a tag says who wrote a row, not when: with an older copy at
//! hand, putting back a form's `sealed_answers` — alone or with the whole row and its tag —
//! brought back the answers from before their correction (an allergy rectified at the desk,
//! say) and nothing showed it. The visit state cannot be put back unseen (the census keeps the
//! keyed sum of every visit state, `row_auth::row_sums`), so it anchors what each form holds now.
//!
//! A form's **seal** is a keyed hash (under the row key, in a domain of its own) of its id and of
//! what identifies each of its two sealed values: the format byte and nonce in front, and the
//! AES-GCM tag at the end. Every seal draws a fresh random nonce and no one without the key can
//! make another ciphertext with the same tag, so these 29 bytes name one sealed value; hashing
//! them, not the ~7 KB sealed, keeps a filed form's cost to one short MAC. The visit state holds
//! the XOR of its patient's forms' seals ([`STATE_HASH_BYTES`] of it); a patient without forms
//! holds zero.
//!
//! Invariants: every writer of a form's sealed values or of a chain's membership writes the
//! patient's `forms_sum` in the same transaction — a form filed ([`adding`], through
//! `adding_form` or a new patient's state), an answer amended ([`replacing`]), rows taken out of
//! or moved into a chain (`relink`: taken again from the rows), a data-key rotation (taken
//! again); reads that open answers, and the record's opening, check it ([`check`]). A visit
//! state written before migration 17 gets its sum, once, at the first unlock after it
//! ([`adopt`]); from then on a state without one is refused.

use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

use super::{IDENTITY_MAC, STATE, identity_hash, set_state};
use crate::store::StoreError;
use crate::store::row_auth::{Row, STATE_HASH_BYTES};
use crate::vault::Vault;

/// The column of the visit state that holds the sum.
pub(in crate::store) const FORMS_SUM: &str = "forms_sum";

/// Domain of a seal's MAC: no row's canonical encoding, nor a row sum's or digest's message,
/// starts with it.
const SEAL_DOMAIN: &[u8] = b"intake-kiosk/form-seals/1\0";

/// Bytes in front of a sealed value that name it: its format byte and nonce.
const FRONT: usize = 1 + 12;
/// Bytes at the end of a sealed value that name it: its AES-GCM tag.
const BACK: usize = 16;

/// A form's seal, or a sum of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(in crate::store) struct Seals([u8; STATE_HASH_BYTES]);

impl Seals {
    /// The seal of the form `form_id` whose sealed answers and signature are these.
    pub(in crate::store) fn of_form(
        vault: &Vault, form_id: &str, answers: &[u8], signature: &[u8],
    ) -> Seals {
        let mut message = Vec::with_capacity(SEAL_DOMAIN.len() + form_id.len() + 1 + 4 * BACK);
        message.extend_from_slice(SEAL_DOMAIN);
        message.extend_from_slice(form_id.as_bytes());
        message.push(0);
        for sealed in [answers, signature] {
            // A value too short to hold both (never written so) names itself whole.
            if sealed.len() >= FRONT + BACK {
                message.extend_from_slice(&sealed[..FRONT]);
                message.extend_from_slice(&sealed[sealed.len() - BACK..]);
            } else {
                message.extend_from_slice(sealed);
            }
            message.push(0);
        }
        let mut seal = [0; STATE_HASH_BYTES];
        seal.copy_from_slice(&vault.row_tag(&message)[..STATE_HASH_BYTES]);
        Seals(seal)
    }

    /// The sum with `other` added (or taken away: XOR).
    pub(in crate::store) fn plus(mut self, other: Seals) -> Seals {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a ^= b;
        }
        self
    }

    /// The sum as the visit state holds it.
    pub(in crate::store) fn value(self) -> Value {
        Value::Blob(self.0.to_vec())
    }

    /// The sum held in a patient's (checked) visit state; none is refused (every state has one
    /// from the first unlock after migration 17 on).
    pub(in crate::store) fn held(state: &Row, patient_id: &str) -> Result<Seals, StoreError> {
        state
            .opt_blob(FORMS_SUM)?
            .and_then(|bytes| <[u8; STATE_HASH_BYTES]>::try_from(bytes).ok())
            .map(Seals)
            .ok_or_else(|| StoreError::tampered(STATE, patient_id))
    }
}

/// The sum of the seals of the forms `forms`, read from their rows (each must exist).
pub(in crate::store) fn sum_of(
    conn: &Connection, vault: &Vault, forms: &[String],
) -> Result<Seals, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT sealed_answers, sealed_signature FROM submissions WHERE id = ?1")?;
    let mut sum = Seals::default();
    for id in forms {
        let mut rows = stmt.query([id])?;
        let row = rows
            .next()?
            .ok_or_else(|| StoreError::tampered("submissions", id))?;
        let blob = |i: usize| match row.get_ref(i)? {
            ValueRef::Blob(bytes) => Ok(bytes),
            _ => Err(StoreError::tampered("submissions", id)),
        };
        sum = sum.plus(Seals::of_form(vault, id, blob(0)?, blob(1)?));
    }
    Ok(sum)
}

/// Checks what is sealed in the patient's forms `forms` (their chain, as [`super::Listed::read`]
/// read it from `state`) against the sum in their visit state: a form whose answers or
/// signature were put back from an older copy, or whose row was, is refused, naming the patient.
pub(in crate::store) fn check(
    conn: &Connection, vault: &Vault, patient_id: &str, state: &Row, forms: &[String],
) -> Result<(), StoreError> {
    if sum_of(conn, vault, forms)? != Seals::held(state, patient_id)? {
        return Err(StoreError::tampered(
            "submissions",
            format!(
                "{patient_id}'s forms — what is sealed in them is not what was last written: a \
                 form was put back from an older copy"
            ),
        ));
    }
    Ok(())
}

/// Checks the forms of `patient_id` (read through their chain) against their visit state;
/// returns that state (checked), for the caller's next step.
pub(in crate::store) fn check_patient(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<Row, StoreError> {
    let state = super::state_row(conn, vault, patient_id)?;
    let listed = super::Listed::read(conn, vault, patient_id, &state)?;
    check(conn, vault, patient_id, &state, &listed.forms)?;
    Ok(state)
}

/// The visit state's sum once a form with seal `seal` is filed.
pub(in crate::store) fn adding(
    state: &Row, patient_id: &str, seal: Seals,
) -> Result<(&'static str, Value), StoreError> {
    Ok((
        FORMS_SUM,
        Seals::held(state, patient_id)?.plus(seal).value(),
    ))
}

/// Writes the patient's sum once one of their forms' seal changes from `old` to `new` (an
/// answer amended), inside the caller's transaction; `state` is their visit state as read in
/// it (the write checks the row again).
pub(in crate::store) fn replacing(
    conn: &Connection, vault: &Vault, patient_id: &str, state: &Row, old: Seals, new: Seals,
) -> Result<(), StoreError> {
    let sum = Seals::held(state, patient_id)?.plus(old).plus(new);
    set_state(conn, vault, patient_id, &[(FORMS_SUM, sum.value())])
}

/// Gives every visit state written before migration 17 its sum, taken from the forms its chain
/// holds (each row checked), and the hash of the identity held where it has none or one of the
/// older width: the one-time step of the first unlock after the upgrade. Answered by migration
/// 17's partial index: nothing to read once every state has its sum. Returns how many.
pub(in crate::store) fn adopt(conn: &Connection, vault: &Vault) -> Result<usize, StoreError> {
    let waiting: Vec<String> = crate::store::first_column(
        conn,
        "SELECT patient_id FROM visit_state WHERE forms_sum IS NULL",
        [],
    )?;
    for id in &waiting {
        let state = super::state_row(conn, vault, id)?;
        let listed = super::Listed::read(conn, vault, id, &state)?;
        let mut changes = vec![(FORMS_SUM, sum_of(conn, vault, &listed.forms)?.value())];
        let mac = state.opt_blob(IDENTITY_MAC)?;
        if mac.is_none_or(|mac| mac.len() != STATE_HASH_BYTES) {
            let (_, identity) = crate::store::patients::open_patient_as_stored(conn, vault, id)?;
            changes.push((IDENTITY_MAC, identity_hash(vault, id, &identity)?));
        }
        set_state(conn, vault, id, &changes)?;
    }
    Ok(waiting.len())
}

#[cfg(test)]
mod tests;
