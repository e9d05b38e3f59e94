//! Staff and key administration: changing a passphrase, adding a manager, retiring a staff
//! member, resetting and changing PINs, replacing the recovery key, and counting passphrase
//! unlock attempts. Data-key rotation lives in [`super::rotate`].
//!
//! Invariants:
//! - each action and its audit entry (naming who did it) commit together or not at all;
//! - every row write goes through `row_auth`, so the rows stay authenticated;
//! - a retired staff member keeps their row (name, role, history) with `active = 0` and can no
//!   longer sign in; a retired manager's key wrap is deleted in the same transaction;
//! - there is always at least one active manager with a key wrap;
//! - a replaced or deleted key wrap leaves no copy behind: `secure_delete` zeroes it in the file
//!   and a checkpoint empties the WAL (when another connection holds the WAL, the action says so).

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::audit::{self, AuditKind};
use super::row_auth::{self, text_key};
use super::staff::{NamedStaff, named_staff};
use super::{Actor, OpenStore, SignInError, Store, StoreError, WalCheckpoint};
use crate::staff::{PassphraseRejection, PinRejection, Role, check_new_passphrase, check_new_pin};
use crate::store::writing::Writing;
use crate::vault::{KeyWrap, Passphrase, Pin, RecoveryKey};

/// Why a staff or key action was refused. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum StaffAdminError {
    #[error("the current passphrase is not right")]
    WrongPassphrase,
    #[error("the current PIN is not right")]
    WrongPin,
    #[error("the new passphrase is not allowed: {0}")]
    Passphrase(#[from] PassphraseRejection),
    #[error("the new PIN is not allowed: {0}")]
    Pin(#[from] PinRejection),
    #[error("no such staff member")]
    UnknownStaff,
    #[error("this staff member is already retired")]
    AlreadyRetired,
    #[error("the last active manager cannot be retired: add another manager first")]
    LastManager,
    #[error("use \"change my PIN\" for your own PIN")]
    OwnPin,
    #[error("a rotation needs the current passphrase of every active manager; missing: {name}")]
    PassphraseNeeded { staff_id: String, name: String },
    #[error("name the manager whose passphrase to set (active managers: {managers})")]
    WhichManager { managers: String },
    #[error("could not sign in: {0}")]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for StaffAdminError {
    fn from(e: rusqlite::Error) -> Self {
        StaffAdminError::Store(e.into())
    }
}

impl From<crate::vault::VaultError> for StaffAdminError {
    fn from(e: crate::vault::VaultError) -> Self {
        StaffAdminError::Store(e.into())
    }
}

/// A staff member as the "Staff and keys" panel lists them: retired ones included, so history
/// keeps its names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffListing {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// What an action that deletes a secret achieved in the WAL.
pub type Cleared = WalCheckpoint;

/// Whether `staff_id` names a retired staff member (checked row).
pub(super) fn is_retired(
    conn: &Connection, vault: &crate::vault::Vault, staff_id: &str,
) -> Result<bool, StoreError> {
    Ok(
        match row_auth::get(conn, vault, "staff", &text_key(staff_id))? {
            Some(row) => row.int("active")? != 1,
            None => false,
        },
    )
}

impl Store {
    /// Counts a passphrase or recovery-key attempt *before* it is checked and returns how many
    /// were counted before it (a success takes its own count back at the open). Killing the
    /// program during the check or the wait gains nothing.
    pub fn count_unlock_attempt(&self) -> Result<u32, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let before: Option<i64> = rusqlite::OptionalExtension::optional(tx.query_row(
            "SELECT failed_unlocks FROM installation WHERE id = 1",
            [],
            |r| r.get(0),
        ))?;
        tx.execute(
            "UPDATE installation SET failed_unlocks = failed_unlocks + 1 WHERE id = 1",
            [],
        )?;
        tx.commit()?;
        Ok(u32::try_from(before.unwrap_or(0).max(0)).unwrap_or(u32::MAX))
    }

    /// Failed passphrase or recovery attempts since the last successful open.
    pub fn failed_unlocks(&self) -> Result<u32, StoreError> {
        let n: Option<i64> = rusqlite::OptionalExtension::optional(self.conn.query_row(
            "SELECT failed_unlocks FROM installation WHERE id = 1",
            [],
            |r| r.get(0),
        ))?;
        Ok(u32::try_from(n.unwrap_or(0).max(0)).unwrap_or(u32::MAX))
    }
}

/// Whether `staff_id` may be retired, given every staff member (retired ones included): they
/// exist, are still active, and are not the last active manager. The store and its in-memory
/// fake both ask this.
pub(crate) fn check_retirable(
    staff: &[StaffListing], staff_id: &str,
) -> Result<(), StaffAdminError> {
    let member = staff
        .iter()
        .find(|s| s.id == staff_id)
        .ok_or(StaffAdminError::UnknownStaff)?;
    if !member.active {
        return Err(StaffAdminError::AlreadyRetired);
    }
    let other_managers = staff
        .iter()
        .filter(|s| s.active && s.role == Role::Manager && s.id != staff_id)
        .count();
    if member.role == Role::Manager && other_managers == 0 {
        return Err(StaffAdminError::LastManager);
    }
    Ok(())
}

/// Whose passphrase a reset by recovery key sets, given every staff member: the active manager
/// `staff_id`, or with `None` the only active manager. Otherwise the refusal names the active
/// managers (whoever holds the recovery key may see them). The store and its in-memory fake both
/// ask this.
pub(crate) fn manager_to_reset<'a>(
    staff: &'a [StaffListing], staff_id: Option<&str>,
) -> Result<&'a str, StaffAdminError> {
    let mut active = staff.iter().filter(|s| s.active && s.role == Role::Manager);
    let chosen = match staff_id {
        Some(id) => active.find(|s| s.id == id),
        None => active.next().filter(|_| active.next().is_none()),
    };
    chosen
        .map(|s| s.id.as_str())
        .ok_or_else(|| StaffAdminError::WhichManager {
            managers: staff
                .iter()
                .filter(|s| s.active && s.role == Role::Manager)
                .map(|s| format!("{} ({})", s.id, s.name))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Whether `actor` may add a manager with this PIN and passphrase (typed twice): a manager
/// adds one, and both secrets pass their rules. The store and its in-memory fake both ask this.
pub(crate) fn check_new_manager(
    actor: &Actor, pin: &Pin, passphrase: &Passphrase, repeated: &Passphrase,
) -> Result<(), StaffAdminError> {
    actor.require_manager()?;
    check_new_passphrase(passphrase.expose(), repeated.expose(), None)?;
    check_new_pin(pin.expose())?;
    Ok(())
}

/// Whether `actor` may set a new PIN for `staff_id`: a manager, for someone else (their own PIN
/// they change by giving the current one). The store and its in-memory fake both ask this.
pub(crate) fn check_pin_reset(actor: &Actor, staff_id: &str) -> Result<(), StaffAdminError> {
    actor.require_manager()?;
    if staff_id == actor.staff_id() {
        return Err(StaffAdminError::OwnPin);
    }
    Ok(())
}

impl OpenStore {
    /// Every staff member, retired ones included, names opened (managers only).
    pub fn all_staff(&self, actor: &Actor) -> Result<Vec<StaffListing>, StoreError> {
        actor.require_manager()?;
        self.staff_listing()
    }

    /// [`Self::all_staff`] for the store's own rules, no one asking.
    fn staff_listing(&self) -> Result<Vec<StaffListing>, StoreError> {
        let mut out = named_staff(self.conn(), self.vault())?
            .into_iter()
            .map(
                |NamedStaff {
                     id,
                     name,
                     role,
                     row,
                 }| {
                    Ok(StaffListing {
                        active: row.int("active")? == 1,
                        id,
                        name,
                        role,
                    })
                },
            )
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort_by(|a, b| (!a.active, &a.name).cmp(&(!b.active, &b.name)));
        Ok(out)
    }

    /// The key wrap of one manager, checked; `None` when they have none.
    pub(super) fn manager_wrap(&self, staff_id: &str) -> Result<Option<KeyWrap>, StoreError> {
        Ok(self
            .checked_key_wraps()?
            .into_iter()
            .find(|w| w.label == staff_id))
    }

    /// Checks that `passphrase` is the signed-in manager's own current one.
    fn require_own_passphrase(
        &self, actor: &Actor, passphrase: &Passphrase,
    ) -> Result<(), StaffAdminError> {
        actor.require_manager()?;
        let wrap = self
            .manager_wrap(actor.staff_id())?
            .ok_or(StaffAdminError::WrongPassphrase)?;
        if self.vault().passphrase_opens(&wrap, passphrase)? {
            Ok(())
        } else {
            Err(StaffAdminError::WrongPassphrase)
        }
    }

    /// A manager changes their own passphrase: the current one, then the new one twice. The data
    /// key is wrapped anew; the old wrap is gone (zeroed in the file, the WAL emptied).
    pub fn change_my_passphrase(
        &mut self, actor: &Actor, current: &Passphrase, new: &Passphrase, repeated: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<Cleared, StaffAdminError> {
        self.require_own_passphrase(actor, current)?;
        check_new_passphrase(new.expose(), repeated.expose(), Some(current.expose()))?;
        let wrap = self.vault().wrap_with_passphrase(actor.staff_id(), new)?;
        self.managed_change(actor, AuditKind::PassphraseChanged, "", now, |tx, _| {
            super::put_key_wrap(tx, self.vault(), &wrap)
        })?;
        Ok(self.store.checkpoint()?)
    }

    /// A manager forgot their passphrase, and the store was opened with the recovery key: sets
    /// their passphrase anew, typed twice (the rules of any new passphrase apply). `staff_id`
    /// names the manager; `None` means the only active one. Logged as their passphrase change;
    /// the old wrap is gone (zeroed in the file, the WAL emptied). Refused when the store was
    /// opened any other way: a manager who knows their passphrase changes it with
    /// [`Self::change_my_passphrase`].
    pub fn reset_passphrase_by_recovery(
        &mut self, staff_id: Option<&str>, new: &Passphrase, repeated: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<(String, Cleared), StaffAdminError> {
        if !self.opened_by_recovery() {
            return Err(StoreError::Forbidden.into());
        }
        let staff = self.staff_listing()?;
        let manager = manager_to_reset(&staff, staff_id)?;
        check_new_passphrase(new.expose(), repeated.expose(), None)?;
        let actor = Actor::new(manager.to_owned(), Role::Manager);
        let wrap = self.vault().wrap_with_passphrase(actor.staff_id(), new)?;
        let subject = "by recovery key";
        self.managed_change(
            &actor,
            AuditKind::PassphraseChanged,
            subject,
            now,
            |tx, _| super::put_key_wrap(tx, self.vault(), &wrap),
        )?;
        Ok((actor.staff_id().to_owned(), self.store.checkpoint()?))
    }

    /// Adds a manager with their own passphrase (typed twice) and PIN; the passphrase rules
    /// apply. Returns the new manager's id.
    pub fn add_manager_checked(
        &mut self, actor: &Actor, name: &str, pin: &Pin, passphrase: &Passphrase,
        repeated: &Passphrase, now: DateTime<Utc>,
    ) -> Result<String, StaffAdminError> {
        check_new_manager(actor, pin, passphrase, repeated)?;
        Ok(self.add_manager(actor, name.trim(), pin, passphrase, now)?)
    }

    /// Retires a staff member: they can no longer sign in; their row stays for the audit log
    /// and record history. A retired manager's key wrap is deleted at once. The last active
    /// manager cannot be retired.
    pub fn retire_staff(
        &mut self, actor: &Actor, staff_id: &str, now: DateTime<Utc>,
    ) -> Result<Cleared, StaffAdminError> {
        check_retirable(&self.all_staff(actor)?, staff_id)?;
        self.managed_change(actor, AuditKind::StaffRetired, staff_id, now, |tx, _| {
            row_auth::update_one(
                tx,
                self.vault(),
                "staff",
                &text_key(staff_id),
                &[
                    ("active", Value::Integer(0)),
                    ("failed_pins", Value::Integer(0)),
                    ("last_failed_at", Value::Null),
                ],
            )?;
            tx.execute("DELETE FROM key_wraps WHERE label = ?1", [staff_id])?;
            row_auth::census::note_changed(tx, self.vault(), "key_wraps")
        })?;
        Ok(self.store.checkpoint()?)
    }

    /// A manager sets a new PIN for someone else (who forgot theirs, or whose PIN was seen).
    /// The old PIN stops working at once and any PIN lockout is lifted.
    pub fn reset_pin(
        &mut self, actor: &Actor, staff_id: &str, new_pin: &Pin, now: DateTime<Utc>,
    ) -> Result<(), StaffAdminError> {
        check_pin_reset(actor, staff_id)?;
        self.set_pin(actor, staff_id, new_pin, AuditKind::PinReset, now)
    }

    /// Anyone changes their own PIN, giving the current one (checked as a sign-in is: counted,
    /// with the same lockout).
    pub fn change_pin(
        &mut self, actor: &Actor, current: &Pin, new_pin: &Pin, now: DateTime<Utc>,
    ) -> Result<(), StaffAdminError> {
        check_new_pin(new_pin.expose())?;
        match self.sign_in(actor.staff_id(), current, now) {
            Ok(_) => {}
            Err(SignInError::WrongPin { .. }) => return Err(StaffAdminError::WrongPin),
            Err(other) => return Err(other.into()),
        }
        let subject = actor.staff_id().to_owned();
        self.set_pin(actor, &subject, new_pin, AuditKind::PinChanged, now)
    }

    fn set_pin(
        &mut self, actor: &Actor, staff_id: &str, new_pin: &Pin, kind: AuditKind,
        now: DateTime<Utc>,
    ) -> Result<(), StaffAdminError> {
        check_new_pin(new_pin.expose())?;
        if is_retired(self.conn(), self.vault(), staff_id)? {
            return Err(StaffAdminError::AlreadyRetired);
        }
        let hash = self.vault().hash_pin(new_pin)?;
        let json = serde_json::to_string(&hash).map_err(StoreError::from)?;
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        let changed = row_auth::update(
            &tx,
            self.vault(),
            "staff",
            &text_key(staff_id),
            &[
                ("pin_hash_json", Value::Text(json)),
                ("failed_pins", Value::Integer(0)),
                ("last_failed_at", Value::Null),
            ],
        )?;
        if !changed {
            return Err(StaffAdminError::UnknownStaff);
        }
        audit::append(&tx, self.vault(), &at, actor.staff_id(), kind, staff_id)?;
        tx.commit(self.vault())?;
        Ok(())
    }

    /// Replaces the recovery key: returns the new one to show once; the old one stops working
    /// at once (its wrap is replaced, zeroed in the file, the WAL emptied).
    pub fn new_recovery_key(
        &mut self, actor: &Actor, now: DateTime<Utc>,
    ) -> Result<(RecoveryKey, Cleared), StaffAdminError> {
        actor.require_manager()?;
        let (wrap, key) = self.vault().wrap_with_new_recovery_key()?;
        self.managed_change(actor, AuditKind::RecoveryKeyReplaced, "", now, |tx, _| {
            tx.execute("DELETE FROM key_wraps WHERE label = ?1", [&wrap.label])?;
            super::put_key_wrap(tx, self.vault(), &wrap)
        })?;
        let cleared = self.store.checkpoint()?;
        Ok((key, cleared))
    }
}
