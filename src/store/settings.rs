//! Settings through the store: a value is checked against [`crate::settings`] before it is
//! written (an unknown key or a bad value is refused and nothing changes), the listing with
//! stored values, and the clinic's time zone as the flags read it.

use super::{OpenStore, StoreError};
use crate::settings::{self, App, ClinicZone, Listed};

impl OpenStore {
    /// `value` for `key` as it may be stored, checked against the known settings and against
    /// the other settings it must agree with (opening before closing). Nothing is written.
    pub(super) fn checked_setting(&self, key: &str, value: &str) -> Result<String, StoreError> {
        let value = settings::validate(key, value)?;
        let other = |k: &str| -> Result<String, StoreError> {
            Ok(self
                .setting(k)?
                .unwrap_or_else(|| settings::spec(k).map_or("", |s| s.default).to_owned()))
        };
        match key {
            "hours.opens" => settings::check_hours(&value, &other("hours.closes")?),
            "hours.closes" => settings::check_hours(&other("hours.opens")?, &value),
            _ => Ok(()),
        }?;
        Ok(value)
    }

    /// Every setting `app` reads with its stored value and default (the `settings` command).
    pub fn settings_listing(&self, app: App) -> Result<Vec<Listed>, StoreError> {
        settings::listing(app, |key| self.setting(key))
    }

    /// The clinic's time zone: `hours.time_zone` when set; else, for a database set up before
    /// named zones, the fixed `hours.utc_offset_minutes` it was given; else the default zone.
    pub fn clinic_zone(&self) -> Result<ClinicZone, StoreError> {
        let name = self.setting("hours.time_zone")?;
        let offset = match name {
            Some(_) => None,
            None => self.setting("hours.utc_offset_minutes")?,
        };
        ClinicZone::from_settings(name.as_deref(), offset.as_deref())
            .map_err(|reason| StoreError::Invalid(format!("setting {reason}")))
    }
}
