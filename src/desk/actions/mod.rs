//! The desk's use cases, written once for the desk window and the `desk` command line: each is a
//! plain function over the [`DeskRecords`] port that takes parsed values and returns a typed
//! result. Wording is the caller's business (the window translates, the command line prints);
//! every rule — what is checked, what is written, which form a record used — is here or below.
//!
//! The store underneath keeps its own rules (roles, audit entries, row authentication); an action
//! adds what spans several store calls (read, change, write back) and the files it writes.

mod backups;
mod breaches;
mod clock;
mod consent;
mod erasure;
mod exports;
mod kiosks;
mod lookup;
mod rectify;
mod requests;
mod settings;
mod staff;

use chrono::{DateTime, Utc};
use thiserror::Error;

pub use backups::{DESK_BACKUP_ROLE, backup_now, set_backup_schedule};
pub use breaches::{BreachRecorded, NewBreachAt, breach_reported, record_breach};
pub use clock::{clock_behind, confirm_clock};
pub use consent::{set_restricted, withdraw};
pub use erasure::{
    ErasureDone, StatementTo, erase, remove_access_copies, remove_retained_copies, retention,
};
pub use exports::{ListTo, MarketingList, access_export, marketing_list};
pub use kiosks::{
    ImportDone, ImportFolders, confirm_kiosk, exchange_folder, import_bundles, import_folders,
    outbox_folder, pair_kiosk, revoke_kiosk, set_import_folders,
};
pub use lookup::{open_record, search};
pub use rectify::{DetailChanges, amend_answer, amend_details, merge};
pub use requests::{RequestLogged, close_request, extend_request, log_request};
pub use settings::{ClinicSetting, clinic_settings, listed_here, set_setting};
pub use staff::{
    NewStaff, add_staff, change_passphrase, new_recovery_key, reset_pin, retire, rotate_key,
    staff_keys,
};

use super::DeskRecords;
use crate::exchange::ExchangeError;
use crate::forms::FormNotStored;
use crate::store::{BackupError, SignInError, StaffAdminError, StoreError};

/// Why a desk action did nothing.
#[derive(Debug, Error)]
pub enum ActionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Exchange(ExchangeError),
    #[error(transparent)]
    FormNotStored(#[from] FormNotStored),
    /// A staff or key action the store refused (nothing was changed).
    #[error(transparent)]
    StaffAdmin(StaffAdminError),
    /// The form has no medical question with this id (identity questions are amended as
    /// details, not answers).
    #[error("the form has no medical question {0:?}")]
    NoSuchQuestion(String),
    /// A typed value that does not fit its question.
    #[error("{0}")]
    BadValue(String),
    /// A time of day that is not HH:MM (24-hour clock): nothing was set.
    #[error("{0:?} is not a time as HH:MM (24-hour clock)")]
    NotAClockTime(String),
    /// A backup that was not written, or did not check out, or whose older ones stayed.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// A folder that is not a full path (it must start with `/`): nothing was set.
    #[error("{0:?} is not a full path to a folder (it must start with /)")]
    NotAFullPath(String),
    /// Something the action needs was left empty.
    #[error("{0} is needed")]
    Missing(Needed),
    /// The same request (patient, kind and who asked) is open already: a second tap or a second
    /// run logs nothing.
    #[error("this request is logged already and open (due {due_on}): nothing was logged again")]
    AlreadyLogged { due_on: chrono::NaiveDate },
    /// The same breach (words and risk), not yet reported, was recorded already a short while
    /// ago (`breaches::SAME_BREACH_WITHIN`): nothing was recorded again.
    #[error(
        "this breach is recorded already (discovered {}) and not yet reported: nothing was recorded again (describe a second one in other words)",
        .discovered_at.format("%Y-%m-%d %H:%M UTC")
    )]
    AlreadyRecorded { discovered_at: DateTime<Utc> },
    /// The clock reads earlier than what the desk has already recorded (`recorded`): a record
    /// dated by it would count as made before records made after it ([`clock`]). Nothing was
    /// written.
    #[error(
        "the clock reads {}, before {}, which this desk has already recorded: set the date and time (a manager may confirm a clock that is right: desk confirm-clock)",
        .reads.format("%Y-%m-%d %H:%M UTC"),
        .recorded.format("%Y-%m-%d %H:%M UTC")
    )]
    ClockBehind {
        reads: DateTime<Utc>,
        recorded: DateTime<Utc>,
    },
    /// A register search refused before anything was read (a part missing, a date that is not
    /// one).
    #[error(transparent)]
    Search(#[from] super::SearchProblem),
}

/// What an action needs and was not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum Needed {
    #[error("the duplicate record to merge")]
    Duplicate,
    #[error("the regulator's reference for the report")]
    RegulatorReference,
    #[error("the code the kiosk's screen shows")]
    KioskCode,
    #[error("the staff member's name")]
    StaffName,
    #[error("the exchange folder (setting exchange_folder)")]
    ExchangeFolder,
    #[error("the outbox folder (setting outbox_folder)")]
    OutboxFolder,
    #[error("the kiosk's pairing code or a picture of its QR code")]
    PairingCode,
    #[error("the kiosk's id")]
    KioskId,
    #[error("the backup folder (setting backup.folder)")]
    BackupFolder,
}

impl From<ExchangeError> for ActionError {
    /// A store error inside an exchange error is a store error (so roles and not-found read the
    /// same whichever way the action failed).
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::Store(s) => ActionError::Store(s),
            other => ActionError::Exchange(other),
        }
    }
}

impl From<StaffAdminError> for ActionError {
    /// A store error inside is a store error, as for exchange errors.
    fn from(e: StaffAdminError) -> Self {
        match e {
            StaffAdminError::Store(s) => ActionError::Store(s),
            other => ActionError::StaffAdmin(other),
        }
    }
}

impl From<SignInError> for ActionError {
    /// Adding staff refuses a PIN as a sign-in error does; it reads as the other PIN refusals.
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::PinRule(rule) => StaffAdminError::Pin(rule).into(),
            SignInError::Store(s) => ActionError::Store(s),
            other => StaffAdminError::SignIn(other).into(),
        }
    }
}

/// A desk action's result.
pub type ActionResult<T> = Result<T, ActionError>;

/// The records, as every action takes them.
pub type Records<'a> = &'a dyn DeskRecords;

/// The records, for the actions that change staff and keys (the store's `&mut self` calls).
pub type RecordsMut<'a> = &'a mut dyn DeskRecords;
