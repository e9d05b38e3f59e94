//! Confirming a kiosk's pairing at the desk, and importing the kiosks' bundles.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{ActionError, ActionResult, Needed, Records, RecordsMut};
use crate::exchange::desk_side::{BundleOutcome, Confirmed};
use crate::settings::{EXCHANGE_FOLDER, OUTBOX_FOLDER};
use crate::store::Actor;

/// Where an import reads bundles and hands forms on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportFolders {
    pub exchange: PathBuf,
    pub outbox: PathBuf,
}

/// The folders the settings name (`exchange_folder`, `outbox_folder`), each unless given here;
/// a folder neither given nor set is [`Needed`].
pub fn import_folders(
    records: Records,
    exchange: Option<&Path>,
    outbox: Option<&Path>,
) -> ActionResult<ImportFolders> {
    let folder = |given: Option<&Path>, key: &str, needed: Needed| -> ActionResult<PathBuf> {
        if let Some(path) = given {
            return Ok(path.to_owned());
        }
        match records.setting(key)? {
            Some(set) if !set.is_empty() => Ok(PathBuf::from(set)),
            _ => Err(ActionError::Missing(needed)),
        }
    };
    Ok(ImportFolders {
        exchange: folder(exchange, EXCHANGE_FOLDER, Needed::ExchangeFolder)?,
        outbox: folder(outbox, OUTBOX_FOLDER, Needed::OutboxFolder)?,
    })
}

/// What an import of the exchange folder did: each bundle's outcome, in file order.
pub struct ImportDone {
    pub folders: ImportFolders,
    pub outcomes: Vec<BundleOutcome>,
}

/// Imports every bundle in the exchange folder (managers): each exactly once and on its own (one
/// refused leaves nothing of it and stops no other), a signed receipt back into the folder for
/// each, and each new form handed on into the outbox. `progress` hears (file, done, total).
pub fn import_bundles(
    records: RecordsMut,
    actor: &Actor,
    folders: ImportFolders,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> ActionResult<ImportDone> {
    let outcomes =
        records.import_folder(actor, &folders.exchange, &folders.outbox, now, progress)?;
    Ok(ImportDone { folders, outcomes })
}

/// Confirms a waiting kiosk with the code its screen shows (managers). `kiosk_id` may be left out
/// when exactly one kiosk is waiting. A wrong code leaves it waiting (and is logged).
pub fn confirm_kiosk(
    records: Records,
    actor: &Actor,
    kiosk_id: Option<&str>,
    typed: &str,
    now: DateTime<Utc>,
) -> ActionResult<Confirmed> {
    if typed.trim().is_empty() {
        return Err(ActionError::Missing(Needed::KioskCode));
    }
    Ok(records.confirm_kiosk(actor, kiosk_id, typed, now)?)
}
