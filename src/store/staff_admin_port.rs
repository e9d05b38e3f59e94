//! The staff-and-keys port: what a "Staff and keys" panel does (add staff or a manager, change
//! a passphrase or PIN, retire staff, reset a PIN, new recovery key, rotate the data key), named
//! once for both windows, so neither controller holds the store underneath. The sealed store
//! implements it; so does the in-memory staff both windows' fakes share (`memory_staff`, test
//! builds only). The rules are the store's ([`super::staff_admin`], [`super::rotate`]).

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::{
    Actor, Cleared, OpenStore, Rotation, RotationSigner, SignInError, StaffAdminError,
    StaffListing, StoreError, rotation_signers,
};
use crate::port::port;
use crate::staff::Role;
use crate::vault::{Passphrase, Pin, RecoveryKey};

/// The passphrases a manager typed for a rotation (theirs and the other managers'), blank
/// fields left out.
pub fn typed_passphrases(typed: &[&str]) -> Vec<Passphrase> {
    typed
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| Passphrase::new(*p))
        .collect()
}

/// What a "Staff and keys" panel shows, the same in both windows: the staff list (each person
/// as the window words them), whose passphrases a data-key rotation asks for, a new recovery
/// key while it is shown, and whether "My passphrase" sets it anew (opened with the recovery
/// key, the current one forgotten).
pub struct StaffKeysView<Row> {
    pub staff: Vec<Row>,
    /// Whose passphrases a data-key rotation asks for (the store's rule): one per active
    /// manager, the signed-in one first.
    pub rotation: Vec<RotationSigner>,
    /// A new recovery key, shown once, until the manager says it is written down.
    pub recovery_key: Option<Zeroizing<String>>,
    /// Opened with the recovery key: the signed-in manager sets their passphrase anew, without
    /// the current one.
    pub set_anew: bool,
}

impl<Row> Default for StaffKeysView<Row> {
    fn default() -> Self {
        StaffKeysView {
            staff: Vec::new(),
            rotation: Vec::new(),
            recovery_key: None,
            set_anew: false,
        }
    }
}

impl StaffKeysView<StaffListing> {
    /// The panel read for `actor` (managers: the store refuses anyone else), no recovery key
    /// shown.
    pub fn read(admin: &dyn StaffAdmin, actor: &Actor) -> Result<Self, StoreError> {
        let staff = admin.all_staff(actor)?;
        Ok(StaffKeysView {
            rotation: rotation_signers(&staff, actor.staff_id()),
            set_anew: admin.opened_by_recovery(),
            staff,
            recovery_key: None,
        })
    }
}

impl<Row> StaffKeysView<Row> {
    /// The same panel with each person worded by `row`.
    pub fn map_rows<To>(self, row: impl FnMut(Row) -> To) -> StaffKeysView<To> {
        StaffKeysView {
            staff: self.staff.into_iter().map(row).collect(),
            rotation: self.rotation,
            recovery_key: self.recovery_key,
            set_anew: self.set_anew,
        }
    }
}

port! {
    /// The staff and key actions of a "Staff and keys" panel.
    pub trait StaffAdmin for OpenStore {
        /// Everyone, retired staff too (their names stay in the history).
        fn all_staff(&self, actor: &Actor) -> Result<Vec<StaffListing>, StoreError>;
        fn change_my_passphrase(&mut self, actor: &Actor, current: &Passphrase, new: &Passphrase,
            repeated: &Passphrase, now: DateTime<Utc>) -> Result<Cleared, StaffAdminError>;
        /// Whether the records were opened with the recovery key: a manager's forgotten
        /// passphrase may then be set anew, without the current one.
        fn opened_by_recovery(&self) -> bool;
        /// Sets the passphrase of the active manager `staff_id` (`None`: the only one) anew,
        /// typed twice; only when opened with the recovery key. Returns whose it was.
        fn reset_passphrase_by_recovery(&mut self, staff_id: Option<&str>, new: &Passphrase,
            repeated: &Passphrase, now: DateTime<Utc>)
            -> Result<(String, Cleared), StaffAdminError>;
        /// A clinician or reception account (a manager's act; managers come with a passphrase).
        fn add_staff(&mut self, actor: &Actor, name: &str, role: Role, pin: &Pin,
            now: DateTime<Utc>) -> Result<String, SignInError>;
        fn add_manager(&mut self, actor: &Actor, name: &str, pin: &Pin, passphrase: &Passphrase,
            repeated: &Passphrase, now: DateTime<Utc>) -> Result<String, StaffAdminError>
            = OpenStore::add_manager_checked;
        fn retire_staff(&mut self, actor: &Actor, staff_id: &str, now: DateTime<Utc>)
            -> Result<Cleared, StaffAdminError>;
        fn reset_pin(&mut self, actor: &Actor, staff_id: &str, new_pin: &Pin, now: DateTime<Utc>)
            -> Result<(), StaffAdminError>;
        fn change_pin(&mut self, actor: &Actor, current: &Pin, new_pin: &Pin, now: DateTime<Utc>)
            -> Result<(), StaffAdminError>;
        fn new_recovery_key(&mut self, actor: &Actor, now: DateTime<Utc>)
            -> Result<(RecoveryKey, Cleared), StaffAdminError>;
        fn rotate_data_key(&mut self, actor: &Actor, passphrases: &[Passphrase],
            now: DateTime<Utc>, progress: &mut dyn FnMut(u64, u64))
            -> Result<Rotation, StaffAdminError>;
    }
}

/// The signed-in manager sets their own passphrase: with the current one, or — when the store
/// was opened with the recovery key because it was forgotten — anew, without it. Both windows'
/// "My passphrase" go through here.
pub fn set_own_passphrase(
    admin: &mut dyn StaffAdmin, actor: &Actor, current: &Passphrase, new: &Passphrase,
    repeated: &Passphrase, now: DateTime<Utc>,
) -> Result<Cleared, StaffAdminError> {
    if admin.opened_by_recovery() {
        let own = Some(actor.staff_id());
        Ok(admin
            .reset_passphrase_by_recovery(own, new, repeated, now)?
            .1)
    } else {
        admin.change_my_passphrase(actor, current, new, repeated, now)
    }
}
