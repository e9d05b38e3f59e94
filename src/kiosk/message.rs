//! Messages for people, as kinds, each turned into translated words here ([`Message::text`],
//! from the same catalogues and the same lookup as the desk's text: [`crate::i18n`]); the UI
//! only shows the words. No raw error text ever reaches the screen, except a form definition
//! file's own problems, which are for the file's author and quoted as the definition checks word
//! them.

use chrono::{DateTime, Utc};

use crate::forms::FormProblem;
use crate::i18n::msgid;

use crate::staff::{Lockout, PassphraseRejection};
use crate::store::{FolderProblem, SignInError, StoreError};
use crate::vault::VaultError;

fn t(lang: &str, msgid: &str, args: &[&str]) -> String {
    crate::i18n::t_in(crate::i18n::KIOSK, lang, msgid, args)
}

/// The words for `n` things: `one`'s plural form for `n` in `lang` (English: `one` for 1, `many`
/// otherwise), with `n` put in.
fn tn(lang: &str, one: &str, many: &str, n: usize) -> String {
    let count = u64::try_from(n).unwrap_or(u64::MAX);
    crate::i18n::tn_in(
        crate::i18n::KIOSK,
        lang,
        one,
        many,
        count,
        &[&n.to_string()],
    )
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    WrongPassphrase,
    /// Open with nothing typed: no attempt made (none counted).
    PassphraseEmpty,
    /// OK on the PIN pad with no digits: no attempt made (none counted).
    PinEmpty,
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
    /// A manager withdrew the pairing code on screen.
    PairingCancelled,
    /// No pairing code is open in the store (answered, withdrawn or replaced elsewhere).
    NoPairingOpen,
    /// Cancel came too late: the code's answer was read, its pairing waits for the codes.
    PairingAlreadyAnswered,
    /// This tablet has a new kiosk id (the id): pair it again, as a new kiosk.
    NewKioskId(String),
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
    /// Some receipt files in the folder were refused (each changed nothing); the others were read.
    ReceiptsSomeRefused(usize),
    ReceiptFromOtherDesk,
    SyncFileInvalid,
    ExchangeUnreachable,
    NoExchangeFolder,
    /// The folder typed is not a full path (the setting's rule, `settings::validate`).
    ExchangeFolderNotAbsolute,
    /// A manager set the exchange folder (the folder, as saved).
    ExchangeFolderSaved(String),
    /// Neither the folder typed nor the one it would be made in exists
    /// (`FolderProblem::NothingToMakeItIn`).
    ExchangeFolderNowhere,
    /// An idle limit typed outside its setting's range (the range, e.g. "60–900").
    IdleLimitOutOfRange(String),
    /// A manager set the handover's idle limit (seconds) or staff home's.
    HandoverIdleSaved(u32),
    StaffIdleSaved(u32),
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
    /// Under a question of the patient's form ([`Message::for_answer`]): unanswered, a number
    /// out of range, not a number, not a date, too long.
    AnswerRequired,
    AnswerOutOfRange,
    AnswerNotANumber,
    AnswerNotADate,
    AnswerNotAnEmail,
    AnswerTooLong,
    /// Under the patient's form page: some answers need attention before submitting.
    FormProblems,
    TreatmentConsentNeeded,
    SignatureMissing,
    /// The signature was wiped: the answers, choices or language changed after it was drawn.
    SignAgain,
    /// No handover started: the clock reads `reads`, behind `passed`, a time the kiosk has
    /// already recorded (or its release), both as shown to staff ([`crate::store::runs_behind`]).
    ClockBehind {
        reads: String,
        passed: String,
    },
    /// A manager confirmed that the clock is right.
    ClockConfirmed,
}

impl Message {
    /// The words for people in `lang` (catalogued under the context `kiosk`, collected by
    /// locales/extract.py; English where a catalogue has no translation), with the one value a
    /// message carries put in.
    pub fn text(&self, lang: &str) -> String {
        if let Message::ClockBehind { reads, passed } = self {
            return t(lang, self.template(), &[reads, passed]);
        }
        if let Some(words) = self.counted(lang) {
            return words;
        }
        match self.value() {
            Some(value) => t(lang, self.template(), &[&value]),
            None => t(lang, self.template(), &[]),
        }
    }

    /// The value that fills the template's `{}`, for the kinds that carry one.
    fn value(&self) -> Option<String> {
        Some(match self {
            Message::PinNotAllowedFor(text)
            | Message::Tampered(text)
            | Message::FormFileUnreadable(text)
            | Message::ManagerPassphraseNeeded(text)
            | Message::NewKioskId(text)
            | Message::ExchangeFolderSaved(text)
            | Message::IdleLimitOutOfRange(text) => text.clone(),
            Message::HandoverIdleSaved(seconds) | Message::StaffIdleSaved(seconds) => {
                seconds.to_string()
            }
            Message::WrongPin { tries_before_pause } => tries_before_pause.to_string(),
            Message::Wait { seconds } => seconds.to_string(),
            Message::FormFileRejected { count, first } => match count {
                0 | 1 => first.clone(),
                more => format!("{first} (+{})", more - 1),
            },
            _ => return None,
        })
    }

    /// The kinds that count something: their words in the plural form for the count (each pair
    /// written out in its call, as extract.py collects only literals).
    fn counted(&self, lang: &str) -> Option<String> {
        Some(match *self {
            Message::Exported(n) => tn(
                lang,
                "{} form was sealed for the back office and saved in the exchange folder.",
                "{} forms were sealed for the back office and saved in the exchange folder.",
                n,
            ),
            Message::ReceiptsRead(n) => tn(
                lang,
                "Receipts read: {} delivered form was removed from this kiosk.",
                "Receipts read: {} delivered forms were removed from this kiosk.",
                n,
            ),
            Message::ReceiptsReadOldCopiesRemain(n) => tn(
                lang,
                "Receipts read: {} delivered form was removed from this kiosk; old copies remain in the WAL until the other window closes.",
                "Receipts read: {} delivered forms were removed from this kiosk; old copies remain in the WAL until the other window closes.",
                n,
            ),
            Message::ReceiptsSomeRefused(n) => tn(
                lang,
                "{} receipt file in the folder was refused (the log says why); it changed nothing. The other receipts were read.",
                "{} receipt files in the folder were refused (the log says why); they changed nothing. The other receipts were read.",
                n,
            ),
            _ => return None,
        })
    }

    /// The catalogued English words of each kind (the msgid; `{}` where [`Self::value`] goes).
    #[rustfmt::skip] // a table: one line a kind
    fn template(&self) -> &'static str {
        match self {
            Message::WrongPassphrase => msgid("That passphrase is not right. Nothing was changed."),
            Message::PassphraseEmpty => msgid("Type the passphrase first."),
            Message::PinEmpty => msgid("Type your PIN first."),
            Message::WrongRecoveryKey => msgid("That recovery key is not right."),
            Message::PassphraseTooShort => msgid("The passphrase needs at least 12 characters."),
            Message::PassphraseMismatch => msgid("The two passphrases are not the same."),
            Message::NamesMissing => msgid("Please fill in the names."),
            Message::PinNotAllowed => msgid("That PIN is not allowed: use 6 to 12 digits and no easy pattern such as 123456 or 111111."),
            Message::PinNotAllowedFor(_) => msgid("The PIN for {} is not allowed: use 6 to 12 digits and no easy pattern such as 123456 or 111111."),
            Message::WrongPin { .. } => msgid("Wrong PIN. Tries left before a pause: {}"),
            Message::Wait { .. } => msgid("Too many wrong PINs. Please wait {} seconds."),
            Message::AccountLocked => msgid("This account is locked after too many wrong PINs. A manager must unlock it."),
            Message::DiskFull => msgid("The tablet's storage is full, so this was not saved. Nothing already saved was lost. Please tell a member of staff."),
            Message::ReadOnly => msgid("The tablet's storage cannot be written, so this was not saved. Please tell a member of staff."),
            Message::StorageProblem => msgid("Something went wrong while saving or reading. Nothing already saved was lost. Please tell a member of staff."),
            Message::Tampered(_) => msgid("The kiosk's database was changed outside the app (table {}), so nothing was done. Please tell your data protection lead: a backup must be restored."),
            Message::PatientFound => msgid("Patient found: all three details match."),
            Message::PatientNotFound => msgid("No patient matches all three details. Start a new patient's form instead."),
            Message::LookupIncomplete => msgid("Please give the name, a date of birth as YYYY-MM-DD and the postcode."),
            Message::StaffAdded => msgid("Staff member added."),
            Message::StaffUnlocked => msgid("The account is unlocked; the PIN works again."),
            Message::NotAllowed => msgid("Your role cannot do this."),
            Message::FormLoaded => msgid("The form is checked and in use for every new handover."),
            Message::FormFileRejected { .. } => msgid("That form file was not used; the current form stays. First problem: {}"),
            Message::FormFileUnreadable(_) => msgid("That form file cannot be read; the current form stays. {}"),
            Message::StoredFormDamaged => msgid("The clinic's stored form does not match its fingerprint, so the built-in form is in use. A manager should load the clinic's form again."),
            Message::PairingShown => msgid("Scan this code at the back office within ten minutes, then read its answer here."),
            Message::CompareCodes => msgid("Check that the back office shows the same code before pairing."),
            Message::Paired => msgid("Paired: forms can now be sent to the back office."),
            Message::PairingRejected => msgid("Not paired. Start pairing again if the codes should match."),
            Message::PairingCancelled => msgid("Pairing cancelled: the code that was shown no longer pairs a back office."),
            Message::PairingAlreadyAnswered => msgid("Too late to cancel: the back office's answer to this code was read. Compare the codes, or tap Different: cancel."),
            Message::NoPairingOpen => msgid("No pairing code is open any more: its answer was read, or it was cancelled or replaced. Start pairing for a new code if you still need one."),
            Message::NewKioskId(_) => msgid("This tablet is now kiosk {}. Start pairing: the back office pairs it as a new kiosk, and the forms it has not received are sent again."),
            Message::PairingExpired => msgid("The pairing code expired. Start pairing again for a new code."),
            Message::PairingAnswerInvalid => msgid("The answer in the exchange folder is not for the code on screen: it answers an earlier code, or no back office made it. Nothing was changed. Scan the code on screen at the back office, then read its answer."),
            Message::PairingCodeUsed => msgid("That pairing code was already used. Start pairing again for a new code."),
            Message::NoPairingAnswer => msgid("There is no answer from the back office in the exchange folder yet."),
            Message::NotPaired => msgid("This kiosk is not paired with a back office yet."),
            Message::Exported(_)
            | Message::ReceiptsRead(_)
            | Message::ReceiptsReadOldCopiesRemain(_)
            | Message::ReceiptsSomeRefused(_) => unreachable!("a count's words come from `counted`, asked first"),
            Message::NothingToExport => msgid("There is nothing new to send."),
            Message::ReceiptFromOtherDesk => msgid("A receipt in the folder is from a back office this kiosk is not paired with; nothing was changed."),
            Message::SyncFileInvalid => msgid("A file in the exchange folder is damaged or not meant for this kiosk; nothing was changed."),
            Message::ExchangeUnreachable => msgid("The exchange folder cannot be read or written. Is the USB stick in?"),
            Message::NoExchangeFolder => msgid("Please give the exchange folder first."),
            Message::ExchangeFolderNotAbsolute => msgid("The exchange folder must be a full path starting with /, such as /media/usb."),
            Message::ExchangeFolderSaved(_) => msgid("Saved: pairing answers, forms and receipts now go through {}."),
            Message::ExchangeFolderNowhere => msgid("Neither that folder nor the one it would be made in exists. Check the path, and that the USB stick is in."),
            Message::IdleLimitOutOfRange(_) => msgid("Please give a whole number of seconds, {}."),
            Message::HandoverIdleSaved(_) => msgid("Saved: a handover left untouched for {} seconds is wiped and the tablet asks to be handed back."),
            Message::StaffIdleSaved(_) => msgid("Saved: staff home locks after {} seconds without a touch."),
            Message::SavedAsNewPatient => msgid("The last form was saved as a new patient's record: the date of birth was not confirmed on the tablet, so the patient you looked up was left unchanged. If it is the same person, merge the two records at the back office."),
            Message::PassphraseNotAllowed => msgid("That passphrase is not allowed: it is too common, or the same as before."),
            Message::PassphraseChanged => msgid("Passphrase changed. The old one no longer opens this kiosk."),
            Message::StaffRetired => msgid("Retired: they can no longer sign in."),
            Message::PinReset => msgid("The new PIN is set; the old one no longer works."),
            Message::PinChanged => msgid("Your PIN is changed."),
            Message::RecoveryKeyReplaced => msgid("New recovery key made; the old one no longer works."),
            Message::KeyRotated => msgid("The data key is rotated. Replace old backups: they still open with the old passphrases."),
            Message::LastManager => msgid("The last manager cannot be retired. Add another manager first."),
            Message::ManagerPassphraseNeeded(_) => msgid("The passphrase of {} is needed too (or retire them first)."),
            Message::OldCopiesRemain => msgid("Done; old copies stay in the journal until the other window closes."),
            Message::AnswerRequired => msgid("Please answer this question."),
            Message::AnswerOutOfRange => msgid("Please give a number in the allowed range."),
            Message::AnswerNotANumber => msgid("Please give a number."),
            Message::AnswerNotADate => msgid("Please give a date as YYYY-MM-DD."),
            Message::AnswerNotAnEmail => msgid("Please give an email address such as name@example.com."),
            Message::AnswerTooLong => msgid("This answer is too long: please shorten it."),
            Message::FormProblems => msgid("Some answers need your attention before you can submit."),
            Message::TreatmentConsentNeeded => msgid("The treatment consent is needed before we can treat you."),
            Message::SignatureMissing => msgid("Please sign in the box."),
            Message::SignAgain => msgid("Your answers changed after you signed: please sign again."),
            Message::ClockBehind { .. } => msgid("No handover: the clock reads {}, before {}, which this kiosk has already recorded. The back office refuses forms from a clock set back: set the date and time. A manager may confirm a clock that is right."),
            Message::ClockConfirmed => msgid("The clock is confirmed as right; handovers can start."),
        }
    }

    /// A success or a next step, shown calmly rather than as an error.
    pub fn is_good(&self) -> bool {
        matches!(
            self,
            Message::PatientFound
                | Message::StaffAdded
                | Message::StaffUnlocked
                | Message::FormLoaded
                | Message::PairingShown
                | Message::CompareCodes
                | Message::Paired
                | Message::PairingCancelled
                | Message::NewKioskId(_)
                | Message::Exported(_)
                | Message::NothingToExport
                | Message::ReceiptsRead(_)
                | Message::PassphraseChanged
                | Message::StaffRetired
                | Message::PinReset
                | Message::PinChanged
                | Message::RecoveryKeyReplaced
                | Message::KeyRotated
                | Message::ExchangeFolderSaved(_)
                | Message::HandoverIdleSaved(_)
                | Message::StaffIdleSaved(_)
                | Message::ClockConfirmed
        )
    }

    /// The message under a question of the patient's form for its problem (none for a consent).
    pub fn for_answer(problem: &FormProblem) -> Option<Message> {
        Some(match problem {
            FormProblem::Required { .. } => Message::AnswerRequired,
            FormProblem::OutOfRange { .. } => Message::AnswerOutOfRange,
            FormProblem::NotANumber { .. } => Message::AnswerNotANumber,
            FormProblem::BadDate { .. } => Message::AnswerNotADate,
            FormProblem::NotAnEmail { .. } => Message::AnswerNotAnEmail,
            FormProblem::TooLong { .. } => Message::AnswerTooLong,
            FormProblem::ConsentRequired { .. } => return None,
        })
    }

    /// The one folder a kiosk sets, its exchange folder: a path with a slip, or one it cannot
    /// reach (a disk not mounted, not a folder, not writable).
    pub fn from_folder(problem: &FolderProblem) -> Message {
        match problem {
            FolderProblem::NothingToMakeItIn(_) => Message::ExchangeFolderNowhere,
            _ => Message::ExchangeUnreachable,
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
            StoreError::Folder(problem) => Message::from_folder(problem),
            _ => Message::StorageProblem,
        }
    }

    /// `now` is the controller's clock, against which a lockout's end is measured.
    /// A new passphrase refused by the rules (`staff::check_new_passphrase`).
    pub fn from_passphrase_rule(r: &PassphraseRejection) -> Message {
        match r {
            PassphraseRejection::TooShort { .. } => Message::PassphraseTooShort,
            PassphraseRejection::Mismatch => Message::PassphraseMismatch,
            PassphraseRejection::SameAsOld | PassphraseRejection::TooCommon => {
                Message::PassphraseNotAllowed
            }
        }
    }

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
            SignInError::PassphraseRule(r) => Message::from_passphrase_rule(r),
            SignInError::UnknownStaff | SignInError::Retired => Message::NotAllowed,
            SignInError::Store(s) => Message::from_store(s),
        }
    }
}

#[cfg(test)]
mod tests;
