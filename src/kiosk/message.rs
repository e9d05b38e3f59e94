//! Messages for people, as kinds. The UI turns each kind into translated words (ui/messages);
//! no raw error text ever reaches the screen, except a form definition file's own problems, which
//! are for the file's author and quoted as the definition checks word them.

use chrono::{DateTime, Utc};

use crate::staff::Lockout;
use crate::store::{SignInError, StoreError};
use crate::vault::VaultError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    WrongPassphrase,
    WrongRecoveryKey,
    PassphraseTooShort,
    PassphraseMismatch,
    NamesMissing,
    PinNotAllowed,
    /// At setup: this person's PIN (their name as typed) breaks the PIN rule.
    PinNotAllowedFor(String),
    WrongPin {
        tries_before_pause: u32,
    },
    Wait {
        seconds: i64,
    },
    AccountLocked,
    DiskFull,
    ReadOnly,
    StorageProblem,
    /// The database was edited outside the app: the table that failed its check.
    Tampered(String),
    PatientFound,
    PatientNotFound,
    LookupIncomplete,
    StaffAdded,
    StaffUnlocked,
    NotAllowed,
    FormLoaded,
    /// The definition checks' own words (for the form's author), first problem only.
    FormFileRejected {
        count: usize,
        first: String,
    },
    FormFileUnreadable(String),
    StoredFormDamaged,
    PairingShown,
    CompareCodes,
    Paired,
    PairingRejected,
    PairingExpired,
    PairingAnswerInvalid,
    PairingCodeUsed,
    NoPairingAnswer,
    NotPaired,
    Exported(usize),
    NothingToExport,
    ReceiptsRead(usize),
    /// Receipts read, but another program had the database open: old copies of the purged
    /// forms stay in its write-ahead log until it closes.
    ReceiptsReadOldCopiesRemain(usize),
    ReceiptFromOtherDesk,
    SyncFileInvalid,
    ExchangeUnreachable,
    NoExchangeFolder,
    /// A returning patient's form was saved as a new patient's: their date of birth was not
    /// confirmed on the tablet, so the looked-up record was left as it was.
    SavedAsNewPatient,
    /// Staff and keys: a passphrase too common or the same as before.
    PassphraseNotAllowed,
    PassphraseChanged,
    StaffRetired,
    PinReset,
    PinChanged,
    RecoveryKeyReplaced,
    KeyRotated,
    LastManager,
    /// A rotation needs this manager's passphrase too.
    ManagerPassphraseNeeded(String),
    /// Done, but another program holds the journal: old copies stay in it until it closes.
    OldCopiesRemain,
}

impl Message {
    /// The kind name the UI looks up, and its one argument.
    pub fn kind_and_arg(&self) -> (&'static str, String) {
        match self {
            Message::WrongPassphrase => ("wrong-passphrase", String::new()),
            Message::WrongRecoveryKey => ("wrong-recovery", String::new()),
            Message::PassphraseTooShort => ("passphrase-short", String::new()),
            Message::PassphraseMismatch => ("passphrase-mismatch", String::new()),
            Message::NamesMissing => ("names-missing", String::new()),
            Message::PinNotAllowed => ("pin-rule", String::new()),
            Message::PinNotAllowedFor(name) => ("pin-rule-for", name.clone()),
            Message::WrongPin { tries_before_pause } => {
                ("wrong-pin", tries_before_pause.to_string())
            }
            Message::Wait { seconds } => ("wait", seconds.to_string()),
            Message::AccountLocked => ("locked", String::new()),
            Message::DiskFull => ("disk-full", String::new()),
            Message::ReadOnly => ("read-only", String::new()),
            Message::StorageProblem => ("storage", String::new()),
            Message::Tampered(table) => ("tampered", table.clone()),
            Message::PatientFound => ("patient-found", String::new()),
            Message::PatientNotFound => ("patient-not-found", String::new()),
            Message::LookupIncomplete => ("lookup-incomplete", String::new()),
            Message::StaffAdded => ("staff-added", String::new()),
            Message::StaffUnlocked => ("staff-unlocked", String::new()),
            Message::NotAllowed => ("not-allowed", String::new()),
            Message::FormLoaded => ("form-loaded", String::new()),
            Message::FormFileRejected { count, first } if *count > 1 => {
                ("form-rejected", format!("{first} (+{})", count - 1))
            }
            Message::FormFileRejected { first, .. } => ("form-rejected", first.clone()),
            Message::FormFileUnreadable(reason) => ("form-unreadable", reason.clone()),
            Message::StoredFormDamaged => ("stored-form-damaged", String::new()),
            Message::PairingShown => ("pairing-shown", String::new()),
            Message::CompareCodes => ("compare-codes", String::new()),
            Message::Paired => ("paired", String::new()),
            Message::PairingRejected => ("pairing-rejected", String::new()),
            Message::PairingExpired => ("pairing-expired", String::new()),
            Message::PairingAnswerInvalid => ("pairing-answer-invalid", String::new()),
            Message::PairingCodeUsed => ("pairing-code-used", String::new()),
            Message::NoPairingAnswer => ("no-pairing-answer", String::new()),
            Message::NotPaired => ("not-paired", String::new()),
            Message::Exported(n) => ("exported", n.to_string()),
            Message::NothingToExport => ("nothing-to-export", String::new()),
            Message::ReceiptsRead(n) => ("receipts-read", n.to_string()),
            Message::ReceiptsReadOldCopiesRemain(n) => {
                ("receipts-read-copies-remain", n.to_string())
            }
            Message::ReceiptFromOtherDesk => ("receipt-other-desk", String::new()),
            Message::SyncFileInvalid => ("sync-file-invalid", String::new()),
            Message::ExchangeUnreachable => ("exchange-unreachable", String::new()),
            Message::NoExchangeFolder => ("no-exchange-folder", String::new()),
            Message::SavedAsNewPatient => ("saved-as-new-patient", String::new()),
            Message::PassphraseNotAllowed => ("passphrase-not-allowed", String::new()),
            Message::PassphraseChanged => ("passphrase-changed", String::new()),
            Message::StaffRetired => ("staff-retired", String::new()),
            Message::PinReset => ("pin-reset", String::new()),
            Message::PinChanged => ("pin-changed", String::new()),
            Message::RecoveryKeyReplaced => ("recovery-key-replaced", String::new()),
            Message::KeyRotated => ("key-rotated", String::new()),
            Message::LastManager => ("last-manager", String::new()),
            Message::ManagerPassphraseNeeded(name) => ("manager-passphrase-needed", name.clone()),
            Message::OldCopiesRemain => ("old-copies-remain", String::new()),
        }
    }

    pub fn from_store(e: &StoreError) -> Message {
        match e {
            StoreError::DiskFull => Message::DiskFull,
            StoreError::ReadOnly => Message::ReadOnly,
            StoreError::Forbidden => Message::NotAllowed,
            StoreError::Vault(VaultError::PassphraseTooShort { .. }) => Message::PassphraseTooShort,
            StoreError::Vault(VaultError::WrongPassphrase) => Message::WrongPassphrase,
            StoreError::Tampered { table, .. } => Message::Tampered(table.clone()),
            _ => Message::StorageProblem,
        }
    }

    /// `now` is the controller's clock, against which a lockout's end is measured.
    pub fn from_sign_in(e: &SignInError, now: DateTime<Utc>) -> Message {
        match e {
            SignInError::WrongPin { failures, lockout } => match lockout {
                Lockout::Locked => Message::AccountLocked,
                Lockout::WaitUntil(until) => Message::Wait {
                    seconds: (*until - now).num_seconds().max(1),
                },
                Lockout::Open => Message::WrongPin {
                    tries_before_pause: 3u32.saturating_sub(*failures),
                },
            },
            SignInError::Wait { until } => Message::Wait {
                seconds: (*until - now).num_seconds().max(1),
            },
            SignInError::Locked => Message::AccountLocked,
            SignInError::PinRule(_) => Message::PinNotAllowed,
            SignInError::UnknownStaff | SignInError::Retired => Message::NotAllowed,
            SignInError::Store(s) => Message::from_store(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_database_is_named_to_staff_not_hidden_as_a_storage_problem() {
        let message = Message::from_store(&StoreError::tampered("staff", "abc"));
        assert_eq!(
            message.kind_and_arg(),
            ("tampered", "staff".to_owned()),
            "the table is shown, the row id is not"
        );
    }
}
