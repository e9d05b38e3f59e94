//! The settings a clinic may change, in one table: each key's meaning, default and the check
//! its value must pass. The store refuses an unknown key or a bad value before anything is
//! written ([`validate`]), so a setting that is stored can always be read back; `desk settings`
//! lists them with their current values ([`listing`]). Plain Rust, no I/O.
//!
//! Adding a setting: one [`Spec`] in [`KNOWN`] with its [`Kind`] (the values it takes), and the
//! code that reads it; the desk window gives a settable one its words (`src/desk/settings_panel.rs`, tested).

mod zone;

use chrono::NaiveTime;
use thiserror::Error;

pub use zone::{ClinicZone, DEFAULT_ZONE};

/// A refused value as an error shows it: quoted, escaped, and cut after 40 characters (a
/// 100 kB value is not echoed back whole).
pub(crate) fn shown(value: &str) -> String {
    const SHOWN: usize = 40;
    let mut cut: String = value.chars().take(SHOWN).collect();
    if value.chars().nth(SHOWN).is_some() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// Why a setting was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SettingError {
    #[error("unknown setting {}{}", shown(.key), suggestion_text(.suggestion))]
    Unknown {
        key: String,
        suggestion: Option<&'static str>,
    },
    #[error("setting {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    /// Opening and closing times that do not make a day's span.
    #[error("setting hours.closes: closing time {closes} is not after opening time {opens}")]
    HoursOrder { opens: String, closes: String },
    /// A setting the other app reads (each has its own database).
    #[error("setting {key} is read by the {reader}, not here: set it there")]
    ReadElsewhere {
        key: &'static str,
        reader: &'static str,
    },
    #[error("setting {key} is no longer set by hand: {instead}")]
    NotSettable {
        key: &'static str,
        instead: &'static str,
    },
}

fn suggestion_text(suggestion: &Option<&'static str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean {s}?)"))
}

/// What values a setting takes: its check, and what the listing and the desk window say of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An IANA time zone name.
    Zone,
    /// A time of day, `HH:MM` on the 24-hour clock.
    Clock,
    /// A time of day as [`Kind::Clock`], or empty for none.
    OptionalClock,
    /// A whole number from `low` to `high`.
    Whole { low: u32, high: u32 },
    /// An absolute folder path, or empty for none.
    Folder,
    /// Not set by hand: written by the app, or retired. Says what to do instead.
    Fixed(&'static str),
}

impl Kind {
    /// `Ok` when `value` (trimmed) is one this kind takes; `Err` says what is wrong with it.
    /// Returns the value as it is stored: as given, but a whole number written plainly
    /// ("+0060" is stored as "60").
    fn check(self, value: &str) -> Result<String, String> {
        match self {
            Kind::Zone => ClinicZone::parse_name(value).map(|_| ()),
            Kind::Clock => parse_clock(value).map(|_| ()),
            Kind::OptionalClock if value.is_empty() => Ok(()),
            Kind::OptionalClock => parse_clock(value).map(|_| ()),
            Kind::Whole { low, high } => {
                return whole_number(value, low, high).map(|n| n.to_string());
            }
            Kind::Folder => absolute_folder(value),
            Kind::Fixed(instead) => Err(instead.to_owned()),
        }
        .map(|()| value.to_owned())
    }
}

/// One known setting.
#[derive(Debug)]
pub struct Spec {
    pub key: &'static str,
    /// The value used when none is stored, as `settings` shows it.
    pub default: &'static str,
    /// What it does (the values it takes are its [`Kind`]'s).
    pub about: &'static str,
    pub kind: Kind,
    /// Which app reads it: one set in the other's database would do nothing.
    pub read_by: ReadBy,
}

/// The two apps, each with its own database and its own settings in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    Desk,
    Kiosk,
}

/// Which app reads a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBy {
    Desk,
    Kiosk,
    Both,
}

impl ReadBy {
    pub fn reads(self, app: App) -> bool {
        matches!(
            (self, app),
            (ReadBy::Both, _) | (ReadBy::Desk, App::Desk) | (ReadBy::Kiosk, App::Kiosk)
        )
    }
}

impl Spec {
    /// Whether `set` may write it.
    pub fn settable(&self) -> bool {
        !matches!(self.kind, Kind::Fixed(_))
    }
}

fn whole_number(value: &str, low: u32, high: u32) -> Result<u32, String> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (low..=high).contains(n))
        .ok_or_else(|| {
            format!(
                "{} is not a whole number from {low} to {high}",
                shown(value)
            )
        })
}

/// `HH:MM`, 24-hour clock.
pub fn parse_clock(value: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M")
        .map_err(|_| format!("{} is not a time as HH:MM (24-hour clock)", shown(value)))
}

fn absolute_folder(value: &str) -> Result<(), String> {
    if value.is_empty() || value.starts_with('/') && !value.contains('\0') && value.len() <= 4096 {
        Ok(())
    } else {
        Err(format!(
            "{} is not an absolute folder path (starting with /), or empty for none",
            shown(value)
        ))
    }
}

/// The exchange folder's setting: the kiosk writes bundles there, the desk imports them from there.
pub const EXCHANGE_FOLDER: &str = "exchange_folder";
/// The desk's outbox folder's setting: imported forms handed on for the EMR.
pub const OUTBOX_FOLDER: &str = "outbox_folder";
/// The desk's backup folder's setting (scheduled backups and "Back up now").
pub const BACKUP_FOLDER: &str = "backup.folder";
/// The clinic time of the desk's daily backup, HH:MM.
pub const BACKUP_DAILY_TIME: &str = "backup.daily_time";
/// Seconds without use before a signed-in desk window locks.
pub const DESK_IDLE_SECONDS: &str = "desk.idle_seconds";
/// Seconds without a touch before the kiosk wipes a handover's form ("please hand back").
pub const KIOSK_HANDOVER_IDLE_SECONDS: &str = "kiosk.handover_idle_seconds";
/// Seconds without a touch before the kiosk's staff home locks.
pub const KIOSK_STAFF_IDLE_SECONDS: &str = "kiosk.staff_idle_seconds";

/// Every setting the app knows, in the order `settings` lists them.
pub const KNOWN: &[Spec] = &[
    Spec {
        key: "hours.time_zone",
        default: "Europe/London",
        about: "the clinic's time zone (IANA name, e.g. Europe/London, Europe/Paris); opening hours follow its clock changes",
        kind: Kind::Zone,
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "hours.opens",
        default: "08:00",
        about: "opening time, clinic time, HH:MM; access before it is flagged",
        kind: Kind::Clock,
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "hours.closes",
        default: "20:00",
        about: "closing time, clinic time, HH:MM, after hours.opens; access from it on is flagged",
        kind: Kind::Clock,
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "hours.utc_offset_minutes",
        default: "",
        about: "retired: a fixed offset from UTC, used only while hours.time_zone is not set",
        kind: Kind::Fixed(
            "set hours.time_zone (e.g. Europe/London) instead: a fixed offset is an hour out for half the year",
        ),
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "flags.records",
        default: "20",
        about: "this many records opened by one person within flags.window_minutes is flagged",
        kind: Kind::Whole {
            low: 1,
            high: 10_000,
        },
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "flags.window_minutes",
        default: "10",
        about: "the window for flags.records and flags.failed_pins, minutes",
        kind: Kind::Whole {
            low: 1,
            high: 24 * 60,
        },
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "flags.failed_pins",
        default: "5",
        about: "this many wrong PINs on one device within flags.window_minutes is flagged",
        kind: Kind::Whole { low: 1, high: 1000 },
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "retention.adult_years",
        default: "8",
        about: "years an adult's record is kept after the last visit",
        kind: Kind::Whole { low: 1, high: 100 },
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "retention.child_until_age",
        default: "25",
        about: "a child's record is kept at least until this age",
        kind: Kind::Whole { low: 1, high: 100 },
        read_by: ReadBy::Desk,
    },
    Spec {
        key: DESK_IDLE_SECONDS,
        default: "300",
        about: "the desk window locks after this many seconds without use",
        kind: Kind::Whole {
            low: 30,
            high: 3600,
        },
        read_by: ReadBy::Desk,
    },
    Spec {
        key: KIOSK_HANDOVER_IDLE_SECONDS,
        default: "120",
        about: "a handover with no touch for this many seconds is wiped from memory and the screen asks for the tablet back (the last 30 count down on screen)",
        kind: Kind::Whole { low: 60, high: 900 },
        read_by: ReadBy::Kiosk,
    },
    Spec {
        key: KIOSK_STAFF_IDLE_SECONDS,
        default: "180",
        about: "staff home locks (back to the PIN pad) after this many seconds without a touch",
        kind: Kind::Whole { low: 30, high: 900 },
        read_by: ReadBy::Kiosk,
    },
    Spec {
        key: EXCHANGE_FOLDER,
        default: "",
        about: "the exchange folder: the kiosk writes its bundles there (set on the kiosk's back office panel), the desk imports them from there and leaves its receipts (absolute path)",
        kind: Kind::Folder,
        read_by: ReadBy::Both,
    },
    Spec {
        key: OUTBOX_FOLDER,
        default: "",
        about: "forms imported are handed on into this folder for the EMR as FHIR, JSON and a printable page (absolute path)",
        kind: Kind::Folder,
        read_by: ReadBy::Desk,
    },
    Spec {
        key: BACKUP_FOLDER,
        default: "",
        about: "scheduled backups go into this existing folder (absolute path; empty: none)",
        kind: Kind::Folder,
        read_by: ReadBy::Desk,
    },
    Spec {
        key: BACKUP_DAILY_TIME,
        default: "",
        about: "a backup each day at this clinic time, HH:MM (with backup.folder; empty: none)",
        kind: Kind::OptionalClock,
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "backup.keep",
        default: "7",
        about: "how many scheduled backups are kept in backup.folder, the newest; older ones of its own are removed",
        kind: Kind::Whole { low: 1, high: 365 },
        read_by: ReadBy::Desk,
    },
    Spec {
        key: "active_form",
        default: "",
        about: "the form the kiosk shows (its hash; written when a form is loaded)",
        kind: Kind::Fixed("it is written when a form definition is loaded"),
        read_by: ReadBy::Both,
    },
];

/// The spec of `key`, if it is a known setting.
pub fn spec(key: &str) -> Option<&'static Spec> {
    KNOWN.iter().find(|s| s.key == key)
}

/// A whole-number setting in effect: `stored` when its kind takes it, else the default. A stored
/// value out of range cannot come from [`validate`]; read back, it is not obeyed. `None` for a
/// key that is not a known whole-number setting.
pub fn whole(key: &str, stored: Option<&str>) -> Option<u32> {
    let spec = spec(key)?;
    let Kind::Whole { low, high } = spec.kind else {
        return None;
    };
    let take = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (low..=high).contains(n))
    };
    stored.and_then(take).or_else(|| take(spec.default))
}

/// Checks `value` for `key` and returns it as it is to be stored (trimmed). Refuses an unknown
/// key (suggesting a near one), a key the app writes itself, and a value its check refuses.
pub fn validate(key: &str, value: &str) -> Result<String, SettingError> {
    let Some(spec) = spec(key) else {
        return Err(SettingError::Unknown {
            key: key.to_owned(),
            suggestion: nearest(key),
        });
    };
    let value = value.trim();
    match spec.kind {
        Kind::Fixed(instead) => Err(SettingError::NotSettable {
            key: spec.key,
            instead,
        }),
        kind => kind.check(value).map_err(|reason| SettingError::Invalid {
            key: spec.key,
            reason,
        }),
    }
}

/// [`validate`] for a setting `app` reads: one only the other app reads is refused.
pub fn validate_for(app: App, key: &str, value: &str) -> Result<String, SettingError> {
    let value = validate(key, value)?;
    match spec(key) {
        Some(spec) if !spec.read_by.reads(app) => Err(SettingError::ReadElsewhere {
            key: spec.key,
            reader: match app {
                App::Desk => "kiosk",
                App::Kiosk => "desk",
            },
        }),
        _ => Ok(value),
    }
}

/// Opening hours must open before they close (the flags read them as one day's span).
pub fn check_hours(opens: &str, closes: &str) -> Result<(), SettingError> {
    let (o, c) = (parse_clock(opens), parse_clock(closes));
    match (o, c) {
        (Ok(o), Ok(c)) if o < c => Ok(()),
        (Ok(_), Ok(_)) => Err(SettingError::HoursOrder {
            opens: opens.to_owned(),
            closes: closes.to_owned(),
        }),
        (Err(reason), _) => Err(SettingError::Invalid {
            key: "hours.opens",
            reason,
        }),
        (_, Err(reason)) => Err(SettingError::Invalid {
            key: "hours.closes",
            reason,
        }),
    }
}

/// A known key within two edits of `key` (a typo), if there is one.
fn nearest(key: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .map(|s| (edit_distance(key, s.key), s.key))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// One line of the `settings` listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub key: &'static str,
    /// The stored value, if one is stored.
    pub value: Option<String>,
    pub default: &'static str,
    pub about: &'static str,
    pub kind: Kind,
    pub settable: bool,
}

/// Every setting `app` reads, with its stored value (`current` looks one up).
pub fn listing<E>(
    app: App, mut current: impl FnMut(&str) -> Result<Option<String>, E>,
) -> Result<Vec<Listed>, E> {
    KNOWN
        .iter()
        .filter(|s| s.read_by.reads(app))
        .map(|s| {
            Ok(Listed {
                key: s.key,
                value: current(s.key)?,
                default: s.default,
                about: s.about,
                kind: s.kind,
                settable: s.settable(),
            })
        })
        .collect()
}

/// The listing as text, one setting a line: key, value (or "(default)"), default, what it does.
pub fn listing_text(rows: &[Listed]) -> String {
    let mut out = String::new();
    for r in rows {
        let value = r.value.as_deref().unwrap_or("(default)");
        let default = if r.default.is_empty() {
            "none"
        } else {
            r.default
        };
        let takes = match r.kind {
            Kind::Whole { low, high } => format!(" ({low}–{high})"),
            Kind::Fixed(_) => " [not set by hand]".to_owned(),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{:<26} {:<16} default {:<14} {}{takes}\n",
            r.key, value, default, r.about
        ));
    }
    out
}

#[cfg(test)]
mod tests;
