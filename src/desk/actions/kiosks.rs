//! Pairing a kiosk at the desk (its code answered, then confirmed), the folders the desk
//! exchanges with kiosks, and importing the kiosks' bundles.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{ActionError, ActionResult, Needed, Records, RecordsMut};
use crate::exchange::desk_side::{Answered, BundleOutcome, Confirmed, KnownKiosk, PairingCode};
use crate::settings::{EXCHANGE_FOLDER, OUTBOX_FOLDER};
use crate::store::{Actor, FolderProblem, StoreError};

/// The folder a setting names, unless one is given; neither is [`Needed`].
fn folder(
    records: Records, given: Option<&Path>, key: &str, needed: Needed,
) -> ActionResult<PathBuf> {
    if let Some(path) = given {
        return Ok(path.to_owned());
    }
    match records.setting(key)? {
        Some(set) if !set.is_empty() => Ok(PathBuf::from(set)),
        _ => Err(ActionError::Missing(needed)),
    }
}

/// The exchange folder the setting names, or [`Needed::ExchangeFolder`].
pub fn exchange_folder(records: Records) -> ActionResult<PathBuf> {
    folder(records, None, EXCHANGE_FOLDER, Needed::ExchangeFolder)
}

/// The outbox folder the setting names, or [`Needed::OutboxFolder`].
pub fn outbox_folder(records: Records) -> ActionResult<PathBuf> {
    folder(records, None, OUTBOX_FOLDER, Needed::OutboxFolder)
}

/// Sets the exchange and outbox folders (managers; settings `exchange_folder`,
/// `outbox_folder`, each logged): a folder left empty keeps what is set; both empty is
/// [`Needed::ExchangeFolder`]. Each must be a full path (starting with `/`); neither is set
/// when one is not.
pub fn set_import_folders(
    records: Records, actor: &Actor, exchange: &str, outbox: &str, now: DateTime<Utc>,
) -> ActionResult<()> {
    actor.require_manager()?;
    let given = [
        (EXCHANGE_FOLDER, exchange.trim()),
        (OUTBOX_FOLDER, outbox.trim()),
    ];
    let given: Vec<_> = given.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    if given.is_empty() {
        return Err(ActionError::Missing(Needed::ExchangeFolder));
    }
    // The settings' own check, asked first so that one bad folder sets neither.
    let refused = |(key, value): &&(&str, &str)| crate::settings::validate(key, value).is_err();
    if let Some((_, relative)) = given.iter().find(refused) {
        return Err(ActionError::NotAFullPath((*relative).to_owned()));
    }
    for (_, folder) in &given {
        FolderProblem::unless_writable_there(Path::new(folder)).map_err(StoreError::from)?;
    }
    for (key, value) in given {
        records.set_setting(actor, key, value, now)?;
    }
    Ok(())
}

/// Pairs a kiosk from its code (managers): the answer written into the exchange folder (given,
/// else the setting's), the kiosk then waiting for a manager to confirm the code it shows. A
/// blank code is [`Needed::PairingCode`]; a known kiosk is refused unless `known` says
/// [`KnownKiosk::Replace`].
pub fn pair_kiosk(
    records: Records, actor: &Actor, code: PairingCode<'_>, exchange: Option<&Path>,
    known: KnownKiosk, now: DateTime<Utc>,
) -> ActionResult<Answered> {
    actor.require_manager()?;
    let blank = match code {
        PairingCode::Text(text) => text.trim().is_empty(),
        PairingCode::Picture(path) => path.as_os_str().is_empty(),
    };
    if blank {
        return Err(ActionError::Missing(Needed::PairingCode));
    }
    let dir = folder(records, exchange, EXCHANGE_FOLDER, Needed::ExchangeFolder)?;
    Ok(records.answer_pairing(actor, code, &dir, known, now)?)
}

/// Where an import reads bundles and hands forms on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportFolders {
    pub exchange: PathBuf,
    pub outbox: PathBuf,
}

/// The folders the settings name (`exchange_folder`, `outbox_folder`), each unless given here;
/// a folder neither given nor set is [`Needed`].
pub fn import_folders(
    records: Records, exchange: Option<&Path>, outbox: Option<&Path>,
) -> ActionResult<ImportFolders> {
    Ok(ImportFolders {
        exchange: folder(records, exchange, EXCHANGE_FOLDER, Needed::ExchangeFolder)?,
        outbox: folder(records, outbox, OUTBOX_FOLDER, Needed::OutboxFolder)?,
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
    records: RecordsMut, actor: &Actor, folders: ImportFolders, now: DateTime<Utc>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> ActionResult<ImportDone> {
    let outcomes =
        records.import_folder(actor, &folders.exchange, &folders.outbox, now, progress)?;
    Ok(ImportDone { folders, outcomes })
}

/// Revokes a kiosk for ever (managers; logged): a lost, stolen or retired tablet. Its bundles
/// are refused from then on, and its id never pairs again (a reset tablet pairs under a new
/// id). A blank id is [`Needed::KioskId`].
pub fn revoke_kiosk(
    records: Records, actor: &Actor, kiosk_id: &str, now: DateTime<Utc>,
) -> ActionResult<()> {
    let kiosk_id = kiosk_id.trim();
    if kiosk_id.is_empty() {
        return Err(ActionError::Missing(Needed::KioskId));
    }
    Ok(records.revoke_kiosk(actor, kiosk_id, now)?)
}

/// Confirms a waiting kiosk with the code its screen shows (managers), its nonce read from the
/// exchange folder (`exchange`, else the setting). `kiosk_id` may be left out when exactly one
/// kiosk is waiting. A wrong code leaves it waiting (and is logged).
pub fn confirm_kiosk(
    records: Records, actor: &Actor, kiosk_id: Option<&str>, typed: &str, exchange: Option<&Path>,
    now: DateTime<Utc>,
) -> ActionResult<Confirmed> {
    if typed.trim().is_empty() {
        return Err(ActionError::Missing(Needed::KioskCode));
    }
    let dir = folder(records, exchange, EXCHANGE_FOLDER, Needed::ExchangeFolder)?;
    Ok(records.confirm_kiosk(actor, kiosk_id, typed, &dir, now)?)
}
