//! The clinic's local time: a named IANA zone (`hours.time_zone`, e.g. `Europe/London`) that
//! follows daylight saving, or — only for a database set up before named zones — the fixed UTC
//! offset it was given (`hours.utc_offset_minutes`, deprecated: it is an hour out for half the
//! year wherever clocks change). Plain Rust, no I/O: the zone table is built in (chrono-tz).

use std::fmt;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The zone a clinic has when it has set none: the product is made for UK clinics, and
/// `Europe/London` is what the old default (UTC+0) meant in winter.
pub const DEFAULT_ZONE: Tz = Tz::Europe__London;

/// Where the clinic's wall clock is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClinicZone {
    /// A named zone: local time follows its daylight-saving rules.
    Named(Tz),
    /// A fixed offset from UTC (a database set up before `hours.time_zone` existed).
    Fixed(FixedOffset),
}

impl Default for ClinicZone {
    fn default() -> Self {
        ClinicZone::Named(DEFAULT_ZONE)
    }
}

impl ClinicZone {
    /// The clinic's wall-clock time at `at`.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            ClinicZone::Named(tz) => at.with_timezone(tz).naive_local(),
            ClinicZone::Fixed(offset) => at.with_timezone(offset).naive_local(),
        }
    }

    /// The first instant at which the clinic's wall clock shows `local` or later: the earlier
    /// of the two when the clock goes back and shows it twice, the end of the gap when the clock
    /// goes forward over it (gaps are whole minutes in every zone).
    pub fn first_instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut wall = local;
        // No zone has a gap of more than a few hours; a day bounds the search.
        for _ in 0..24 * 60 {
            let found = match self {
                ClinicZone::Named(tz) => earliest(tz.from_local_datetime(&wall)),
                ClinicZone::Fixed(offset) => earliest(offset.from_local_datetime(&wall)),
            };
            if let Some(at) = found {
                return at;
            }
            wall += chrono::Duration::minutes(1);
        }
        local.and_utc()
    }

    /// The zone the settings give: `hours.time_zone` when set; else, for a database set up before
    /// named zones, its fixed `hours.utc_offset_minutes` (read as before, so its flags do not
    /// change under it; `settings` marks the key retired); else [`DEFAULT_ZONE`].
    pub fn from_settings(
        time_zone: Option<&str>, utc_offset_minutes: Option<&str>,
    ) -> Result<ClinicZone, String> {
        match (time_zone, utc_offset_minutes) {
            (Some(name), _) => Self::parse_name(name).map_err(|r| format!("hours.time_zone: {r}")),
            (None, Some(minutes)) => Self::parse_offset_minutes(minutes)
                .map_err(|r| format!("hours.utc_offset_minutes: {r}")),
            (None, None) => Ok(ClinicZone::default()),
        }
    }

    /// Reads an IANA zone name (`Europe/London`, `Europe/Paris`, `UTC`); exact spelling.
    pub fn parse_name(name: &str) -> Result<ClinicZone, String> {
        name.trim()
            .parse::<Tz>()
            .map(ClinicZone::Named)
            .map_err(|_| {
                format!(
                    "{} is not a time zone name (e.g. Europe/London, Europe/Paris, UTC)",
                    super::shown(name)
                )
            })
    }

    /// Reads the deprecated `hours.utc_offset_minutes` value (minutes east of UTC).
    pub fn parse_offset_minutes(value: &str) -> Result<ClinicZone, String> {
        value
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|m| (-18 * 60..=18 * 60).contains(m))
            .and_then(|m| FixedOffset::east_opt(m * 60))
            .map(ClinicZone::Fixed)
            .ok_or_else(|| {
                format!(
                    "{} is not a number of minutes from -1080 to 1080",
                    super::shown(value)
                )
            })
    }
}

fn earliest<Z: TimeZone>(found: LocalResult<DateTime<Z>>) -> Option<DateTime<Utc>> {
    match found {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

impl fmt::Display for ClinicZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClinicZone::Named(tz) => f.write_str(tz.name()),
            ClinicZone::Fixed(offset) => write!(f, "UTC{offset} (fixed)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn london_follows_the_clock_changes_of_2026() {
        let london = ClinicZone::parse_name("Europe/London").unwrap();
        // Clocks go forward at 01:00 UTC on Sunday 29 March 2026 (last Sunday of March)…
        assert_eq!(london.local(utc(2026, 3, 29, 0, 59)).time(), hm(0, 59));
        assert_eq!(london.local(utc(2026, 3, 29, 1, 0)).time(), hm(2, 0));
        assert_eq!(london.local(utc(2026, 3, 30, 7, 30)).time(), hm(8, 30));
        // …and back at 01:00 UTC on Sunday 25 October 2026 (last Sunday of October).
        assert_eq!(london.local(utc(2026, 10, 25, 0, 59)).time(), hm(1, 59));
        assert_eq!(london.local(utc(2026, 10, 25, 1, 0)).time(), hm(1, 0));
        assert_eq!(london.local(utc(2026, 10, 26, 7, 30)).time(), hm(7, 30));
    }

    #[test]
    fn a_wall_clock_time_is_found_on_both_clock_change_days() {
        let london = ClinicZone::default();
        let day = |mo, d| chrono::NaiveDate::from_ymd_opt(2026, mo, d).unwrap();
        // 01:30 does not exist on 29 March (01:00 GMT becomes 02:00 BST): the clock first
        // shows 01:30 or later at the change itself.
        assert_eq!(
            london.first_instant(day(3, 29).and_time(hm(1, 30))),
            utc(2026, 3, 29, 1, 0)
        );
        // 01:30 happens twice on 25 October: the first time (BST) counts.
        assert_eq!(
            london.first_instant(day(10, 25).and_time(hm(1, 30))),
            utc(2026, 10, 25, 0, 30)
        );
        assert_eq!(
            london.first_instant(day(7, 6).and_time(hm(18, 0))),
            utc(2026, 7, 6, 17, 0)
        );
        let fixed = ClinicZone::Fixed(FixedOffset::east_opt(3600).unwrap());
        assert_eq!(
            fixed.first_instant(day(1, 5).and_time(hm(8, 0))),
            utc(2026, 1, 5, 7, 0)
        );
    }

    #[test]
    fn an_old_fixed_offset_holds_until_a_zone_is_named() {
        let hour_east = ClinicZone::Fixed(FixedOffset::east_opt(3600).unwrap());
        assert_eq!(ClinicZone::from_settings(None, Some("60")), Ok(hour_east));
        assert_eq!(
            ClinicZone::from_settings(Some("Europe/Paris"), Some("60")),
            Ok(ClinicZone::Named(Tz::Europe__Paris))
        );
        assert_eq!(
            ClinicZone::from_settings(None, None),
            Ok(ClinicZone::Named(DEFAULT_ZONE))
        );
        assert!(ClinicZone::from_settings(Some("Nowhere"), None).is_err());
        // The fixed offset is what made summer flags an hour out: 07:30 UTC in July is 08:30
        // on a London clinic's wall, but 08:30 under +60 only by luck of the season.
        let july = utc(2026, 7, 6, 7, 30);
        let january = utc(2026, 1, 5, 7, 30);
        let london = ClinicZone::default();
        assert_eq!(london.local(july).time(), hm(8, 30));
        assert_eq!(london.local(january).time(), hm(7, 30));
        assert_eq!(hour_east.local(january).time(), hm(8, 30));
    }

    #[test]
    fn names_are_checked_and_offsets_are_bounded() {
        assert!(ClinicZone::parse_name("Europe/Londn").is_err());
        assert!(ClinicZone::parse_name("").is_err());
        assert_eq!(
            ClinicZone::parse_name(" UTC ").unwrap().to_string(),
            "UTC".to_owned()
        );
        assert_eq!(
            ClinicZone::parse_offset_minutes("60").unwrap(),
            ClinicZone::Fixed(FixedOffset::east_opt(3600).unwrap())
        );
        assert!(ClinicZone::parse_offset_minutes("2000").is_err());
        assert!(ClinicZone::parse_offset_minutes("one").is_err());
        assert_eq!(ClinicZone::default().to_string(), "Europe/London");
    }
}
