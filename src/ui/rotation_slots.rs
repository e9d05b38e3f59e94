//! The passphrase fields of a data-key rotation (`PassphraseSlot`s) on both windows' "Staff and
//! keys" panels: one per manager the store's rule names ([`crate::store::rotation_signers`]),
//! and what is typed into them taken out before the slow work.

use slint::{Model, ModelRc, SharedString};
use zeroize::Zeroizing;

use super::PassphraseSlot;
use super::refresh::model;
use crate::store::RotationSigner;

/// The fields for `signers`, or `None` while `shown` already lists the same managers (the
/// fields are then left as they are, with what is typed).
pub(super) fn for_signers(
    shown: &ModelRc<PassphraseSlot>, signers: &[RotationSigner],
) -> Option<ModelRc<PassphraseSlot>> {
    let same = shown.row_count() == signers.len()
        && shown
            .iter()
            .zip(signers)
            .all(|(a, b)| a.staff_id == b.staff_id.as_str() && a.me == b.me);
    (!same).then(|| {
        model(
            signers
                .iter()
                .map(|s| PassphraseSlot {
                    staff_id: s.staff_id.as_str().into(),
                    name: s.name.as_str().into(),
                    me: s.me,
                    typed: SharedString::new(),
                })
                .collect(),
        )
    })
}

/// What is typed into each field, and the same fields emptied (to set in the window before
/// the rotation runs, so the passphrases leave the window's model at once).
pub(super) fn take_typed(
    slots: &ModelRc<PassphraseSlot>,
) -> (Vec<Zeroizing<String>>, ModelRc<PassphraseSlot>) {
    let typed = slots
        .iter()
        .map(|slot| Zeroizing::new(slot.typed.to_string()))
        .collect();
    let emptied = model(
        slots
            .iter()
            .map(|slot| PassphraseSlot {
                typed: SharedString::new(),
                ..slot
            })
            .collect(),
    );
    (typed, emptied)
}

/// The typed passphrases as the controllers take them.
pub(super) fn as_strs(typed: &[Zeroizing<String>]) -> Vec<&str> {
    typed.iter().map(|t| t.as_str()).collect()
}
