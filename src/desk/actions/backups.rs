//! The desk's own backups, set and made by a manager: the folder and daily time of the scheduled
//! backup (settings `backup.folder`, `backup.daily_time`), and a backup made now.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{ActionError, ActionResult, Needed, Records};
use crate::settings::{BACKUP_DAILY_TIME, BACKUP_FOLDER, validate};
use crate::store::{Actor, KeptBackup};

/// The name the desk's backup files carry.
pub const DESK_BACKUP_ROLE: &str = "desk";

/// Sets where and when the daily backup is made (managers; each setting logged): a field left
/// empty keeps what is set; both empty is [`Needed::BackupFolder`]. The folder must be a full
/// path and the time HH:MM (24-hour clock); neither is set when one is not.
pub fn set_backup_schedule(
    records: Records, actor: &Actor, folder: &str, daily_time: &str, now: DateTime<Utc>,
) -> ActionResult<()> {
    actor.require_manager()?;
    let (folder, daily_time) = (folder.trim(), daily_time.trim());
    if folder.is_empty() && daily_time.is_empty() {
        return Err(ActionError::Missing(Needed::BackupFolder));
    }
    // The settings' own checks, asked first so that one bad value sets neither.
    if !folder.is_empty() && validate(BACKUP_FOLDER, folder).is_err() {
        return Err(ActionError::NotAFullPath(folder.to_owned()));
    }
    if !daily_time.is_empty() && validate(BACKUP_DAILY_TIME, daily_time).is_err() {
        return Err(ActionError::NotAClockTime(daily_time.to_owned()));
    }
    for (key, value) in [(BACKUP_FOLDER, folder), (BACKUP_DAILY_TIME, daily_time)] {
        if !value.is_empty() {
            records.set_setting(actor, key, value, now)?;
        }
    }
    Ok(())
}

/// A checked backup of the desk into its backup folder now (managers; logged by the store as
/// the manager's, as a scheduled one is). Older backups are pruned only by the schedule's own
/// "keep" when a schedule is set: without one, nothing is removed.
pub fn backup_now(records: Records, actor: &Actor, now: DateTime<Utc>) -> ActionResult<KeptBackup> {
    actor.require_manager()?;
    let folder = match records.setting(BACKUP_FOLDER)? {
        Some(folder) if !folder.is_empty() => PathBuf::from(folder),
        _ => return Err(ActionError::Missing(Needed::BackupFolder)),
    };
    let keep = records.backup_plan()?.map(|plan| plan.keep);
    Ok(records.backup_kept(&folder, DESK_BACKUP_ROLE, keep, actor.staff_id(), now)?)
}
