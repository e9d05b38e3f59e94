//! The desk fake's staff and keys (test builds only): the store's rules as far as the desk's
//! own behaviour depends on them — managers only, the last active manager stays, passphrase and
//! PIN rules, a retired member cannot sign in, one event per act. Keys are modelled as counters
//! (a rotation or a new recovery key bumps one); the sealed store's side is tested in
//! `tests/staff_and_audit.rs` and `tests/ui_desk.rs`.

use chrono::{DateTime, Utc};

use super::memory_records::{MemoryDesk, manager};
use crate::staff::{PassphraseRejection, Role, check_new_passphrase, check_new_pin};
use crate::store::{
    Actor, AuditKind, Cleared, Rotation, SignInError, StaffAdmin, StaffAdminError, StaffListing,
    StoreError, WalCheckpoint,
};
use crate::vault::{Passphrase, Pin, RecoveryKey};

impl MemoryDesk {
    fn own_passphrase(&self, actor: &Actor, current: &Passphrase) -> Result<(), StaffAdminError> {
        manager(actor)?;
        match self.state().passphrases.get(actor.staff_id()) {
            Some(p) if p == current.expose() => Ok(()),
            _ => Err(StaffAdminError::WrongPassphrase),
        }
    }

    fn push_staff(&self, name: &str, role: Role, pin: &Pin) -> String {
        let mut state = self.state();
        let id = format!("s{}", state.staff.len() + 1);
        state
            .staff
            .push((id.clone(), name.into(), role, pin.expose().into()));
        id
    }

    /// A recovery key that differs with each one made (its number leads the digits).
    fn next_recovery_key(&self) -> RecoveryKey {
        let mut state = self.state();
        state.recovery_keys += 1;
        RecoveryKey::parse(&format!("{:0<52}", state.recovery_keys))
            .expect("52 digits are a well-formed recovery key")
    }
}

fn same(new: &Passphrase, repeated: &Passphrase) -> Result<(), StaffAdminError> {
    if new.expose() == repeated.expose() {
        Ok(())
    } else {
        Err(PassphraseRejection::Mismatch.into())
    }
}

impl StaffAdmin for MemoryDesk {
    fn all_staff(&self, actor: &Actor) -> Result<Vec<StaffListing>, StoreError> {
        manager(actor)?;
        let state = self.state();
        Ok(state
            .staff
            .iter()
            .map(|(id, name, role, _)| StaffListing {
                id: id.clone(),
                name: name.clone(),
                role: *role,
                active: !state.retired.contains(id),
            })
            .collect())
    }
    fn change_my_passphrase(
        &mut self,
        actor: &Actor,
        current: &Passphrase,
        new: &Passphrase,
        repeated: &Passphrase,
        _now: DateTime<Utc>,
    ) -> Result<Cleared, StaffAdminError> {
        self.own_passphrase(actor, current)?;
        same(new, repeated)?;
        check_new_passphrase(new.expose(), Some(current.expose()))?;
        self.state()
            .passphrases
            .insert(actor.staff_id().into(), new.expose().into());
        self.log(actor, AuditKind::PassphraseChanged, "");
        Ok(WalCheckpoint::Truncated)
    }
    fn add_staff(
        &mut self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &Pin,
        _now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        manager(actor)?;
        if role == Role::Manager {
            return Err(StoreError::Forbidden.into());
        }
        check_new_pin(pin.expose())?;
        let id = self.push_staff(name, role, pin);
        self.log(actor, AuditKind::StaffAdded, &id);
        Ok(id)
    }
    fn add_manager(
        &mut self,
        actor: &Actor,
        name: &str,
        pin: &Pin,
        passphrase: &Passphrase,
        repeated: &Passphrase,
        _now: DateTime<Utc>,
    ) -> Result<String, StaffAdminError> {
        manager(actor)?;
        same(passphrase, repeated)?;
        check_new_passphrase(passphrase.expose(), None)?;
        check_new_pin(pin.expose())?;
        let id = self.push_staff(name, Role::Manager, pin);
        self.state()
            .passphrases
            .insert(id.clone(), passphrase.expose().into());
        self.log(actor, AuditKind::StaffAdded, &id);
        Ok(id)
    }
    fn retire_staff(
        &mut self,
        actor: &Actor,
        staff_id: &str,
        _now: DateTime<Utc>,
    ) -> Result<Cleared, StaffAdminError> {
        let listed = self.all_staff(actor)?;
        let member = listed
            .iter()
            .find(|s| s.id == staff_id)
            .ok_or(StaffAdminError::UnknownStaff)?;
        if !member.active {
            return Err(StaffAdminError::AlreadyRetired);
        }
        let managers_left = listed
            .iter()
            .filter(|s| s.active && s.role == Role::Manager && s.id != staff_id)
            .count();
        if member.role == Role::Manager && managers_left == 0 {
            return Err(StaffAdminError::LastManager);
        }
        let mut state = self.state();
        state.retired.insert(staff_id.into());
        state.passphrases.remove(staff_id);
        drop(state);
        self.log(actor, AuditKind::StaffRetired, staff_id);
        Ok(WalCheckpoint::Truncated)
    }
    fn reset_pin(
        &mut self,
        actor: &Actor,
        staff_id: &str,
        new_pin: &Pin,
        _now: DateTime<Utc>,
    ) -> Result<(), StaffAdminError> {
        manager(actor)?;
        if staff_id == actor.staff_id() {
            return Err(StaffAdminError::OwnPin);
        }
        check_new_pin(new_pin.expose())?;
        let mut state = self.state();
        if state.retired.contains(staff_id) {
            return Err(StaffAdminError::AlreadyRetired);
        }
        let member = state
            .staff
            .iter_mut()
            .find(|(id, ..)| id == staff_id)
            .ok_or(StaffAdminError::UnknownStaff)?;
        new_pin.expose().clone_into(&mut member.3);
        drop(state);
        self.log(actor, AuditKind::PinReset, staff_id);
        Ok(())
    }
    fn change_pin(
        &mut self,
        _actor: &Actor,
        _current: &Pin,
        _new_pin: &Pin,
        _now: DateTime<Utc>,
    ) -> Result<(), StaffAdminError> {
        // Not offered at the desk (changed on the kiosk's staff home).
        Err(StoreError::NotFound.into())
    }
    fn new_recovery_key(
        &mut self,
        actor: &Actor,
        _now: DateTime<Utc>,
    ) -> Result<(RecoveryKey, Cleared), StaffAdminError> {
        manager(actor)?;
        let key = self.next_recovery_key();
        self.log(actor, AuditKind::RecoveryKeyReplaced, "");
        Ok((key, WalCheckpoint::Truncated))
    }
    fn rotate_data_key(
        &mut self,
        actor: &Actor,
        passphrases: &[Passphrase],
        _now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Rotation, StaffAdminError> {
        for member in self.all_staff(actor)? {
            if !member.active || member.role != Role::Manager {
                continue;
            }
            let own = self.state().passphrases.get(&member.id).cloned();
            if !passphrases
                .iter()
                .any(|p| Some(p.expose()) == own.as_deref())
            {
                return Err(StaffAdminError::PassphraseNeeded {
                    staff_id: member.id,
                    name: member.name,
                });
            }
        }
        let rows = u64::try_from(self.state().patients.len()).unwrap_or(u64::MAX);
        progress(rows, rows);
        self.state().data_keys += 1;
        let recovery_key = self.next_recovery_key();
        self.log(actor, AuditKind::DataKeyRotated, "");
        Ok(Rotation {
            rows,
            recovery_key,
            cleared: WalCheckpoint::Truncated,
        })
    }
}
