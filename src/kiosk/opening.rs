//! First-run setup and opening for the day (the manager's passphrase or the recovery key). Both are slow (key derivation): the adapters call them off the UI thread.

use super::*;

/// The kiosk's store at `path`, opened (again) with the kiosk's page cache; `None` when it
/// cannot be.
pub(super) fn open_kiosk_store(path: &std::path::Path) -> Option<Store> {
    let store = Store::open(path).ok()?;
    store.set_page_cache_for(SyncRole::Kiosk).ok()?;
    Some(store)
}

/// What first-run setup asks for, as typed.
pub struct SetupForm {
    pub clinic: String,
    /// The manager's passphrase, twice.
    pub passphrase: Zeroizing<String>,
    pub repeat: Zeroizing<String>,
    pub manager: NewStaff,
    /// Optional: left without a name, not set up.
    pub clinician: NewStaff,
    pub reception: NewStaff,
}

/// One person set up at first run: the name and PIN as typed.
pub struct NewStaff {
    pub name: String,
    pub pin: Zeroizing<String>,
}

impl SetupForm {
    /// Everyone the form names a box for, with their role, the manager first.
    pub(super) fn people(&self) -> [(&NewStaff, Role); 3] {
        [
            (&self.manager, Role::Manager),
            (&self.clinician, Role::Clinician),
            (&self.reception, Role::Reception),
        ]
    }
}

impl Kiosk {
    /// First-run setup. Slow (key derivation): call off the UI thread.
    pub fn setup(&mut self, form: SetupForm) {
        if self.screen() != Screen::FirstRun {
            return;
        }
        if form.clinic.trim().is_empty() || form.manager.name.trim().is_empty() {
            self.message = Some(Message::NamesMissing);
            return;
        }
        if let Some(name) = super::setup_pins::refused_pin_owner(&form) {
            self.message = Some(Message::PinNotAllowedFor(name));
            return;
        }
        let staff = form.people()[1..]
            .iter()
            .filter(|(person, _)| !person.name.trim().is_empty())
            .map(|(person, role)| {
                let name = person.name.trim().to_owned();
                (name, *role, Pin::new(person.pin.as_str()))
            })
            .collect();
        let request = SetupRequest {
            clinic_name: form.clinic.trim().to_owned(),
            manager_name: form.manager.name.trim().to_owned(),
            manager_passphrase: Passphrase::new(form.passphrase.as_str()),
            manager_passphrase_again: Passphrase::new(form.repeat.as_str()),
            manager_pin: Pin::new(form.manager.pin.as_str()),
            staff,
        };
        let Backend::Closed(store) = std::mem::replace(&mut self.backend, Backend::Moving) else {
            return;
        };
        let path = store.path().to_owned();
        match OpenStore::setup(store, request, self.now()) {
            Ok(result) => {
                self.clinic_name = form.clinic.trim().to_owned();
                self.recovery_key = Some(Zeroizing::new(
                    result.recovery_key.to_printable().to_string(),
                ));
                self.backend = Backend::Open(Box::new(result.store));
                self.message = None;
                self.apply(Event::SetupCompleted);
                self.refresh_staff();
            }
            Err(e) => {
                self.message = Some(Message::from_sign_in(&e, self.now()));
                // Setup consumed the store; it wrote nothing (one transaction), so reopen it.
                self.backend = open_kiosk_store(&path).map_or(Backend::Moving, Backend::Closed);
            }
        }
    }

    pub fn recovery_noted(&mut self) {
        self.recovery_key = None;
    }

    /// Opens for the day. Slow (key derivation): call off the UI thread.
    pub fn unlock(&mut self, passphrase: &str) {
        // Nothing typed is no attempt (a second tap after the field emptied itself).
        if passphrase.is_empty() {
            self.message = Some(Message::PassphraseEmpty);
            return;
        }
        let now = self.now();
        self.unlock_with(|store| {
            OpenStore::unlock(store, &Passphrase::new(passphrase), now).map(|(open, _)| open)
        });
    }

    pub fn unlock_with_recovery(&mut self, text: &str) {
        let key = match RecoveryKey::parse(text) {
            Ok(key) => key,
            Err(_) => {
                self.message = Some(Message::WrongRecoveryKey);
                return;
            }
        };
        let now = self.now();
        self.unlock_with(|store| OpenStore::unlock_with_recovery(store, &key, now));
    }

    pub(super) fn unlock_with(
        &mut self, open: impl FnOnce(Store) -> Result<OpenStore, Box<crate::store::UnlockFailure>>,
    ) {
        if self.screen() != Screen::Closed {
            return;
        }
        let Backend::Closed(store) = std::mem::replace(&mut self.backend, Backend::Moving) else {
            return;
        };
        match open(store) {
            Ok(open) => {
                self.backend = Backend::Open(Box::new(open));
                self.apply(Event::PassphraseAccepted);
                self.refresh_staff();
                self.read_idle_limits();
                self.load_active_form();
            }
            Err(failure) => {
                let failure = *failure;
                self.message = Some(match failure.error {
                    StoreError::Vault(VaultError::WrongPassphrase) => Message::WrongPassphrase,
                    StoreError::Vault(VaultError::WrongRecoveryKey) => Message::WrongRecoveryKey,
                    ref other => Message::from_store(other),
                });
                self.backend = Backend::Closed(failure.store);
                self.apply(Event::PassphraseRejected);
            }
        }
    }
}
