//! The store: SQLite, and the only module that calls rusqlite.
//!
//! [`Store`] is the database with the vault closed: it can tell whether the kiosk is set up and
//! hand out the key wraps, nothing more. [`OpenStore`] pairs it with an open [`Vault`]: every
//! patient value goes in sealed and comes out opened, and need-to-know is checked here, against
//! the [`Actor`] that signed in, not in the UI.
//!
//! Invariants:
//! - opened with `foreign_keys=ON` (off only for the transaction of an erasure of whole
//!   records, which deletes what names them itself: `references.rs`), `journal_mode=WAL`, `synchronous=FULL`, `secure_delete=ON`,
//!   `temp_store=MEMORY`; `quick_check` runs before anything is written; a bundle's import alone
//!   takes the rollback journal for its transaction while no other connection is open
//!   (`bulk_write.rs`), and WAL mode is set again when it ends;
//! - a file that is not ours (not SQLite, another program's database, corrupt, or newer) gets an
//!   error and is never modified, deleted or recreated;
//! - every write that spans rows runs in one transaction ([`writing::Writing`], which adds what
//!   it changed in the visit states to the census's sum as it commits): a failure (disk full,
//!   read-only medium) leaves the store as it was;
//! - after erasing, the WAL is checkpointed and truncated; when another connection's reader
//!   holds it (the desk window beside a command) the action says old copies remain, and the
//!   truncation is tried again at every open and close until it succeeds.

mod access_export;
mod amendments;
mod audit;
mod backup;
mod backup_folder;
mod backup_schedule;
mod breaches;
mod bulk_write;
mod erasure;
mod error;
mod forms;
mod inbound;
mod kiosk_clock;
#[cfg(test)]
pub(crate) mod memory_staff;
mod merge;
mod migrations;
#[cfg(test)]
mod older_copies;
mod open_store;
mod outbound;
mod own_clock;
mod patient_records;
mod patients;
mod references;
mod register;
mod requests;
pub(crate) mod returning;
mod rights;
mod rotate;
mod row_auth;
mod settings;
mod sign_in_port;
mod staff;
mod staff_admin;
mod staff_admin_port;
mod submissions;
mod sync_identity;
mod transfer;
mod writing;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use access_export::PatientData;
pub use amendments::{Amendment, Previous};
pub use audit::{AuditEntry, AuditKind, ChainCheck};
pub use backup::{
    BackupDone, Restored, backup_file_name, is_backup_file_name, numbered_backup_file_name, restore,
};
pub use backup_folder::{FolderProblem, check_backup_folder, create_backup_folder, prune_backups};
pub use backup_schedule::{
    BackupError, BackupHistory, BackupOutcome, BackupPlan, KeptBackup, RETRY_AFTER, backup_due,
    latest_slot,
};
pub use breaches::{Breach, NewBreach};
pub use erasure::{HandedOnForm, RetentionReport};
pub use error::StoreError;
pub use inbound::{ImportedBundle, KioskLink, LinkState, OfferedKey};
pub use kiosk_clock::KIOSK_CLOCK_SKEW;
pub use merge::MergeReport;
pub use open_store::{OpenStore, SetupRequest, SetupResult, UnlockFailure};
pub use outbound::{DeskLink, Purged, StoredOffer, SyncStatus, Withdrawal};
pub use own_clock::{RETENTION_TRUSTS_FOR, earliest_plausible, runs_ahead, runs_behind};
pub use register::{PatientRecord, SubmissionEntry};
pub use requests::{NewRightsRequest, RightsRequest};
pub use returning::{ConfirmedPatient, UPDATED_AT_KIOSK};
pub use rights::ListedPatient;
pub use rotate::{Rotation, RotationSigner, rotation_signers};
pub use sign_in_port::SignInRecords;
pub use staff::{Actor, SignInError, StaffMember};
pub use staff_admin::{Cleared, StaffAdminError, StaffListing};
pub use staff_admin_port::{StaffAdmin, StaffKeysView, set_own_passphrase, typed_passphrases};
pub use submissions::{MedicalRecord, NewSubmission, PatientRef, SubmissionSummary};
pub use sync_identity::{SyncIdentity, SyncRole};
pub use transfer::{
    Added, AuditHead, BundleIn, EXPORT_VERSION, ExportedForm, ExportedSubmission, ImportReport,
    OpenedValueError, Outgoing, OutgoingRest, PackedRun, PackedValues, PriorCheckpoint, SealedRun,
    SecurityEvent,
};

use crate::vault::{Aad, KeyWrap, Vault};

/// Stores (or replaces) one wrap of the data key, tagged.
pub(crate) fn put_key_wrap(
    conn: &Connection, vault: &Vault, wrap: &KeyWrap,
) -> Result<(), StoreError> {
    row_auth::put(
        conn,
        vault,
        "key_wraps",
        &[
            ("label", rusqlite::types::Value::Text(wrap.label.clone())),
            (
                "wrap_json",
                rusqlite::types::Value::Text(serde_json::to_string(wrap)?),
            ),
        ],
    )
}

/// The first column of every row a query returns (ids, names), in the query's order.
pub(crate) fn first_column<T: rusqlite::types::FromSql>(
    conn: &Connection, sql: &str, params: impl rusqlite::Params,
) -> Result<Vec<T>, StoreError> {
    Ok(conn
        .prepare_cached(sql)?
        .query_map(params, |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Opens a sealed value; a value that fails to open (edited, moved, or sealed under another key)
/// is [`StoreError::Tampered`] naming its table and row.
pub(crate) fn unseal(
    vault: &Vault, aad: Aad<'_>, sealed: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, StoreError> {
    vault
        .open(aad, sealed)
        .map_err(|_| StoreError::tampered(aad.table, aad.row_id))
}

/// `value` as JSON, sealed for the place `aad` names; the JSON is only ever in wiped memory.
pub(crate) fn seal_json<T: serde::Serialize + ?Sized>(
    vault: &Vault, aad: Aad<'_>, value: &T,
) -> Result<Vec<u8>, StoreError> {
    Ok(vault.seal(aad, crate::vault::json_wiped(value)?.as_bytes())?)
}

/// `PRAGMA application_id` of an intake-kiosk database: "IKS1".
const APPLICATION_ID: i64 = 0x494B_5331;
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How long a statement waits for another connection's lock: rusqlite's default, kept.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// A checkpoint after erasing tries this often, waiting this long for readers each time and
/// pausing between tries: under a second in all, then the action reports what is left.
const CHECKPOINT_TRIES: u32 = 4;
const CHECKPOINT_WAIT: Duration = Duration::from_millis(100);
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(100);

/// Said when a checkpoint after erasing could not empty the WAL.
pub const OLD_COPIES_REMAIN: &str =
    "erased; old copies remain in the WAL until the other window closes";

/// What the checkpoint after erasing achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalCheckpoint {
    /// Everything was folded into the database and the WAL emptied: no old copy is left in it.
    Truncated,
    /// Another connection is reading (the desk window beside a command, say), so old copies
    /// stay in the WAL until it closes; the next open or close of a store finishes the job.
    OldCopiesRemain,
}

/// The database with the vault closed.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Set once the file is known to be ours and sound: only then may closing touch it.
    opened: bool,
}

impl Store {
    /// Opens (or creates) the database at `path`. Never modifies a file that is not ours. A new
    /// database is laid out for a kiosk; [`Store::open_for`] makes a desk's.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_for(path, SyncRole::Kiosk)
    }

    /// As [`Store::open`]; a database it creates gets the page size of `side`
    /// ([`SyncRole::page_size`]). An existing database keeps the size it was made with.
    pub fn open_for(path: &Path, side: SyncRole) -> Result<Store, StoreError> {
        let exists = path.exists() && std::fs::metadata(path)?.len() > 0;
        if exists {
            check_header(path)?;
        } else {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                create_private_dir(dir)?;
            }
            create_private_file(path)?;
        }
        let flags = if exists {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = Connection::open_with_flags(path, flags)?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
            opened: false,
        };
        store.check_ownership()?;
        store.check_integrity()?;
        if !exists {
            // Only a database without pages takes it (WAL mode fixes it once the first is
            // written): an existing one keeps the size it was made with.
            store
                .conn
                .execute_batch(&format!("PRAGMA page_size = {}", side.page_size()))?;
        }
        store.set_pragmas()?;
        store.migrate()?;
        store.opened = true;
        // A truncation an earlier erasure owes (another connection was reading then). Not
        // being able to do it now is not an error: the next open or close tries again.
        let _ = store.truncate_wal(1);
        Ok(store)
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn check_ownership(&self) -> Result<(), StoreError> {
        let read = |pragma: &str| -> Result<i64, StoreError> {
            self.conn
                .query_row(pragma, [], |r| r.get(0))
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Sqlite(_) => StoreError::NotADatabase {
                        path: self.path.clone(),
                    },
                    other => other,
                })
        };
        let app_id = read("PRAGMA application_id")?;
        let tables = read("SELECT count(*) FROM sqlite_schema")?;
        if app_id == APPLICATION_ID || (app_id == 0 && tables == 0) {
            Ok(())
        } else {
            Err(StoreError::Foreign {
                path: self.path.clone(),
            })
        }
    }

    fn check_integrity(&self) -> Result<(), StoreError> {
        let lines: Vec<String> = first_column(&self.conn, "PRAGMA quick_check", [])?;
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                detail: lines.into_iter().take(3).collect::<Vec<_>>().join("; "),
            })
        }
    }

    /// Sizes the everyday page cache for the side this store serves
    /// ([`SyncRole::page_cache_kib`]); a store opens with the desk's. Memory above the new
    /// size is given back.
    pub fn set_page_cache_for(&self, side: SyncRole) -> Result<(), StoreError> {
        self.conn.execute_batch(&format!(
            "PRAGMA cache_size = -{}; PRAGMA shrink_memory;",
            side.page_cache_kib()
        ))?;
        Ok(())
    }

    /// The page cache's most, in KiB (`PRAGMA cache_size` as set here, negative: KiB).
    #[cfg(test)]
    pub(crate) fn page_cache_kib(&self) -> i64 {
        let size: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .expect("cache_size");
        -size
    }

    fn set_pragmas(&self) -> Result<(), StoreError> {
        // A bundle import or an export uses a few dozen statements in turn: all stay prepared.
        self.conn.set_prepared_statement_cache_capacity(64);
        // Plans chosen without looking at bound values: otherwise a cached statement with an
        // ORDER BY or MAX (an import's erasure-hold match, the desk's searches) is compiled anew
        // at every use, as clearing its bindings on return to the cache expires it.
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        self.conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA synchronous = FULL;",
        )?;
        // The desk's page cache until told otherwise; a bundle import takes more for its
        // transaction (`LargeCache`).
        self.set_page_cache_for(SyncRole::Desk)?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::ReadOnly);
        }
        Ok(())
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let known = i64::try_from(migrations::MIGRATIONS.len()).expect("a handful of migrations");
        let current: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > known {
            return Err(StoreError::NewerSchema {
                found: current,
                known,
            });
        }
        if current == known {
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction()?;
        for (index, sql) in migrations::MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(current).unwrap_or(0))
        {
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(index + 1).expect("few migrations"),
            )?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs the migrations again; a no-op on a current database.
    pub fn migrate_again(&self) -> Result<(), StoreError> {
        self.migrate()
    }

    /// Has first-run setup been completed?
    pub fn is_set_up(&self) -> Result<bool, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM installation", [], |r| r.get(0))?;
        Ok(n == 1)
    }

    /// The clinic's name (not patient data), once set up.
    pub fn clinic_name(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT clinic_name FROM installation WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// All wraps of the data key (per manager passphrase, and the recovery key).
    pub fn key_wraps(&self) -> Result<Vec<KeyWrap>, StoreError> {
        let rows: Vec<String> = first_column(
            &self.conn,
            "SELECT wrap_json FROM key_wraps ORDER BY label",
            [],
        )?;
        rows.iter()
            .map(|json| Ok(serde_json::from_str(json)?))
            .collect()
    }

    /// Counts a failed passphrase or recovery attempt; reported in the audit log at the next
    /// successful open (the audit key is not available while the vault is closed).
    pub fn note_failed_unlock(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE installation SET failed_unlocks = failed_unlocks + 1 WHERE id = 1",
            [],
        )?;
        Ok(())
    }

    /// Caps the database at `pages` pages (4 KiB each), for devices with little storage. Writes
    /// past the cap fail with [`StoreError::DiskFull`], exactly as a full disk does.
    pub fn set_page_limit(&self, pages: u32) -> Result<(), StoreError> {
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Folds the WAL back into the database file and truncates it, so deleted rows (already
    /// zeroed by secure_delete) leave no copy in the WAL. Another connection's open read
    /// transaction blocks this: tried a few times, then [`WalCheckpoint::OldCopiesRemain`].
    pub fn checkpoint(&self) -> Result<WalCheckpoint, StoreError> {
        self.truncate_wal(CHECKPOINT_TRIES)
    }

    /// Copies what the WAL holds into the database file now, at a moment nobody waits on (the
    /// kiosk calls it when staff take the tablet back). Otherwise SQLite does it inside whichever
    /// commit brings the WAL to 1,000 pages — one submit in seventy or so, and the slowest ones
    /// (a kiosk's submit p99, growing with the database). `PASSIVE`: never waits for another
    /// connection's reader; what a reader still needs is copied next time. The next write
    /// starts the WAL again from its beginning. Nothing is lost when it fails: the WAL keeps
    /// every committed page until it is copied.
    pub fn fold_wal(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)` up to `tries` times, judged by its result (busy, WAL
    /// frames, frames checkpointed): SQLite reports a reader in the way as `busy`, not as an
    /// error.
    fn truncate_wal(&self, tries: u32) -> Result<WalCheckpoint, StoreError> {
        self.conn.busy_timeout(CHECKPOINT_WAIT)?;
        let mut outcome = Ok(WalCheckpoint::OldCopiesRemain);
        for attempt in 0..tries {
            if attempt > 0 {
                std::thread::sleep(CHECKPOINT_PAUSE);
            }
            let result = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                });
            match result {
                Ok((0, frames, checkpointed)) if frames == checkpointed => {
                    outcome = Ok(WalCheckpoint::Truncated);
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            }
        }
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        outcome
    }

    /// `PRAGMA integrity_check` (the full one); "ok" when sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

impl Drop for Store {
    /// A truncation still owed is tried once more on the way out (errors have nowhere to go).
    fn drop(&mut self) {
        if self.opened {
            let _ = self.truncate_wal(1);
        }
    }
}

fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    let read = file.read(&mut header)?;
    if read < 16 || &header != SQLITE_HEADER {
        return Err(StoreError::NotADatabase {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Creates a new, empty database file readable by this user only (SQLite gives its WAL and
/// shared-memory files the same mode). An empty file already there is left as it is.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Creates the folders of `dir` that are missing, readable by this user only. A folder that
/// exists keeps its permissions: a path given by mistake (`/tmp`, a shared folder) must not be
/// closed to everyone else; the files written there are this user's only anyway.
fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    Ok(())
}

#[cfg(test)]
mod tests;
