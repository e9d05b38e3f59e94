//! The manager's back-office panel on staff home: pairing by QR code, export to the exchange
//! folder, receipts, and the sync state. The work itself is in `exchange`; this keeps what the
//! screen shows and turns every outcome into a message kind.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::sync_port::KioskSync;
use super::{Kiosk, Message};
use crate::exchange::ExchangeError;
use crate::store::{Actor, SyncStatus, Withdrawal};
use crate::sync::SyncError;

/// What the panel shows besides the sync state.
#[derive(Default)]
pub struct BackOfficeView {
    /// The pairing QR code's text while an offer is open (holds the one-time secret).
    pub pairing_code: Option<Zeroizing<String>>,
    pub pairing_expires: Option<DateTime<Utc>>,
    /// A desk's answer was read: the code to compare, awaiting the manager's yes or no.
    pub code_to_compare: Option<String>,
    pub status: SyncStatus,
    pub folder: String,
    /// A manager tapped *Pair as a new kiosk*: the question is shown before anything changes
    /// (the old id's keys are gone once it is answered yes).
    pub asking_new_id: bool,
}

impl BackOfficeView {
    /// A pairing is under way on this screen: its QR code shows, or the code to compare. A new
    /// kiosk id is neither offered nor made then: it would leave the desk's answer for keys no
    /// longer held.
    pub fn pairing_open(&self) -> bool {
        self.pairing_code.is_some() || self.code_to_compare.is_some()
    }
}

impl Kiosk {
    pub fn back_office(&self) -> &BackOfficeView {
        &self.home.back_office
    }

    /// Reads the sync state and the saved exchange folder (on opening the panel).
    pub fn refresh_back_office(&mut self) {
        let result = self.with_sync(|sync, _| sync.status());
        if let Some((status, folder)) = result {
            self.home.back_office.code_to_compare = status
                .desk
                .as_ref()
                .filter(|d| !d.confirmed)
                .map(|d| d.comparison_code.clone());
            self.home.back_office.status = status;
            self.home.back_office.folder = folder;
        }
    }

    pub fn set_exchange_folder(&mut self, folder: &str) {
        let now = self.now();
        // The setting's own rule, asked first so that a relative path is said as such (the
        // store refuses it too, as any bad setting).
        let Ok(folder) = crate::settings::validate(crate::settings::EXCHANGE_FOLDER, folder) else {
            self.message = Some(Message::ExchangeFolderNotAbsolute);
            return;
        };
        if self
            .with_sync(|sync, actor| sync.set_exchange_folder(actor, &folder, now))
            .is_some()
        {
            self.message = Some(Message::ExchangeFolderSaved(folder.clone()));
            self.home.back_office.folder = folder;
        }
    }

    pub fn start_pairing(&mut self) {
        let now = self.now();
        if let Some((code, expires)) = self.with_sync(|sync, actor| sync.start_pairing(actor, now))
        {
            self.home.back_office.pairing_code = Some(code);
            self.home.back_office.pairing_expires = Some(expires);
            self.home.back_office.code_to_compare = None;
            // A question about a new id left open is closed: the pairing uses this one.
            self.home.back_office.asking_new_id = false;
            self.message = Some(Message::PairingShown);
        }
    }

    pub fn read_pairing_answer(&mut self) {
        let now = self.now();
        let Some(folder) = self.folder() else { return };
        if let Some(link) =
            self.with_sync(|sync, actor| sync.read_pairing_answer(actor, &folder, now))
        {
            self.home.back_office.pairing_code = None;
            self.home.back_office.code_to_compare = Some(link.comparison_code);
            self.message = Some(Message::CompareCodes);
        } else if self.message.as_ref().is_some_and(code_is_dead) {
            self.drop_pairing_code();
        }
        self.refresh_back_office();
    }

    /// The manager saw the same code on both screens.
    pub fn confirm_pairing(&mut self) {
        let now = self.now();
        if self
            .with_sync(|sync, actor| sync.confirm_pairing(actor, now))
            .is_some()
        {
            self.message = Some(Message::Paired);
        }
        self.refresh_back_office();
    }

    /// The QR code taken off the screen and withdrawn (shown to the wrong desk, photographed, or
    /// not wanted now): an answer to it is refused. When no code was open any more (its answer
    /// was read meanwhile, say by `kiosk pair-finish`), the code leaves the screen too and that
    /// is said: the panel then shows what stands (the codes to compare). It stays on screen if
    /// it could not be withdrawn, with the reason.
    pub fn cancel_pairing(&mut self) {
        let now = self.now();
        if let Some(found) = self.with_sync(|sync, actor| sync.cancel_pairing(actor, now)) {
            self.drop_pairing_code();
            self.message = Some(match found {
                Withdrawal::Withdrawn(_) => Message::PairingCancelled,
                Withdrawal::Answered(_) => Message::PairingAlreadyAnswered,
                Withdrawal::NoneOpen => Message::NoPairingOpen,
            });
        }
        self.refresh_back_office();
    }

    /// The QR code on screen is no longer open in the store: off the screen.
    fn drop_pairing_code(&mut self) {
        self.home.back_office.pairing_code = None;
        self.home.back_office.pairing_expires = None;
    }

    /// The codes differ (or the manager changed their mind): the pairing is dropped.
    pub fn reject_pairing(&mut self) {
        self.unpair();
        self.message = Some(Message::PairingRejected);
    }

    pub fn unpair(&mut self) {
        let now = self.now();
        self.with_sync(|sync, actor| sync.unpair(actor, now));
        self.home.back_office.pairing_code = None;
        self.refresh_back_office();
    }

    /// Shows the question before a new kiosk id is made (not while a pairing is open).
    pub fn ask_new_kiosk_id(&mut self) {
        self.home.back_office.asking_new_id = !self.home.back_office.pairing_open();
    }

    /// The manager answered no: nothing changes.
    pub fn keep_kiosk_id(&mut self) {
        self.home.back_office.asking_new_id = false;
    }

    /// The manager answered yes: this tablet gets new keys under a new kiosk id and its desk link
    /// is revoked; it pairs again as a new kiosk, and its forms the desk has not acknowledged go
    /// out again under the new id.
    pub fn new_kiosk_id(&mut self) {
        let now = self.now();
        self.home.back_office.asking_new_id = false;
        if self.home.back_office.pairing_open() {
            return;
        }
        if let Some((_, id)) = self.with_sync(|sync, actor| sync.new_kiosk_id(actor, now)) {
            self.home.back_office.pairing_code = None;
            self.home.back_office.pairing_expires = None;
            self.home.back_office.code_to_compare = None;
            self.message = Some(Message::NewKioskId(id));
        }
        self.refresh_back_office();
    }

    pub fn export_now(&mut self) {
        let now = self.now();
        let Some(folder) = self.folder() else { return };
        if let Some(done) = self.with_sync(|sync, actor| sync.export(actor, &folder, now)) {
            self.message = Some(match done {
                Some(e) => Message::Exported(e.submissions),
                None => Message::NothingToExport,
            });
        }
        self.refresh_back_office();
    }

    pub fn read_receipts(&mut self) {
        let now = self.now();
        let Some(folder) = self.folder() else { return };
        if let Some(read) = self.with_sync(|sync, actor| sync.read_receipts(actor, &folder, now)) {
            self.message = Some(if !read.refused.is_empty() {
                Message::ReceiptsSomeRefused(read.refused.len())
            } else if read.old_copies_remain {
                Message::ReceiptsReadOldCopiesRemain(read.purged)
            } else {
                Message::ReceiptsRead(read.purged)
            });
        }
        self.refresh_back_office();
    }

    fn folder(&mut self) -> Option<PathBuf> {
        if self.home.back_office.folder.is_empty() {
            self.message = Some(Message::NoExchangeFolder);
            return None;
        }
        Some(PathBuf::from(&self.home.back_office.folder))
    }

    /// Runs a sync action for a manager on staff home over the real store; failures become a
    /// message and `None`.
    fn with_sync<T>(
        &mut self, action: impl FnOnce(&dyn KioskSync, &Actor) -> Result<T, ExchangeError>,
    ) -> Option<T> {
        self.in_panel(false, message_for, |store, actor| {
            Some(action(store.sync()?, actor))
        })
    }
}

/// A failed read of the desk's answer that leaves the code on screen pairing nothing: withdrawn
/// or replaced elsewhere (`kiosk pair-cancel`, `pair-start`), expired, used, or the offers
/// changed outside the app (the code on screen can no longer be told open or not, and the
/// store refuses every use of it until a backup is restored). An answer not there yet, a folder
/// not reached, or a file that answers another code (an earlier one, withdrawn or rejected, or a
/// forgery) leaves it: the desk may still answer it, and that answer takes the file's place.
fn code_is_dead(message: &Message) -> bool {
    matches!(
        message,
        Message::NoPairingOpen
            | Message::PairingExpired
            | Message::PairingCodeUsed
            | Message::Tampered(_)
    )
}

/// Every sync failure as a message kind a manager can act on.
fn message_for(e: &ExchangeError) -> Message {
    let sync = |s: &SyncError| match s {
        SyncError::Expired => Message::PairingExpired,
        SyncError::Forged | SyncError::WrongKiosk => Message::PairingAnswerInvalid,
        _ => Message::SyncFileInvalid,
    };
    match e {
        ExchangeError::Store(s) => Message::from_store(s),
        ExchangeError::Format { error, .. } | ExchangeError::Sync(error) => sync(error),
        ExchangeError::Folder(problem) => Message::from_folder(problem),
        ExchangeError::Io { .. } => Message::ExchangeUnreachable,
        ExchangeError::NotPaired => Message::NotPaired,
        ExchangeError::NotConfirmed { .. } => Message::CompareCodes,
        ExchangeError::NoPairingStarted => Message::NoPairingOpen,
        ExchangeError::PairingCodeUsed => Message::PairingCodeUsed,
        ExchangeError::NoAnswer(_) => Message::NoPairingAnswer,
        ExchangeError::ReceiptFromUnpairedDesk { .. } => Message::ReceiptFromOtherDesk,
        _ => Message::SyncFileInvalid,
    }
}
