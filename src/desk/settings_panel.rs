//! The clinic's settings on a manager's home ([`super::actions::clinic_settings`]): each with its
//! name and the values it takes in the manager's language, and its value (stored, or the
//! default) to change in place. A refusal says which setting kept its value and what it takes.
//! Saving the desk's idle lock applies it at once.

use chrono::{DateTime, Utc};

use super::Desk;
use super::actions::{self, ActionError, ClinicSetting};
use super::opening::idle_lock_of;
use super::store_words::store_failure_words;
use crate::i18n::{msgid, t};
use crate::settings::{self, DESK_IDLE_SECONDS, Kind, SettingError};
use crate::store::StoreError;

/// One clinic setting as the manager's home shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingView {
    pub key: String,
    /// What it is, in the manager's language.
    pub label: String,
    /// What values it takes, in the manager's language.
    pub hint: String,
    /// The stored value, or the default.
    pub value: String,
}

/// A clinic setting's name for staff (untranslated msgid), for every setting the list shows
/// (a test holds every listed key to having one).
pub(super) fn setting_words(key: &str) -> Option<&'static str> {
    Some(match key {
        "hours.time_zone" => msgid("Clinic time zone"),
        "hours.opens" => msgid("Opening time (earlier use of records is flagged)"),
        "hours.closes" => msgid("Closing time (later use of records is flagged)"),
        "flags.records" => {
            msgid("Records one person may open within the window before it is flagged")
        }
        "flags.window_minutes" => msgid("Window for these counts, in minutes"),
        "flags.failed_pins" => {
            msgid("Wrong PINs on one device within the window before it is flagged")
        }
        "retention.adult_years" => msgid("Years an adult's record is kept after the last visit"),
        "retention.child_until_age" => msgid("Age until which a child's record is kept at least"),
        DESK_IDLE_SECONDS => msgid("Seconds without use before this window locks"),
        "backup.keep" => msgid("Scheduled backups kept (the newest)"),
        _ => return None,
    })
}

/// A setting's name in the manager's language (its key where it has no words).
fn label(lang: &str, key: &str) -> String {
    setting_words(key).map_or_else(|| key.to_owned(), |words| t(lang, words, &[]))
}

/// What values `kind` takes, in the manager's language.
fn kind_hint(lang: &str, kind: Kind) -> String {
    match kind {
        Kind::Zone => t(
            lang,
            "a time zone name, such as Europe/London or Europe/Paris",
            &[],
        ),
        Kind::Clock => t(lang, "HH:MM on the 24-hour clock, such as 08:30", &[]),
        Kind::OptionalClock => t(
            lang,
            "HH:MM on the 24-hour clock, such as 21:30, or empty for none",
            &[],
        ),
        Kind::Whole { low, high } => t(
            lang,
            "a whole number from {} to {}",
            &[&low.to_string(), &high.to_string()],
        ),
        Kind::Folder => t(
            lang,
            "a full path, such as /media/usb, or empty for none",
            &[],
        ),
        Kind::Fixed(_) => t(lang, "set by the app itself", &[]),
    }
}

impl Desk {
    /// The clinic's settings for a manager's home; empty for other roles.
    pub fn clinic_settings(&self) -> Vec<SettingView> {
        let Some((records, actor)) = self.signed_in() else {
            return Vec::new();
        };
        let Ok(rows) = actions::clinic_settings(records, actor) else {
            return Vec::new();
        };
        rows.into_iter()
            .map(|ClinicSetting { row, unreadable }| {
                // A value changed outside the app: said as such (never shown as the default),
                // the field empty for a value set anew.
                let (hint, value) = match unreadable {
                    Some(StoreError::Tampered { .. }) => (
                        t(
                            &self.lang,
                            "changed outside the app, so it is not shown: tell your data protection lead. A value saved here replaces it.",
                            &[],
                        ),
                        String::new(),
                    ),
                    Some(e) => (store_failure_words(&self.lang, &e), String::new()),
                    None => (
                        kind_hint(&self.lang, row.kind),
                        row.value.unwrap_or_else(|| row.default.to_owned()),
                    ),
                };
                SettingView {
                    key: row.key.to_owned(),
                    label: label(&self.lang, row.key),
                    hint,
                    value,
                }
            })
            .collect()
    }

    /// Saves one clinic setting (managers; logged); the desk's idle lock applies at once.
    pub fn save_setting(&mut self, key: &str, value: &str, now: DateTime<Utc>) {
        let Some((records, actor)) = self.signed_in() else {
            return;
        };
        let label = label(&self.lang, key);
        let saved = actions::set_setting(records, actor, key, value, now)
            .map(|stored| (stored, idle_lock_of(records)));
        match saved {
            Ok((stored, idle_lock)) => {
                if let Some(lock) = idle_lock.filter(|_| key == DESK_IDLE_SECONDS) {
                    self.idle_lock = lock;
                }
                self.say_t("Saved: {} is now {}.", &[&label, &stored], true);
            }
            Err(ActionError::Store(StoreError::Setting(refused))) => {
                let text = match (&refused, settings::spec(key)) {
                    (SettingError::HoursOrder { opens, closes }, _) => t(
                        &self.lang,
                        "Not saved: the clinic must open before it closes (opening {}, closing {}).",
                        &[opens, closes],
                    ),
                    (_, Some(spec)) => t(
                        &self.lang,
                        "Not saved. {}: give {}.",
                        &[&label, &kind_hint(&self.lang, spec.kind)],
                    ),
                    (_, None) => refused.to_string(),
                };
                self.say(text, false);
            }
            Err(e) => self.failed(e),
        }
    }
}
