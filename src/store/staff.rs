//! Staff accounts, PIN sign-in with a lockout that survives a crash, and the [`Actor`] that a
//! successful sign-in yields. Need-to-know checks take an `Actor`, which only a sign-in creates.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::audit::{self, AuditKind};
use super::row_auth::{self, text_key};
use super::{OpenStore, StoreError};
use crate::staff::{
    Lockout, LockoutPolicy, PassphraseRejection, PinRejection, Role, check_new_pin,
};
use crate::store::writing::Writing;
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
    #[error("this staff member has been retired and can no longer sign in")]
    Retired,
    #[error("the new PIN is not allowed: {0}")]
    PinRule(#[from] PinRejection),
    #[error("the new passphrase is not allowed: {0}")]
    PassphraseRule(#[from] PassphraseRejection),
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
/// The most characters a staff name may have: it is a tile's label on the sign-in screens.
pub const MAX_STAFF_NAME: usize = 80;

/// A staff name as every screen shows it: 1 to [`MAX_STAFF_NAME`] characters, none of them a
/// control character or one that turns the direction of the text around it (a name that
/// reads as another's on the tile, or pushes the PIN pad off the screen, is refused).
fn check_staff_name(name: &str) -> Result<(), StoreError> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_STAFF_NAME || crate::forms::identity::has_hidden_characters(name) {
        return Err(StoreError::Invalid(format!(
            "a staff name is 1 to {MAX_STAFF_NAME} characters, without control or direction characters"
        )));
    }
    Ok(())
}

pub(super) fn insert_staff(
    conn: &rusqlite::Connection, vault: &Vault, name: &str, role: Role, pin: &Pin, now: &str,
) -> Result<String, SignInError> {
    check_staff_name(name)?;
    check_new_pin(pin.expose())?;
    let id = random_id().map_err(StoreError::from)?;
    let sealed_name = vault
        .seal(name_aad(&id), name.as_bytes())
        .map_err(StoreError::from)?;
    let pin_hash = vault.hash_pin(pin).map_err(StoreError::from)?;
    let pin_json = serde_json::to_string(&pin_hash).map_err(StoreError::from)?;
    row_auth::insert(
        conn,
        vault,
        "staff",
        &[
            ("id", Value::Text(id.clone())),
            ("role", Value::Text(role.as_str().to_owned())),
            ("sealed_name", Value::Blob(sealed_name)),
            ("pin_hash_json", Value::Text(pin_json)),
            ("failed_pins", Value::Integer(0)),
            ("last_failed_at", Value::Null),
            ("active", Value::Integer(1)),
            ("created_at", Value::Text(now.to_owned())),
        ],
    )?;
    Ok(id)
}

/// Sets a staff member's failed-PIN count and the time of the last failure (checked row).
fn set_failures(
    conn: &rusqlite::Connection, vault: &Vault, staff_id: &str, failures: u32,
    last_failed_at: Option<i64>,
) -> Result<bool, StoreError> {
    row_auth::update(
        conn,
        vault,
        "staff",
        &text_key(staff_id),
        &[
            ("failed_pins", Value::Integer(i64::from(failures))),
            (
                "last_failed_at",
                last_failed_at.map_or(Value::Null, Value::Integer),
            ),
        ],
    )
}

/// A staff row (checked) with the name opened.
pub(super) struct NamedStaff {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) row: row_auth::Row,
}

/// Every staff row, retired ones included, checked, with names opened and roles parsed.
pub(super) fn named_staff(
    conn: &rusqlite::Connection, vault: &Vault,
) -> Result<Vec<NamedStaff>, StoreError> {
    row_auth::all(conn, vault, "staff")?
        .into_iter()
        .map(|row| {
            let id = row.text("id")?;
            let sealed_name: Vec<u8> =
                conn.query_row("SELECT sealed_name FROM staff WHERE id = ?1", [&id], |r| {
                    r.get(0)
                })?;
            let name = super::unseal(vault, name_aad(&id), &sealed_name)?;
            Ok(NamedStaff {
                name: String::from_utf8_lossy(&name).into_owned(),
                role: Role::parse(&row.text("role")?)
                    .ok_or_else(|| StoreError::tampered("staff", &id))?,
                id,
                row,
            })
        })
        .collect()
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

    /// Active staff, names opened, for the PIN screen. Every row checked.
    pub fn list_staff(&self, now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError> {
        let policy = self.lockout_policy();
        let mut out = Vec::new();
        for NamedStaff {
            id,
            name,
            role,
            row,
        } in named_staff(self.conn(), self.vault())?
        {
            if row.int("active")? != 1 {
                continue;
            }
            let failed_pins = u32::try_from(row.int("failed_pins")?)
                .map_err(|_| StoreError::tampered("staff", &id))?;
            let last = row
                .opt_int("last_failed_at")?
                .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
            out.push(StaffMember {
                name,
                lockout: policy.state(failed_pins, last, now),
                id,
                role,
                failed_pins,
            });
        }
        Ok(out)
    }

    fn staff_row(&self, staff_id: &str) -> Result<Option<StaffRow>, StoreError> {
        let Some(row) = row_auth::get(self.conn(), self.vault(), "staff", &text_key(staff_id))?
        else {
            return Ok(None);
        };
        if row.int("active")? != 1 {
            return Ok(None);
        }
        Ok(Some(StaffRow {
            role: Role::parse(&row.text("role")?)
                .ok_or_else(|| StoreError::tampered("staff", staff_id))?,
            pin_hash: serde_json::from_str(&row.text("pin_hash_json")?)?,
            failed_pins: u32::try_from(row.int("failed_pins")?)
                .map_err(|_| StoreError::tampered("staff", staff_id))?,
            last_failed_at: row
                .opt_int("last_failed_at")?
                .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0)),
        }))
    }

    /// Signs a staff member in with their PIN.
    ///
    /// The attempt is counted as a failure and committed *before* the PIN is checked, so killing
    /// the app mid-check (or pulling the power) cannot be used to guess without the count rising.
    /// A correct PIN then resets the count.
    pub fn sign_in(
        &mut self, staff_id: &str, pin: &Pin, now: DateTime<Utc>,
    ) -> Result<Actor, SignInError> {
        // The staff's rows as last written: one put back from an older copy (a retired member,
        // an old role or PIN, a lockout lifted) is refused before it is obeyed.
        self.check_sign_in_lists()?;
        let Some(row) = self.staff_row(staff_id)? else {
            return Err(
                if super::staff_admin::is_retired(self.conn(), self.vault(), staff_id)? {
                    SignInError::Retired
                } else {
                    SignInError::UnknownStaff
                },
            );
        };
        let policy = self.lockout_policy();
        match policy.state(row.failed_pins, row.last_failed_at, now) {
            Lockout::Locked => return Err(SignInError::Locked),
            Lockout::WaitUntil(until) => return Err(SignInError::Wait { until }),
            Lockout::Open => {}
        }
        let failures = row.failed_pins + 1;
        let counted = Writing::begin(self.conn())?;
        set_failures(
            &counted,
            self.vault(),
            staff_id,
            failures,
            Some(now.timestamp()),
        )?;
        counted.commit(self.vault())?;
        let matches = self
            .vault()
            .verify_pin(pin, &row.pin_hash)
            .map_err(StoreError::from)?;
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        if matches {
            set_failures(&tx, self.vault(), staff_id, 0, None)?;
            audit::append(&tx, self.vault(), &at, staff_id, AuditKind::SignedIn, "")?;
            tx.commit(self.vault())?;
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
        tx.commit(self.vault())?;
        Err(SignInError::WrongPin { failures, lockout })
    }

    /// Adds a clinician or reception account (a manager's act). Managers are added with
    /// [`OpenStore::add_manager`], as they also need a passphrase.
    pub fn add_staff(
        &mut self, actor: &Actor, name: &str, role: Role, pin: &Pin, now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        if role == Role::Manager {
            return Err(SignInError::Store(StoreError::Forbidden));
        }
        self.add_account(actor, name, role, pin, None, now)
    }

    /// Adds another manager with their own passphrase (no shared passphrases).
    pub fn add_manager(
        &mut self, actor: &Actor, name: &str, pin: &Pin, passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        self.add_account(actor, name, Role::Manager, pin, Some(passphrase), now)
    }

    /// Adds a staff account (a manager's act) and, for a manager, the wrap of the data key
    /// under their passphrase; logged. One transaction.
    fn add_account(
        &mut self, actor: &Actor, name: &str, role: Role, pin: &Pin,
        passphrase: Option<&Passphrase>, now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        actor.require_manager()?;
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        let id = insert_staff(&tx, self.vault(), name, role, pin, &at)?;
        if let Some(passphrase) = passphrase {
            let wrap = self
                .vault()
                .wrap_with_passphrase(&id, passphrase)
                .map_err(StoreError::from)?;
            super::put_key_wrap(&tx, self.vault(), &wrap)?;
        }
        self.audit_as(actor, &tx, &at, AuditKind::StaffAdded, &id)?;
        tx.commit(self.vault())?;
        Ok(id)
    }

    /// Lifts a lockout. Needs a manager's passphrase, checked against the stored wraps, so a
    /// stolen PIN alone cannot undo a lockout.
    pub fn reset_lockout(
        &mut self, manager_passphrase: &Passphrase, staff_id: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (_, manager_id) =
            Vault::unlock_with_passphrase(&self.checked_key_wraps()?, manager_passphrase)?;
        let tx = Writing::begin(self.conn())?;
        if !set_failures(&tx, self.vault(), staff_id, 0, None)? {
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
        tx.commit(self.vault())?;
        Ok(())
    }

    /// The wraps of the data key, every row checked: a wrap slipped into the file (under a
    /// passphrase its author knows) must not pass for a manager's.
    pub(super) fn checked_key_wraps(&self) -> Result<Vec<crate::vault::KeyWrap>, StoreError> {
        row_auth::all(self.conn(), self.vault(), "key_wraps")?
            .iter()
            .map(|row| Ok(serde_json::from_str(&row.text("wrap_json")?)?))
            .collect()
    }
}
