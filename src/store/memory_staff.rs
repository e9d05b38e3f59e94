//! Staff, PINs, keys and the audit log in memory, shared by the kiosk's and the desk's fakes for
//! their controllers' unit tests (test builds only: it makes an [`Actor`], which only the store
//! may do in a release build).
//!
//! It keeps the store's rules as far as the controllers' own behaviour depends on them: PIN
//! sign-in with the lockout policy, a retired member cannot sign in, managers only for staff and
//! keys, the last active manager stays, passphrase and PIN rules, one event per act. Keys are
//! modelled as counters (a rotation or a new recovery key bumps one); the sealed store's side is
//! tested in `tests/staff_and_audit.rs` and `tests/ui_desk.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

use super::staff_admin::{check_new_manager, check_pin_reset, check_retirable, manager_to_reset};
use super::{
    Actor, AuditKind, Cleared, Rotation, SignInError, SignInRecords, StaffAdmin, StaffAdminError,
    StaffListing, StaffMember, StoreError, WalCheckpoint,
};
use crate::staff::{Lockout, LockoutPolicy, Role, check_new_passphrase, check_new_pin};
use crate::vault::{Passphrase, Pin, RecoveryKey};

/// The audit events recorded, in order: (who, kind, subject).
pub type EventLog = Arc<Mutex<Vec<(String, AuditKind, String)>>>;

/// A setting stored in a fake's `settings` as the store would take it: managers only, the value
/// checked against [`crate::settings`] (not against the other settings) and trimmed.
pub fn store_setting(
    settings: &mut BTreeMap<String, String>, actor: &Actor, key: &str, value: &str,
) -> Result<(), StoreError> {
    actor.require_manager()?;
    let value = crate::settings::validate(key, value)?;
    settings.insert(key.to_owned(), value);
    Ok(())
}

/// Everything the in-memory staff holds; tests read it through [`MemoryStaff::state`].
#[derive(Default)]
pub struct StaffState {
    /// Every member (retired ones too) with their PIN as given.
    pub members: Vec<(StaffMember, String)>,
    pub retired: BTreeSet<String>,
    /// Managers' passphrases by staff id.
    pub passphrases: BTreeMap<String, String>,
    /// How many recovery keys and data keys were made.
    pub recovery_keys: u32,
    pub data_keys: u32,
    /// Opened with the recovery key (a test sets it).
    pub by_recovery: bool,
}

/// Why [`StaffState::member`] found no one to act on.
enum Missing {
    Unknown,
    Retired,
}

impl StaffState {
    /// Active member `staff_id` with their PIN.
    fn member(&mut self, staff_id: &str) -> Result<&mut (StaffMember, String), Missing> {
        if self.retired.contains(staff_id) {
            return Err(Missing::Retired);
        }
        self.members
            .iter_mut()
            .find(|(m, _)| m.id == staff_id)
            .ok_or(Missing::Unknown)
    }
}

/// The in-memory staff; clones share one state and one audit log.
#[derive(Clone, Default)]
pub struct MemoryStaff {
    state: Arc<Mutex<StaffState>>,
    events: EventLog,
}

/// A fake that holds the in-memory staff, and so answers [`SignInRecords`] with it.
pub trait HoldsStaff {
    fn staff(&self) -> &MemoryStaff;
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MemoryStaff {
    /// Staff members as (id, name, role, PIN).
    pub fn new<'a>(staff: impl IntoIterator<Item = (String, &'a str, Role, &'a str)>) -> Self {
        let memory = MemoryStaff::default();
        for (id, name, role, pin) in staff {
            memory.push(id, name, role, pin);
        }
        memory
    }

    /// Everyone, retired staff too, as the store lists them.
    fn listing(&self) -> Vec<StaffListing> {
        let state = self.state();
        state
            .members
            .iter()
            .map(|(m, _)| StaffListing {
                id: m.id.clone(),
                name: m.name.clone(),
                role: m.role,
                active: !state.retired.contains(&m.id),
            })
            .collect()
    }

    pub fn state(&self) -> MutexGuard<'_, StaffState> {
        lock(&self.state)
    }

    pub fn events(&self) -> MutexGuard<'_, Vec<(String, AuditKind, String)>> {
        lock(&self.events)
    }

    /// A handle on the audit events that stays valid after the fake is boxed.
    pub fn event_log(&self) -> EventLog {
        self.events.clone()
    }

    pub fn log(&self, actor: &Actor, kind: AuditKind, subject: &str) {
        self.events()
            .push((actor.staff_id().into(), kind, subject.into()));
    }

    fn push(&self, id: String, name: &str, role: Role, pin: &str) {
        let member = StaffMember {
            id,
            name: name.into(),
            role,
            lockout: Lockout::Open,
            failed_pins: 0,
        };
        self.state().members.push((member, pin.into()));
    }

    fn add(&self, name: &str, role: Role, pin: &Pin) -> String {
        let id = format!("staff-{}", self.state().members.len());
        self.push(id.clone(), name, role, pin.expose());
        id
    }

    /// Lifts a PIN lockout (the manager's passphrase is the caller's to check).
    pub fn reset_lockout(&self, staff_id: &str) -> Result<(), StoreError> {
        let mut state = self.state();
        let (member, _) = state.member(staff_id).map_err(|_| StoreError::NotFound)?;
        member.failed_pins = 0;
        member.lockout = Lockout::Open;
        Ok(())
    }

    fn own_passphrase(&self, actor: &Actor, current: &Passphrase) -> Result<(), StaffAdminError> {
        actor.require_manager()?;
        match self.state().passphrases.get(actor.staff_id()) {
            Some(p) if p == current.expose() => Ok(()),
            _ => Err(StaffAdminError::WrongPassphrase),
        }
    }

    /// A recovery key that differs with each one made (its number leads the digits).
    fn next_recovery_key(&self) -> RecoveryKey {
        let mut state = self.state();
        state.recovery_keys += 1;
        RecoveryKey::parse(&format!("{:0<52}", state.recovery_keys))
            .expect("52 digits are a well-formed recovery key")
    }
}

impl<T: HoldsStaff> SignInRecords for T {
    fn list_staff(&self, _now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError> {
        let state = self.staff().state();
        Ok(state
            .members
            .iter()
            .filter(|(m, _)| !state.retired.contains(&m.id))
            .map(|(m, _)| m.clone())
            .collect())
    }

    fn sign_in(
        &mut self, staff_id: &str, pin: &Pin, now: DateTime<Utc>,
    ) -> Result<Actor, SignInError> {
        let mut state = self.staff().state();
        let (member, stored) = state.member(staff_id).map_err(|missing| match missing {
            Missing::Unknown => SignInError::UnknownStaff,
            Missing::Retired => SignInError::Retired,
        })?;
        match member.lockout {
            Lockout::Locked => return Err(SignInError::Locked),
            Lockout::WaitUntil(until) if now < until => return Err(SignInError::Wait { until }),
            _ => {}
        }
        if stored.as_str() == pin.expose() {
            member.failed_pins = 0;
            member.lockout = Lockout::Open;
            return Ok(Actor::new(member.id.clone(), member.role));
        }
        member.failed_pins += 1;
        member.lockout = LockoutPolicy::default().state(member.failed_pins, Some(now), now);
        Err(SignInError::WrongPin {
            failures: member.failed_pins,
            lockout: member.lockout,
        })
    }

    fn record_event(
        &self, actor: &str, kind: AuditKind, subject: &str, _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.staff()
            .events()
            .push((actor.into(), kind, subject.into()));
        Ok(())
    }
}

impl StaffAdmin for MemoryStaff {
    fn all_staff(&self, actor: &Actor) -> Result<Vec<StaffListing>, StoreError> {
        actor.require_manager()?;
        Ok(self.listing())
    }
    fn change_my_passphrase(
        &mut self, actor: &Actor, current: &Passphrase, new: &Passphrase, repeated: &Passphrase,
        _now: DateTime<Utc>,
    ) -> Result<Cleared, StaffAdminError> {
        self.own_passphrase(actor, current)?;
        check_new_passphrase(new.expose(), repeated.expose(), Some(current.expose()))?;
        self.state()
            .passphrases
            .insert(actor.staff_id().into(), new.expose().into());
        self.log(actor, AuditKind::PassphraseChanged, "");
        Ok(WalCheckpoint::Truncated)
    }
    fn opened_by_recovery(&self) -> bool {
        self.state().by_recovery
    }
    fn reset_passphrase_by_recovery(
        &mut self, staff_id: Option<&str>, new: &Passphrase, repeated: &Passphrase,
        _now: DateTime<Utc>,
    ) -> Result<(String, Cleared), StaffAdminError> {
        if !self.opened_by_recovery() {
            return Err(StoreError::Forbidden.into());
        }
        let manager = manager_to_reset(&self.listing(), staff_id)?.to_owned();
        check_new_passphrase(new.expose(), repeated.expose(), None)?;
        self.state()
            .passphrases
            .insert(manager.clone(), new.expose().into());
        let actor = Actor::new(manager.clone(), Role::Manager);
        self.log(&actor, AuditKind::PassphraseChanged, "by recovery key");
        Ok((manager, WalCheckpoint::Truncated))
    }
    fn add_staff(
        &mut self, actor: &Actor, name: &str, role: Role, pin: &Pin, _now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        actor.require_manager()?;
        if role == Role::Manager {
            return Err(StoreError::Forbidden.into());
        }
        check_new_pin(pin.expose())?;
        let id = self.add(name, role, pin);
        self.log(actor, AuditKind::StaffAdded, &id);
        Ok(id)
    }
    fn add_manager(
        &mut self, actor: &Actor, name: &str, pin: &Pin, passphrase: &Passphrase,
        repeated: &Passphrase, _now: DateTime<Utc>,
    ) -> Result<String, StaffAdminError> {
        check_new_manager(actor, pin, passphrase, repeated)?;
        let id = self.add(name, Role::Manager, pin);
        self.state()
            .passphrases
            .insert(id.clone(), passphrase.expose().into());
        self.log(actor, AuditKind::StaffAdded, &id);
        Ok(id)
    }
    fn retire_staff(
        &mut self, actor: &Actor, staff_id: &str, _now: DateTime<Utc>,
    ) -> Result<Cleared, StaffAdminError> {
        check_retirable(&self.all_staff(actor)?, staff_id)?;
        let mut state = self.state();
        state.retired.insert(staff_id.into());
        state.passphrases.remove(staff_id);
        drop(state);
        self.log(actor, AuditKind::StaffRetired, staff_id);
        Ok(WalCheckpoint::Truncated)
    }
    fn reset_pin(
        &mut self, actor: &Actor, staff_id: &str, new_pin: &Pin, _now: DateTime<Utc>,
    ) -> Result<(), StaffAdminError> {
        check_pin_reset(actor, staff_id)?;
        check_new_pin(new_pin.expose())?;
        let mut state = self.state();
        let (_, pin) = state.member(staff_id).map_err(|missing| match missing {
            Missing::Unknown => StaffAdminError::UnknownStaff,
            Missing::Retired => StaffAdminError::AlreadyRetired,
        })?;
        new_pin.expose().clone_into(pin);
        drop(state);
        self.log(actor, AuditKind::PinReset, staff_id);
        Ok(())
    }
    fn change_pin(
        &mut self, _actor: &Actor, _current: &Pin, _new_pin: &Pin, _now: DateTime<Utc>,
    ) -> Result<(), StaffAdminError> {
        // Not modelled: the controllers' tests do not change a PIN.
        Err(StoreError::NotFound.into())
    }
    fn new_recovery_key(
        &mut self, actor: &Actor, _now: DateTime<Utc>,
    ) -> Result<(RecoveryKey, Cleared), StaffAdminError> {
        actor.require_manager()?;
        let key = self.next_recovery_key();
        self.log(actor, AuditKind::RecoveryKeyReplaced, "");
        Ok((key, WalCheckpoint::Truncated))
    }
    fn rotate_data_key(
        &mut self, actor: &Actor, passphrases: &[Passphrase], _now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Rotation, StaffAdminError> {
        for member in super::rotation_signers(&self.all_staff(actor)?, actor.staff_id()) {
            let own = self.state().passphrases.get(&member.staff_id).cloned();
            if !passphrases
                .iter()
                .any(|p| Some(p.expose()) == own.as_deref())
            {
                return Err(StaffAdminError::PassphraseNeeded {
                    staff_id: member.staff_id,
                    name: member.name,
                });
            }
        }
        // Nothing is sealed in memory: no rows to re-seal.
        progress(0, 0);
        self.state().data_keys += 1;
        let recovery_key = self.next_recovery_key();
        self.log(actor, AuditKind::DataKeyRotated, "");
        Ok(Rotation {
            rows: 0,
            recovery_key,
            cleared: WalCheckpoint::Truncated,
        })
    }
}
