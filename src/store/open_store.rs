//! The store with the vault open: setup, unlock, close, audit and settings.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::audit::{self, AuditEntry, AuditKind, ChainCheck};
use super::row_auth::{self, text_key};
use super::staff::{Actor, insert_staff};
use super::{SignInError, Store, StoreError};
use crate::staff::{Role, check_new_passphrase};
use crate::store::writing::Writing;
use crate::vault::{Passphrase, Pin, RecoveryKey, Vault, random_id};

/// The database with the data key in memory. Dropping it (or [`OpenStore::close`]) drops the key.
pub struct OpenStore {
    pub(super) store: Store,
    vault: Vault,
    device_id: String,
    /// Opened with the recovery key, not a manager's passphrase: a forgotten passphrase may be
    /// set anew (see `reset_passphrase_by_recovery`).
    by_recovery: bool,
    /// When sign-in last found the visit states' sum agreeing (see `census::SumsSeen`).
    sums_seen: row_auth::census::SumsSeen,
}

/// What first-run setup needs.
pub struct SetupRequest {
    pub clinic_name: String,
    pub manager_name: String,
    pub manager_passphrase: Passphrase,
    /// The passphrase typed a second time: setup refuses a pair that differs, as every other
    /// place a manager chooses a passphrase does (`staff::check_new_passphrase`).
    pub manager_passphrase_again: Passphrase,
    pub manager_pin: Pin,
    /// Further staff: name, role (clinician or reception), PIN.
    pub staff: Vec<(String, Role, Pin)>,
}

/// The outcome of setup: the open store, the manager's id, and the recovery key to print once.
pub struct SetupResult {
    pub store: OpenStore,
    pub manager_id: String,
    pub recovery_key: RecoveryKey,
}

impl SetupResult {
    /// The manager who set the installation up, acting as themself (setup proved who they are).
    pub fn manager(&self) -> Actor {
        Actor::new(self.manager_id.clone(), Role::Manager)
    }
}

/// The whole-database check of `verify_everything` on any connection with the data key: a
/// backup copy is checked the same way (`backup`).
pub(super) fn verify_connection(conn: &Connection, vault: &Vault) -> Result<usize, StoreError> {
    let mut rows = 0;
    for table in row_auth::tagged_tables() {
        rows += row_auth::check_all(conn, vault, table)?;
    }
    row_auth::census::check(conn, vault, &[])?;
    super::references::check_all(conn)?;
    super::submissions::check_every_consent_chain(conn, vault)?;
    super::patient_records::check_every_list(conn, vault)?;
    match audit::verify(conn, vault)? {
        ChainCheck::Intact { entries, .. } => rows += usize::try_from(entries).unwrap_or(0),
        ChainCheck::BrokenAt { seq } => return Err(StoreError::tampered("audit_log", seq)),
    }
    Ok(rows)
}

/// A failed unlock hands the closed store back so the caller can try again.
pub struct UnlockFailure {
    pub store: Store,
    pub error: StoreError,
}

impl std::fmt::Debug for UnlockFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnlockFailure({:?})", self.error)
    }
}

impl std::fmt::Debug for OpenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenStore({})", self.store.path.display())
    }
}

impl OpenStore {
    pub(super) fn conn(&self) -> &Connection {
        &self.store.conn
    }
    pub(super) fn vault(&self) -> &Vault {
        &self.vault
    }
    /// What sign-in trusts, checked against the census (`census::SIGN_IN_LISTS`): the visit
    /// states' sum left out while no other connection has written since it last agreed.
    pub(super) fn check_sign_in_lists(&mut self) -> Result<(), StoreError> {
        self.sums_seen.check(
            &self.store.conn,
            &self.vault,
            row_auth::census::SIGN_IN_LISTS,
        )
    }
    /// Puts a rotated vault in place (after its rotation committed).
    pub(super) fn replace_vault(&mut self, vault: Vault) {
        self.vault = vault;
        // The sums were taken again under the new key: the next sign-in checks them whole.
        self.sums_seen = Default::default();
    }
    /// This installation's id (the device id recorded with consent events).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }
    /// The closed store underneath (path, checkpoint, integrity check).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// First-run setup: creates the data key, the manager (with passphrase and PIN), the other
    /// staff and the recovery key, in one transaction.
    pub fn setup(
        store: Store, request: SetupRequest, now: DateTime<Utc>,
    ) -> Result<SetupResult, SignInError> {
        if store.is_set_up()? {
            return Err(StoreError::AlreadySetUp.into());
        }
        check_new_passphrase(
            request.manager_passphrase.expose(),
            request.manager_passphrase_again.expose(),
            None,
        )?;
        for (_, role, _) in &request.staff {
            if *role == Role::Manager {
                return Err(StoreError::Forbidden.into());
            }
        }
        let vault = Vault::create().map_err(StoreError::from)?;
        let installation_id = random_id().map_err(StoreError::from)?;
        let at = now.to_rfc3339();
        let (recovery_wrap, recovery_key) = vault
            .wrap_with_new_recovery_key()
            .map_err(StoreError::from)?;
        let manager_id;
        {
            let tx = Writing::begin(&store.conn)?;
            row_auth::insert(
                &tx,
                &vault,
                "installation",
                &[
                    ("id", Value::Integer(1)),
                    ("installation_id", Value::Text(installation_id.clone())),
                    (
                        "clinic_name",
                        Value::Text(request.clinic_name.trim().to_owned()),
                    ),
                    ("created_at", Value::Text(at.clone())),
                    (
                        "census",
                        Value::Text(row_auth::census::Census::empty_json()),
                    ),
                ],
            )?;
            audit::start_head(&tx, &vault)?;
            // The log's first entry marks it as kept under row authentication from the start:
            // a head deleted later cannot pass for a database from before the upgrade, and the
            // log cannot be cut back to before the mark without emptying it.
            audit::append(&tx, &vault, &at, "kiosk", AuditKind::RowsAuthenticated, "0")?;
            manager_id = insert_staff(
                &tx,
                &vault,
                &request.manager_name,
                Role::Manager,
                &request.manager_pin,
                &at,
            )?;
            let manager_wrap = vault
                .wrap_with_passphrase(&manager_id, &request.manager_passphrase)
                .map_err(StoreError::from)?;
            for wrap in [&manager_wrap, &recovery_wrap] {
                super::put_key_wrap(&tx, &vault, wrap)?;
            }
            for (name, role, pin) in &request.staff {
                let id = insert_staff(&tx, &vault, name, *role, pin, &at)?;
                audit::append(&tx, &vault, &at, &manager_id, AuditKind::StaffAdded, &id)?;
            }
            audit::append(&tx, &vault, &at, &manager_id, AuditKind::SetupCompleted, "")?;
            tx.commit(&vault)?;
        }
        Ok(SetupResult {
            store: OpenStore {
                store,
                vault,
                device_id: installation_id,
                by_recovery: false,
                sums_seen: Default::default(),
            },
            manager_id,
            recovery_key,
        })
    }

    fn opened(
        store: Store, mut vault: Vault, actor: &str, kind: AuditKind, now: DateTime<Utc>,
    ) -> Result<OpenStore, Box<UnlockFailure>> {
        let device_id = authenticate_rows(&store.conn, &vault, now).and_then(|()| {
            super::rotate::adopt_pin_pepper(&store.conn, &mut vault)?;
            row_auth::get(&store.conn, &vault, "installation", &[Value::Integer(1)])?
                .ok_or(StoreError::NotSetUp)?
                .text("installation_id")
        });
        let device_id = match device_id {
            Ok(id) => id,
            Err(error) => return Err(Box::new(UnlockFailure { store, error })),
        };
        let open = OpenStore {
            store,
            vault,
            device_id,
            by_recovery: kind == AuditKind::RecoveryKeyUsed,
            sums_seen: Default::default(),
        };
        if let Err(error) = open.note_opened(actor, kind, now) {
            return Err(Box::new(UnlockFailure {
                store: open.close_quietly(),
                error,
            }));
        }
        Ok(open)
    }

    fn note_opened(
        &self, actor: &str, kind: AuditKind, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        let failed: i64 = tx.query_row(
            "SELECT failed_unlocks FROM installation WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        // This attempt was counted before its check, and it succeeded: the count starts again
        // from nothing (its own count too, or the next open would report it as a failure).
        let failed = failed.saturating_sub(1);
        if failed > 0 {
            audit::append(
                &tx,
                &self.vault,
                &at,
                "kiosk",
                AuditKind::FailedUnlocks,
                &failed.to_string(),
            )?;
        }
        tx.execute(
            "UPDATE installation SET failed_unlocks = 0 WHERE id = 1",
            [],
        )?;
        audit::append(&tx, &self.vault, &at, actor, kind, "")?;
        tx.commit(&self.vault)?;
        Ok(())
    }

    /// Opens the kiosk for the day with a manager's passphrase. Returns the open store and the
    /// id of the manager whose passphrase it was. A wrong passphrase changes nothing but the
    /// failed-attempt count.
    pub fn unlock(
        store: Store, passphrase: &Passphrase, now: DateTime<Utc>,
    ) -> Result<(OpenStore, String), Box<UnlockFailure>> {
        let store = counted_attempt(store)?;
        let attempt = store.key_wraps().and_then(|wraps| {
            Vault::unlock_with_passphrase(&wraps, passphrase).map_err(StoreError::from)
        });
        match attempt {
            Ok((vault, manager_id)) => {
                let open =
                    OpenStore::opened(store, vault, &manager_id, AuditKind::KioskOpened, now)?;
                Ok((open, manager_id))
            }
            // Counted before the check (counted_attempt).
            Err(error) => Err(Box::new(UnlockFailure { store, error })),
        }
    }

    /// Opens for a command-line action with a manager's passphrase, which identifies the manager:
    /// they act as themself (audited under their id), as after a PIN sign-in.
    pub fn unlock_as_manager(
        store: Store, passphrase: &Passphrase, now: DateTime<Utc>,
    ) -> Result<(OpenStore, Actor), Box<UnlockFailure>> {
        let (open, manager_id) = OpenStore::unlock(store, passphrase, now)?;
        Ok((open, Actor::new(manager_id, Role::Manager)))
    }

    /// Opens with the printed recovery key, when no manager passphrase is at hand.
    pub fn unlock_with_recovery(
        store: Store, recovery: &RecoveryKey, now: DateTime<Utc>,
    ) -> Result<OpenStore, Box<UnlockFailure>> {
        let store = counted_attempt(store)?;
        let attempt = store.key_wraps().and_then(|wraps| {
            Vault::unlock_with_recovery(&wraps, recovery).map_err(StoreError::from)
        });
        match attempt {
            Ok(vault) => {
                OpenStore::opened(store, vault, "recovery", AuditKind::RecoveryKeyUsed, now)
            }
            Err(error) => Err(Box::new(UnlockFailure { store, error })),
        }
    }

    /// Closes for the day: records it, then drops the keys. Returns the closed store.
    pub fn close(self, actor: Option<&Actor>, now: DateTime<Utc>) -> Result<Store, StoreError> {
        let who = actor.map_or("kiosk", Actor::staff_id);
        audit::append(
            self.conn(),
            &self.vault,
            &now.to_rfc3339(),
            who,
            AuditKind::KioskClosed,
            "",
        )?;
        Ok(self.close_quietly())
    }

    /// Whether this store was opened with the recovery key.
    pub fn opened_by_recovery(&self) -> bool {
        self.by_recovery
    }

    fn close_quietly(self) -> Store {
        let OpenStore { store, vault, .. } = self;
        drop(vault);
        store
    }

    /// Records an event that the session (not the store) knows of: handover started or wiped,
    /// signed out, and so on. `subject` is an id, never a patient value.
    pub fn record_event(
        &self, actor: &str, kind: AuditKind, subject: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        audit::append(
            self.conn(),
            &self.vault,
            &now.to_rfc3339(),
            actor,
            kind,
            subject,
        )
    }

    /// Verifies the audit chain from the first entry.
    pub fn verify_audit(&self) -> Result<ChainCheck, StoreError> {
        audit::verify(self.conn(), &self.vault)
    }

    /// Audit entries, optionally about one record or by one staff member (managers only).
    pub fn audit_entries(
        &self, actor: &Actor, subject: Option<&str>, by: Option<&str>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        actor.require_manager()?;
        audit::list(self.conn(), subject, by)
    }

    /// One change and its audit entry (`actor`, `kind`, `subject`), committed together or not
    /// at all. `change` gets the transaction and the time as RFC 3339. Checks no role: the
    /// caller has, before anything is read ([`Self::managed_change`] for a manager's action).
    pub(super) fn logged_change<T>(
        &self, actor: &Actor, kind: AuditKind, subject: &str, now: DateTime<Utc>,
        change: impl FnOnce(&Connection, &str) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        let value = change(&tx, &at)?;
        self.audit_as(actor, &tx, &at, kind, subject)?;
        tx.commit(self.vault())?;
        Ok(value)
    }

    /// [`Self::logged_change`] by a manager: anyone else is refused before anything is read.
    pub(super) fn managed_change<T>(
        &self, actor: &Actor, kind: AuditKind, subject: &str, now: DateTime<Utc>,
        change: impl FnOnce(&Connection, &str) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        actor.require_manager()?;
        self.logged_change(actor, kind, subject, now, change)
    }

    /// A manager's [`Self::logged_change`] of the installation's set-up (a setting, the active
    /// form, the sync keys), logged as a settings change naming `subject`.
    pub(super) fn settings_change<T>(
        &self, actor: &Actor, subject: &str, now: DateTime<Utc>,
        change: impl FnOnce(&Connection, &str) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.managed_change(actor, AuditKind::SettingsChanged, subject, now, change)
    }

    /// Appends `actor`'s audit entry through `conn` (inside the caller's transaction, so the
    /// change and its entry commit together).
    pub(super) fn audit_as(
        &self, actor: &Actor, conn: &Connection, at: &str, kind: AuditKind, subject: &str,
    ) -> Result<(), StoreError> {
        audit::append(conn, &self.vault, at, actor.staff_id(), kind, subject)
    }

    /// A setting (not patient data), e.g. idle timeouts. Checked: an edited value is refused.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        row_auth::get(self.conn(), self.vault(), "settings", &text_key(key))?
            .map(|row| row.text("value"))
            .transpose()
    }

    /// Checks every row of every table, the references, the consent chains and the audit chain: the whole
    /// database as one check (the `verify` command). Returns how many rows were checked.
    pub fn verify_everything(&self) -> Result<usize, StoreError> {
        verify_connection(self.conn(), self.vault())
    }

    /// Changes a setting (managers only); logged. An unknown key or a bad value (see
    /// [`crate::settings`]) is refused with [`StoreError::Invalid`] and nothing is written.
    pub fn set_setting(
        &self, actor: &Actor, key: &str, value: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let value = &self.checked_setting(key, value)?;
        self.settings_change(actor, key, now, |tx, _| {
            put_setting(tx, self.vault(), key, value)
        })
    }
}

/// Writes setting `key` (a new row, or the old one replaced) inside the caller's transaction,
/// unchecked: callers check the value first ([`OpenStore::set_setting`]) or write their own
/// (the active form's hash).
pub(super) fn put_setting(
    tx: &Connection, vault: &Vault, key: &str, value: &str,
) -> Result<(), StoreError> {
    let row = [
        ("key", Value::Text(key.to_owned())),
        ("value", Value::Text(value.to_owned())),
    ];
    row_auth::put(tx, vault, "settings", &row)
}

/// Counts a passphrase or recovery attempt before it is checked, then waits as long as the
/// failures before it require (none for the first two, growing from the third). A count that
/// cannot be stored stops the attempt: guessing must not be free on any medium.
fn counted_attempt(store: Store) -> Result<Store, Box<UnlockFailure>> {
    match store.count_unlock_attempt() {
        Ok(before) => {
            std::thread::sleep(crate::staff::unlock_delay(before));
            Ok(store)
        }
        Err(error) => Err(Box::new(UnlockFailure { store, error })),
    }
}

/// Brings a database written before rows were authenticated under the scheme, once, at its first
/// unlock after the upgrade; then checks the small tables every decision reads (staff, keys,
/// settings, forms, links…). Patients, submissions and consent events are checked as they are read.
fn authenticate_rows(
    conn: &Connection, vault: &Vault, now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !row_auth::exists(conn, "audit_head", &[Value::Integer(1)])? {
        // No head: either a database from before the upgrade, or one whose head was deleted to
        // have edited rows tagged as sound. An old database has a log (its set-up wrote one)
        // with no mark of the scheme in it, and no row with a tag. A database set up under the
        // scheme has the mark as its first entry, so the log cannot be cut back to before it.
        let (entries, marked): (i64, bool) = conn.query_row(
            "SELECT count(*), EXISTS (SELECT 1 FROM audit_log WHERE kind = ?1) FROM audit_log",
            [AuditKind::RowsAuthenticated.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if entries == 0 || marked || row_auth::any_tagged(conn)? {
            return Err(StoreError::tampered("audit_head", 1));
        }
        let tx = Writing::begin(conn)?;
        let tagged = row_auth::tag_untagged(&tx, vault)?;
        super::patient_records::move_to_visit_state(&tx, vault)?;
        super::submissions::start_every_consent_chain(&tx, vault)?;
        audit::adopt_head(&tx, vault)?;
        audit::append(
            &tx,
            vault,
            &now.to_rfc3339(),
            "kiosk",
            AuditKind::RowsAuthenticated,
            &tagged.to_string(),
        )?;
        tx.commit(vault)?;
    }
    // Patients written before visit states (migration 14) move to them, visit states written
    // before the sums of their forms' seals (migration 17) get them; a database from before
    // the census (migration 13) is counted.
    {
        let tx = Writing::begin(conn)?;
        super::patient_records::move_to_visit_state(&tx, vault)?;
        super::patient_records::form_seals::adopt(&tx, vault)?;
        row_auth::census::adopt(&tx, vault)?;
        tx.commit(vault)?;
    }
    for table in row_auth::CHECKED_AT_UNLOCK {
        row_auth::check_all(conn, vault, table)?;
    }
    row_auth::census::check(conn, vault, &[])
}
