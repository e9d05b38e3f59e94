//! The kiosk's staff-and-keys port: what the "Staff and keys" panel does (change passphrase or
//! PIN, add a manager, retire staff, reset a PIN, new recovery key, rotate the data key), named
//! here so the controller never holds the store underneath. The sealed store implements it; the
//! in-memory fake has none (the panel is unavailable against it).

use chrono::{DateTime, Utc};

use crate::port::port;
use crate::store::{
    Actor, Cleared, OpenStore, Rotation, StaffAdminError, StaffListing, StoreError,
};
use crate::vault::{Passphrase, Pin, RecoveryKey};

port! {
    /// The staff and key actions of the panel.
    pub trait KioskStaffAdmin for OpenStore {
        /// Everyone, retired staff too (their names stay in the history).
        fn all_staff(&self, actor: &Actor) -> Result<Vec<StaffListing>, StoreError>;
        fn change_my_passphrase(&mut self, actor: &Actor, current: &Passphrase, new: &Passphrase,
            repeated: &Passphrase, now: DateTime<Utc>) -> Result<Cleared, StaffAdminError>;
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
