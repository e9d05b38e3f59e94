//! Errors of the store, one variant per thing a caller can act on.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not an intake-kiosk database (not SQLite); it was left untouched")]
    NotADatabase { path: PathBuf },
    #[error("{path} is a database of another program; it was left untouched")]
    Foreign { path: PathBuf },
    #[error(
        "the database failed its integrity check ({detail}); it was left untouched — restore a backup"
    )]
    Corrupt { detail: String },
    #[error(
        "the database was written by a newer version (schema {found}, this build knows {known})"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("the disk is full: nothing was saved, and what was saved before is intact")]
    DiskFull,
    #[error("the storage is read-only: nothing was saved")]
    ReadOnly,
    #[error("the database is busy in another program")]
    Busy,
    #[error("this kiosk has not been set up yet")]
    NotSetUp,
    #[error("this kiosk is already set up")]
    AlreadySetUp,
    #[error("your role may not do this")]
    Forbidden,
    #[error("no such record")]
    NotFound,
    /// A row failed its MAC, a sealed value failed to open, or a chain does not close: the file
    /// was edited without the data key. The action stops; nothing is changed.
    #[error(
        "the database was altered outside intake-kiosk: {table} (row {row}) failed its check. Nothing was done; restore a backup and tell your data protection lead"
    )]
    Tampered { table: String, row: String },
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("storage error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("stored value could not be read: {0}")]
    Encoding(String),
    #[error("this installation has no sync keys yet")]
    NoSyncIdentity,
    #[error("bundle {seq} from kiosk {kiosk_id} was already imported: nothing was changed")]
    AlreadyImported { kiosk_id: String, seq: u64 },
    #[error(
        "kiosk {kiosk_id}'s audit chain went backwards ({had} entries before, {now} now): the kiosk's log was cut; nothing was imported. If the tablet was restored from a backup, that is why: give it a new kiosk id (back-office panel: Unpair, then Pair as a new kiosk; or `intake-kiosk kiosk new-id`) and pair it again"
    )]
    AuditRolledBack {
        kiosk_id: String,
        had: u64,
        now: u64,
    },
    #[error(
        "kiosk {kiosk_id} sent an audit log that differs, at {length} entries, from the one already received from it: two copies of the kiosk exist (a tablet restored from a backup, its file put back from an older copy, or a clone). Nothing was imported; the kiosk is flagged. A tablet restored from a backup gets a new kiosk id (its back-office panel: Unpair, then Pair as a new kiosk; or `intake-kiosk kiosk new-id`) and is paired again"
    )]
    AuditForked { kiosk_id: String, length: u64 },
    /// A request the store refuses as given (a blank reason, a date out of range…).
    #[error("{0}")]
    Invalid(String),
    /// A folder set that cannot take what goes into it now: a backup folder missing, a link,
    /// not a folder or not writable; any folder on a disk that is not mounted. Nothing was set.
    #[error(transparent)]
    Folder(#[from] super::FolderProblem),
    /// A patient's details that cannot be kept (a correction without a name, a date of birth
    /// that is not a date, an email address that is not one). Nothing was written.
    #[error("the patient's details were not changed: {0}")]
    Details(#[from] crate::forms::IdentityError),
    /// A setting refused: an unknown key, a value its kind does not take, opening hours that do
    /// not make a day, or one the app writes itself. Nothing was written.
    #[error(transparent)]
    Setting(#[from] crate::settings::SettingError),
    #[error("processing of this patient's data is restricted: it may only be stored")]
    Restricted,
    /// An erasure asked again of a record already held for erasure: nothing more can be erased
    /// before its retention end, and the statement given then stands.
    #[error(
        "erasure of this record was already requested on {on}: what could be erased was erased then, and the rest is held until {until}; the statement given then stands"
    )]
    ErasureAlreadyRequested { on: String, until: NaiveDate },
    /// A retention run refused: the clock reads `reads`, longer after the last retention run or
    /// confirmation of the clock (`last`) than a clinic's desk goes unused
    /// ([`super::own_clock::RETENTION_TRUSTS_FOR`]); a clock that jumped ahead would erase
    /// records years early, for good.
    #[error(
        "the clock reads {reads}, more than 92 days after the last retention check ({last}), so no record was erased: a clock that jumped ahead would erase records years early. If the date is right (the desk was not used for that long), a manager confirms the clock (The clock is right, or `intake-kiosk desk confirm-clock`); otherwise set the date and time"
    )]
    ClockAhead { reads: String, last: String },
    #[error("could not reach the data folder: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "kiosk {kiosk_id} is already paired with this desk ({state}): pairing it again replaces its key, and that takes a manager's explicit decision to replace it"
    )]
    KioskAlreadyPaired {
        kiosk_id: String,
        /// "confirmed" or "waiting for confirmation".
        state: &'static str,
    },
    #[error(
        "kiosk {kiosk_id} was revoked and stays revoked: its id is never paired again, not even by replacing its key. The tablet pairs as a new kiosk under a new kiosk id: on its back-office panel Unpair, then Pair as a new kiosk (or `intake-kiosk kiosk new-id`); its forms this desk has not received then come again, each taken once"
    )]
    KioskRevoked { kiosk_id: String },
    #[error(
        "kiosk {kiosk_id}'s pairing is waiting for a manager to confirm, at the desk, the code the kiosk shows: nothing from it is imported until then"
    )]
    KioskNotConfirmed { kiosk_id: String },
    #[error(
        "the code typed is not kiosk {kiosk_id}'s code: it stays unconfirmed. Type the six digits the kiosk shows; if they are what you typed, the kiosk and this desk do not hold the same keys — do not confirm, start pairing again on the kiosk"
    )]
    ComparisonCodeMismatch { kiosk_id: String },
    #[error("kiosk {kiosk_id}: {detail}; nothing of this bundle was imported")]
    KioskClock { kiosk_id: String, detail: String },
}

impl StoreError {
    /// A tampered row of `table`.
    pub fn tampered(table: &str, row: impl std::fmt::Display) -> StoreError {
        StoreError::Tampered {
            table: table.to_owned(),
            row: row.to_string(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen) if is_readonly(&e) => {
                StoreError::ReadOnly
            }
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                detail: "database disk image is malformed".into(),
            },
            _ => StoreError::Sqlite(e),
        }
    }
}

fn is_readonly(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        // serde_json messages quote no input values for the types we store, only positions.
        StoreError::Encoding(format!("line {} column {}", e.line(), e.column()))
    }
}
