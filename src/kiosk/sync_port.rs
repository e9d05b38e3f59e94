//! The kiosk's sync port: what the back-office panel does with the sync module, named here so the
//! controller never holds the store underneath. The sealed store implements it over
//! [`crate::exchange::kiosk_side`]; the in-memory fake has none (sync is unavailable against it).

use std::path::Path;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::exchange::ExchangeError;
use crate::exchange::kiosk_side::{self, Exported, ReceiptsRead};
use crate::port::port;
use crate::store::{Actor, DeskLink, OpenStore, SyncStatus, Withdrawal};

use crate::settings::EXCHANGE_FOLDER as FOLDER_SETTING;

port! {
    /// The sync actions a manager takes on staff home.
    pub trait KioskSync for OpenStore {
        /// The sync state and the saved exchange folder ("" when none).
        fn status(&self) -> Result<(SyncStatus, String), ExchangeError> {
            Ok((
                self.sync_status()?,
                self.setting(FOLDER_SETTING)?.unwrap_or_default(),
            ))
        }
        fn set_exchange_folder(&self, actor: &Actor, folder: &str, now: DateTime<Utc>)
            -> Result<(), ExchangeError> {
            Ok(self.set_setting(actor, FOLDER_SETTING, folder, now)?)
        }
        /// A new pairing offer: the QR code's text (holds a one-time secret) and when it expires.
        fn start_pairing(&self, actor: &Actor, now: DateTime<Utc>)
            -> Result<(Zeroizing<String>, DateTime<Utc>), ExchangeError>
            = kiosk_side::start_pairing;
        fn read_pairing_answer(&self, actor: &Actor, folder: &Path, now: DateTime<Utc>)
            -> Result<DeskLink, ExchangeError> = kiosk_side::read_pairing_answer;
        fn confirm_pairing(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), ExchangeError>
            = kiosk_side::confirm_pairing;
        /// The open pairing code withdrawn before an answer was read, or what stands instead.
        fn cancel_pairing(&self, actor: &Actor, now: DateTime<Utc>)
            -> Result<Withdrawal, ExchangeError> {
            Ok(self.withdraw_pairing_offer(actor, now)?)
        }
        fn unpair(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), ExchangeError> {
            Ok(self.revoke_desk(actor, now)?)
        }
        /// New keys under a new kiosk id, the desk link revoked: the old id and the new one.
        fn new_kiosk_id(&self, actor: &Actor, now: DateTime<Utc>)
            -> Result<(Option<String>, String), ExchangeError> = kiosk_side::new_kiosk_id;
        fn export(&self, actor: &Actor, folder: &Path, now: DateTime<Utc>)
            -> Result<Option<Exported>, ExchangeError> {
            kiosk_side::export(self, actor, folder, now, &mut |_, _| {})
        }
        fn read_receipts(&self, actor: &Actor, folder: &Path, now: DateTime<Utc>)
            -> Result<ReceiptsRead, ExchangeError> = kiosk_side::read_receipts;
    }
}
