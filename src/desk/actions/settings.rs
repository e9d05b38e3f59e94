//! The clinic's settings a manager changes at the desk (opening hours and time zone, the flags'
//! thresholds, retention, the desk's idle lock, how many backups are kept): listed with their
//! values, and set one at a time through the store, which checks each against
//! [`crate::settings`] (and opening against closing) and logs it. The folders and the backup's
//! time have panels of their own ([`super::set_import_folders`], [`super::set_backup_schedule`])
//! and are not listed here; a setting the app writes itself never is.

use chrono::{DateTime, Utc};

use super::{ActionResult, Records};
use crate::settings::OUTBOX_FOLDER;
use crate::settings::{self, App, BACKUP_DAILY_TIME, BACKUP_FOLDER, EXCHANGE_FOLDER, Listed};
use crate::store::{Actor, StoreError};

/// The settings set on panels of their own.
const OWN_PANELS: [&str; 4] = [
    EXCHANGE_FOLDER,
    OUTBOX_FOLDER,
    BACKUP_FOLDER,
    BACKUP_DAILY_TIME,
];

/// Whether the clinic's settings list shows `key`: set by hand, read by the desk, and not on a
/// panel of its own.
pub fn listed_here(spec: &settings::Spec) -> bool {
    spec.settable() && spec.read_by.reads(App::Desk) && !OWN_PANELS.contains(&spec.key)
}

/// One clinic setting as listed: its stored value (`None`: the default), or why the stored value
/// could not be read (a row changed outside the app: listed all the same, so the manager sees
/// which one and may set it anew).
#[derive(Debug)]
pub struct ClinicSetting {
    pub row: Listed,
    pub unreadable: Option<StoreError>,
}

/// The clinic's settings (managers), in the order `settings` lists them. One that cannot be
/// read does not hide the others.
pub fn clinic_settings(records: Records, actor: &Actor) -> ActionResult<Vec<ClinicSetting>> {
    actor.require_manager()?;
    let mut unreadable = Vec::new();
    let rows = settings::listing(App::Desk, |key| {
        Ok::<_, std::convert::Infallible>(match records.setting(key) {
            Ok(value) => value,
            Err(e) => {
                unreadable.push((key.to_owned(), e));
                None
            }
        })
    })
    .unwrap_or_else(|never| match never {});
    Ok(rows
        .into_iter()
        .filter(|row| settings::spec(row.key).is_some_and(listed_here))
        .map(|row| ClinicSetting {
            unreadable: unreadable
                .iter()
                .position(|(key, _)| *key == row.key)
                .map(|i| unreadable.swap_remove(i).1),
            row,
        })
        .collect())
}

/// Sets one setting (managers; checked and logged by the store): an unknown key, a value its
/// kind does not take or opening hours that do not make a day are refused and nothing changes.
/// Returns the value as stored (trimmed).
pub fn set_setting(
    records: Records, actor: &Actor, key: &str, value: &str, now: DateTime<Utc>,
) -> ActionResult<String> {
    actor.require_manager()?;
    settings::validate_for(App::Desk, key, value).map_err(StoreError::from)?;
    records.set_setting(actor, key, value, now)?;
    Ok(records.setting(key)?.unwrap_or_default())
}
