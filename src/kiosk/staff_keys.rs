//! The manager's "Staff and keys" panel on staff home: the staff list (retired ones included),
//! retiring someone, resetting a PIN, changing one's own passphrase or PIN, adding a manager, a
//! new recovery key and a data-key rotation. The rules are the store's (`store::staff_admin`,
//! `store::rotate`); this keeps what the panel shows and turns every outcome into a message.

use super::{Kiosk, Message};
use crate::store::{
    Actor, StaffAdmin, StaffAdminError, StaffListing, WalCheckpoint, set_own_passphrase,
};
use crate::vault::{Passphrase, Pin};

/// What the panel shows (the store's view, each person as the store lists them).
pub type StaffKeysView = crate::store::StaffKeysView<StaffListing>;

/// Every refusal as a message kind a manager can act on.
pub(super) fn message_for(e: &StaffAdminError) -> Message {
    match e {
        StaffAdminError::WrongPassphrase => Message::WrongPassphrase,
        StaffAdminError::WrongPin => Message::WrongPin {
            tries_before_pause: 0,
        },
        StaffAdminError::Passphrase(r) => Message::from_passphrase_rule(r),
        StaffAdminError::Pin(_) => Message::PinNotAllowed,
        StaffAdminError::LastManager => Message::LastManager,
        StaffAdminError::PassphraseNeeded { name, .. } => {
            Message::ManagerPassphraseNeeded(name.clone())
        }
        StaffAdminError::SignIn(e) => Message::from_sign_in(e, chrono::Utc::now()),
        StaffAdminError::Store(e) => Message::from_store(e),
        StaffAdminError::UnknownStaff
        | StaffAdminError::AlreadyRetired
        | StaffAdminError::WhichManager { .. }
        | StaffAdminError::OwnPin => Message::NotAllowed,
    }
}

impl Kiosk {
    pub fn staff_keys(&self) -> &StaffKeysView {
        &self.home.staff_keys
    }

    /// Runs a staff or key action for the signed-in manager (or, with `anyone`, any signed-in
    /// staff member) on staff home; a refusal becomes the message.
    fn with_admin<T>(
        &mut self, anyone: bool,
        action: impl FnOnce(&mut dyn StaffAdmin, &Actor) -> Result<T, StaffAdminError>,
    ) -> Option<T> {
        self.in_panel(anyone, message_for, |store, actor| {
            Some(action(store.staff_admin()?, actor))
        })
    }

    /// Reads the staff list (on opening the panel, and after each change).
    pub fn refresh_staff_keys(&mut self) {
        if let Some(view) =
            self.with_admin(false, |store, actor| Ok(StaffKeysView::read(store, actor)?))
        {
            // A recovery key still shown stays until the manager says it is written down.
            let recovery_key = self.home.staff_keys.recovery_key.take();
            self.home.staff_keys = StaffKeysView {
                recovery_key,
                ..view
            };
        }
    }

    fn done(&mut self, message: Message, cleared: WalCheckpoint) {
        self.message = Some(if cleared == WalCheckpoint::OldCopiesRemain {
            Message::OldCopiesRemain
        } else {
            message
        });
        self.refresh_staff_keys();
        self.refresh_staff();
    }

    /// Changes the signed-in manager's passphrase; when the kiosk was opened with the recovery
    /// key, sets it anew and `current` is not asked for. Slow (key derivation).
    pub fn change_my_passphrase(&mut self, current: &str, new: &str, again: &str) {
        let now = self.now();
        let (current, new, again) = (
            Passphrase::new(current),
            Passphrase::new(new),
            Passphrase::new(again),
        );
        if let Some(cleared) = self.with_admin(false, |store, actor| {
            set_own_passphrase(store, actor, &current, &new, &again, now)
        }) {
            self.done(Message::PassphraseChanged, cleared);
        }
    }

    /// Adds a manager with their own passphrase (typed twice) and PIN. Slow.
    pub fn add_manager(&mut self, name: &str, pin: &str, passphrase: &str, again: &str) {
        let now = self.now();
        if name.trim().is_empty() {
            self.message = Some(Message::NamesMissing);
            return;
        }
        let (pin, passphrase, again) = (
            Pin::new(pin),
            Passphrase::new(passphrase),
            Passphrase::new(again),
        );
        if self
            .with_admin(false, |store, actor| {
                store.add_manager(actor, name, &pin, &passphrase, &again, now)
            })
            .is_some()
        {
            self.done(Message::StaffAdded, WalCheckpoint::Truncated);
        }
    }

    /// Retires a staff member (managers; never the last manager).
    pub fn retire_staff(&mut self, staff_id: &str) {
        let now = self.now();
        if let Some(cleared) = self.with_admin(false, |store, actor| {
            store.retire_staff(actor, staff_id, now)
        }) {
            self.done(Message::StaffRetired, cleared);
        }
    }

    /// Sets a new PIN for someone else (managers). Slow (PIN hashing).
    pub fn reset_staff_pin(&mut self, staff_id: &str, pin: &str) {
        let now = self.now();
        let pin = Pin::new(pin);
        if self
            .with_admin(false, |store, actor| {
                store.reset_pin(actor, staff_id, &pin, now)
            })
            .is_some()
        {
            self.done(Message::PinReset, WalCheckpoint::Truncated);
        }
    }

    /// Changes the signed-in staff member's own PIN (anyone). Slow.
    pub fn change_my_pin(&mut self, current: &str, new: &str) {
        let now = self.now();
        let (current, new) = (Pin::new(current), Pin::new(new));
        if self
            .with_admin(true, |store, actor| {
                store.change_pin(actor, &current, &new, now)
            })
            .is_some()
        {
            self.message = Some(Message::PinChanged);
        }
    }

    /// Replaces the recovery key; the new one is shown once.
    pub fn new_recovery_key(&mut self) {
        let now = self.now();
        if let Some((key, cleared)) =
            self.with_admin(false, |store, actor| store.new_recovery_key(actor, now))
        {
            self.home.staff_keys.recovery_key = Some(key.to_printable());
            self.done(Message::RecoveryKeyReplaced, cleared);
        }
    }

    /// Rotates the data key: `passphrases` are the signed-in manager's and every other active
    /// manager's (the panel asks one per [`StaffKeysView::rotation`], in any order; empty ones
    /// ignored). Slow (every row re-sealed).
    pub fn rotate_data_key(&mut self, passphrases: &[&str]) {
        let now = self.now();
        let passphrases = crate::store::typed_passphrases(passphrases);
        if let Some(rotation) = self.with_admin(false, |store, actor| {
            store.rotate_data_key(actor, &passphrases, now, &mut |_, _| {})
        }) {
            self.home.staff_keys.recovery_key = Some(rotation.recovery_key.to_printable());
            self.done(Message::KeyRotated, rotation.cleared);
        }
    }

    /// The manager has written the new recovery key down: it is no longer shown.
    pub fn recovery_key_noted(&mut self) {
        self.home.staff_keys.recovery_key = None;
    }
}
