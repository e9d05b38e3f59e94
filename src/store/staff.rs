//! Staff accounts, PIN sign-in with a lockout that survives a crash, and the [`Actor`] that a
//! successful sign-in yields. Need-to-know checks take an `Actor`, which only a sign-in creates.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::{self, AuditKind};
use super::{OpenStore, StoreError};
use crate::staff::{Lockout, LockoutPolicy, PinRejection, Role, check_new_pin};
use crate::vault::{Aad, Passphrase, Pin, PinHash, Vault, random_id};

/// A signed-in staff member. Cannot be built outside this crate except by signing in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    staff_id: String,
    role: Role,
}

impl Actor {
    pub(crate) fn new(staff_id: String, role: Role) -> Self {
        Actor { staff_id, role }
    }
    pub fn staff_id(&self) -> &str {
        &self.staff_id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    /// Whether this role sees medical history, signatures and submissions (need-to-know).
    pub fn may_see_medical(&self) -> bool {
        self.role.may_read_medical()
    }
    pub(crate) fn require_manager(&self) -> Result<(), StoreError> {
        if self.role.may_manage() {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }
    pub(crate) fn require_medical(&self) -> Result<(), StoreError> {
        if self.role.may_read_medical() {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }
}

/// A staff member as listed on the PIN screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub lockout: Lockout,
    pub failed_pins: u32,
}

/// Why a sign-in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong PIN")]
    WrongPin { failures: u32, lockout: Lockout },
    #[error("too many wrong PINs: try again later")]
    Wait { until: DateTime<Utc> },
    #[error("this account is locked: a manager must reset it")]
    Locked,
    #[error("no such staff member")]
    UnknownStaff,
    #[error("the new PIN is not allowed: {0}")]
    PinRule(#[from] PinRejection),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(super) fn name_aad(staff_id: &str) -> Aad<'_> {
    Aad {
        table: "staff",
        column: "sealed_name",
        row_id: staff_id,
    }
}

/// Inserts a staff row (inside the caller's transaction). Returns the new id.
pub(super) fn insert_staff(
    conn: &rusqlite::Connection,
    vault: &Vault,
    name: &str,
    role: Role,
    pin: &Pin,
    now: &str,
) -> Result<String, SignInError> {
    check_new_pin(pin.expose())?;
    let id = random_id().map_err(StoreError::from)?;
    let sealed_name = vault
        .seal(name_aad(&id), name.as_bytes())
        .map_err(StoreError::from)?;
    let pin_hash = vault.hash_pin(pin).map_err(StoreError::from)?;
    let pin_json = serde_json::to_string(&pin_hash).map_err(StoreError::from)?;
    conn.execute(
        "INSERT INTO staff (id, role, sealed_name, pin_hash_json, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, role.as_str(), sealed_name, pin_json, now],
    )
    .map_err(StoreError::from)?;
    Ok(id)
}

struct StaffRow {
    role: Role,
    pin_hash: PinHash,
    failed_pins: u32,
    last_failed_at: Option<DateTime<Utc>>,
}

impl OpenStore {
    pub fn lockout_policy(&self) -> LockoutPolicy {
        LockoutPolicy::default()
    }

    /// Active staff, names opened, for the PIN screen.
    pub fn list_staff(&self, now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, role, sealed_name, failed_pins, last_failed_at FROM staff WHERE active = 1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        let policy = self.lockout_policy();
        let mut out = Vec::new();
        for row in rows {
            let (id, role, sealed_name, failed_pins, last) = row?;
            let name = self
                .vault()
                .open(name_aad(&id), &sealed_name)
                .map_err(|_| StoreError::Tampered)?;
            let role = Role::parse(&role).ok_or(StoreError::Tampered)?;
            let last = last.and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
            out.push(StaffMember {
                name: String::from_utf8_lossy(&name).into_owned(),
                lockout: policy.state(failed_pins, last, now),
                id,
                role,
                failed_pins,
            });
        }
        Ok(out)
    }

    fn staff_row(&self, staff_id: &str) -> Result<Option<StaffRow>, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT role, pin_hash_json, failed_pins, last_failed_at FROM staff WHERE id = ?1 AND active = 1",
                [staff_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, u32>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((role, pin_json, failed_pins, last)) = row else {
            return Ok(None);
        };
        Ok(Some(StaffRow {
            role: Role::parse(&role).ok_or(StoreError::Tampered)?,
            pin_hash: serde_json::from_str(&pin_json)?,
            failed_pins,
            last_failed_at: last.and_then(|s| DateTime::<Utc>::from_timestamp(s, 0)),
        }))
    }

    /// Signs a staff member in with their PIN.
    ///
    /// The attempt is counted as a failure and committed *before* the PIN is checked, so killing
    /// the app mid-check (or pulling the power) cannot be used to guess without the count rising.
    /// A correct PIN then resets the count.
    pub fn sign_in(
        &mut self,
        staff_id: &str,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<Actor, SignInError> {
        let row = self.staff_row(staff_id)?.ok_or(SignInError::UnknownStaff)?;
        let policy = self.lockout_policy();
        match policy.state(row.failed_pins, row.last_failed_at, now) {
            Lockout::Locked => return Err(SignInError::Locked),
            Lockout::WaitUntil(until) => return Err(SignInError::Wait { until }),
            Lockout::Open => {}
        }
        let failures = row.failed_pins + 1;
        self.conn()
            .execute(
                "UPDATE staff SET failed_pins = ?2, last_failed_at = ?3 WHERE id = ?1",
                params![staff_id, failures, now.timestamp()],
            )
            .map_err(StoreError::from)?;
        let matches = self
            .vault()
            .verify_pin(pin, &row.pin_hash)
            .map_err(StoreError::from)?;
        let at = now.to_rfc3339();
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        if matches {
            tx.execute(
                "UPDATE staff SET failed_pins = 0, last_failed_at = NULL WHERE id = ?1",
                [staff_id],
            )
            .map_err(StoreError::from)?;
            audit::append(&tx, self.vault(), &at, staff_id, AuditKind::SignedIn, "")?;
            tx.commit().map_err(StoreError::from)?;
            return Ok(Actor::new(staff_id.to_owned(), row.role));
        }
        audit::append(
            &tx,
            self.vault(),
            &at,
            staff_id,
            AuditKind::SignInFailed,
            "",
        )?;
        let lockout = policy.state(failures, Some(now), now);
        if lockout == Lockout::Locked {
            audit::append(&tx, self.vault(), &at, staff_id, AuditKind::LockedOut, "")?;
        }
        tx.commit().map_err(StoreError::from)?;
        Err(SignInError::WrongPin { failures, lockout })
    }

    /// Adds a clinician or reception account (a manager's act). Managers are added with
    /// [`OpenStore::add_manager`], as they also need a passphrase.
    pub fn add_staff(
        &mut self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        actor.require_manager()?;
        if role == Role::Manager {
            return Err(SignInError::Store(StoreError::Forbidden));
        }
        let at = now.to_rfc3339();
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let id = insert_staff(&tx, self.vault(), name, role, pin, &at)?;
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::StaffAdded,
            &id,
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(id)
    }

    /// Adds another manager with their own passphrase (no shared passphrases).
    pub fn add_manager(
        &mut self,
        actor: &Actor,
        name: &str,
        pin: &Pin,
        passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        actor.require_manager()?;
        let at = now.to_rfc3339();
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let id = insert_staff(&tx, self.vault(), name, Role::Manager, pin, &at)?;
        let wrap = self
            .vault()
            .wrap_with_passphrase(&id, passphrase)
            .map_err(StoreError::from)?;
        tx.execute(
            "INSERT INTO key_wraps (label, wrap_json) VALUES (?1, ?2)",
            params![id, serde_json::to_string(&wrap).map_err(StoreError::from)?],
        )
        .map_err(StoreError::from)?;
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::StaffAdded,
            &id,
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(id)
    }

    /// Lifts a lockout. Needs a manager's passphrase, checked against the stored wraps, so a
    /// stolen PIN alone cannot undo a lockout.
    pub fn reset_lockout(
        &mut self,
        manager_passphrase: &Passphrase,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let wraps = self.store.key_wraps()?;
        let (_, manager_id) = Vault::unlock_with_passphrase(&wraps, manager_passphrase)?;
        let tx = self.conn().unchecked_transaction()?;
        let changed = tx.execute(
            "UPDATE staff SET failed_pins = 0, last_failed_at = NULL WHERE id = ?1",
            [staff_id],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &tx,
            self.vault(),
            &now.to_rfc3339(),
            &manager_id,
            AuditKind::LockoutReset,
            staff_id,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Re-wraps the data key under a manager's new passphrase. No record is touched.
    pub fn change_passphrase(
        &mut self,
        actor: &Actor,
        new_passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let wrap = self
            .vault()
            .wrap_with_passphrase(actor.staff_id(), new_passphrase)?;
        let tx = self.conn().unchecked_transaction()?;
        tx.execute(
            "INSERT INTO key_wraps (label, wrap_json) VALUES (?1, ?2)
             ON CONFLICT (label) DO UPDATE SET wrap_json = excluded.wrap_json",
            params![actor.staff_id(), serde_json::to_string(&wrap)?],
        )?;
        audit::append(
            &tx,
            self.vault(),
            &now.to_rfc3339(),
            actor.staff_id(),
            AuditKind::PassphraseChanged,
            "",
        )?;
        tx.commit()?;
        Ok(())
    }
}
