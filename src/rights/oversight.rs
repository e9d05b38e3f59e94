//! Unusual access, flagged on the desk's home screen for a manager to look into: one staff member
//! opening many records in a short time, access outside opening hours, and bursts of failed PIN
//! entries. Works on audit entries (ids and kinds only); thresholds are the clinic's settings.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use crate::settings::ClinicZone;

/// An audit entry as the rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The audit kind's name (`record_viewed`, `sign_in_failed`, …).
    pub kind: String,
    pub subject: String,
}

/// The clinic's thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// This many distinct records opened by one person within `window` is flagged.
    pub records: usize,
    pub window: Duration,
    /// Opening hours, clinic time; access outside them is flagged.
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    /// The clinic's time zone (daylight saving included).
    pub zone: ClinicZone,
    /// This many failed PIN entries within `window` (any account) is flagged.
    pub failed_pins: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            records: 20,
            window: Duration::minutes(10),
            opens: NaiveTime::from_hms_opt(8, 0, 0).expect("valid time"),
            closes: NaiveTime::from_hms_opt(20, 0, 0).expect("valid time"),
            zone: ClinicZone::default(),
            failed_pins: 5,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    ManyRecords,
    OutOfHours,
    FailedPins,
}

/// One thing a manager should look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    /// Who (a staff id); for failed PINs the device: "" for the desk, `kiosk:<id>` for a kiosk.
    pub actor: String,
    /// How many events the flag covers.
    pub count: usize,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Kinds that read patient data: what opening hours and bursts are about.
const ACCESS_KINDS: [&str; 4] = ["record_viewed", "patient_lookup", "exported", "list_viewed"];
const FAILED_PIN: &str = "sign_in_failed";
/// The actor of a kiosk's security event at the desk: `kiosk:<kiosk id>`.
pub const KIOSK_PREFIX: &str = "kiosk:";

/// Flags for `events` (oldest first), grouped so one burst is one flag.
pub fn unusual_access(events: &[AccessEvent], t: &Thresholds) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut actors: Vec<&str> = events.iter().map(|e| e.actor.as_str()).collect();
    actors.sort_unstable();
    actors.dedup();
    for actor in actors {
        let views: Vec<&AccessEvent> = events
            .iter()
            .filter(|e| e.actor == actor && e.kind == "record_viewed")
            .collect();
        flags.extend(bursts(&views, t.records, t.window, true).into_iter().map(
            |(count, from, to)| Flag {
                kind: FlagKind::ManyRecords,
                actor: actor.to_owned(),
                count,
                from,
                to,
            },
        ));
        flags.extend(out_of_hours(events, actor, t));
    }
    // Wrong PINs are counted per device, across accounts: the desk's own, and each kiosk's
    // (whose events arrive with its bundles as actor `kiosk:<id>`).
    let device = |e: &AccessEvent| -> String {
        if e.actor.starts_with(KIOSK_PREFIX) {
            e.actor.clone()
        } else {
            String::new()
        }
    };
    let mut devices: Vec<String> = events
        .iter()
        .filter(|e| e.kind == FAILED_PIN)
        .map(device)
        .collect();
    devices.sort_unstable();
    devices.dedup();
    for d in devices {
        let failed: Vec<&AccessEvent> = events
            .iter()
            .filter(|e| e.kind == FAILED_PIN && device(e) == d)
            .collect();
        flags.extend(
            bursts(&failed, t.failed_pins, t.window, false)
                .into_iter()
                .map(|(count, from, to)| Flag {
                    kind: FlagKind::FailedPins,
                    actor: d.clone(),
                    count,
                    from,
                    to,
                }),
        );
    }
    flags.sort_by_key(|f| f.from);
    flags
}

/// Runs of events where `threshold` of them (distinct subjects if `distinct`) fall within
/// `window`; each run extends while events keep coming within the window of the run's start.
fn bursts(
    events: &[&AccessEvent], threshold: usize, window: Duration, distinct: bool,
) -> Vec<(usize, DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    if threshold == 0 {
        return out;
    }
    let mut start = 0;
    while start < events.len() {
        let begin = events[start].at;
        let mut end = start;
        while end + 1 < events.len() && events[end + 1].at - begin <= window {
            end += 1;
        }
        let run = &events[start..=end];
        let count = if distinct {
            let mut subjects: Vec<&str> = run.iter().map(|e| e.subject.as_str()).collect();
            subjects.sort_unstable();
            subjects.dedup();
            subjects.len()
        } else {
            run.len()
        };
        if count >= threshold {
            out.push((count, begin, run[run.len() - 1].at));
            start = end + 1;
        } else {
            start += 1;
        }
    }
    out
}

/// One flag per actor and local day with access outside opening hours.
fn out_of_hours(events: &[AccessEvent], actor: &str, t: &Thresholds) -> Vec<Flag> {
    let mut flags: Vec<Flag> = Vec::new();
    let outside = events.iter().filter(|e| {
        e.actor == actor && ACCESS_KINDS.contains(&e.kind.as_str()) && {
            let local = t.zone.local(e.at).time();
            local < t.opens || local >= t.closes
        }
    });
    for e in outside {
        let day = t.zone.local(e.at).date();
        match flags.last_mut() {
            Some(f) if t.zone.local(f.from).date() == day => {
                f.count += 1;
                f.to = e.at;
            }
            _ => flags.push(Flag {
                kind: FlagKind::OutOfHours,
                actor: actor.to_owned(),
                count: 1,
                from: e.at,
                to: e.at,
            }),
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, s).unwrap()
    }
    fn ev(t: DateTime<Utc>, actor: &str, kind: &str, subject: &str) -> AccessEvent {
        AccessEvent {
            at: t,
            actor: actor.into(),
            kind: kind.into(),
            subject: subject.into(),
        }
    }
    /// `n` events, the `i`th made by `event(i)`.
    fn series(n: u32, event: impl Fn(u32) -> AccessEvent) -> Vec<AccessEvent> {
        (0..n).map(event).collect()
    }

    #[test]
    fn many_records_in_a_short_time_is_one_flag() {
        let mut events = series(25, |i| {
            let t = at(10, 0, 0) + Duration::seconds(i64::from(i) * 10);
            ev(t, "chris", "record_viewed", &format!("p{i}"))
        });
        // The same record opened again and again is not a sweep.
        events.extend(series(30, |i| {
            ev(at(11, 0, i), "maya", "record_viewed", "p1")
        }));
        let flags = unusual_access(&events, &Thresholds::default());
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!(flags[0].kind, FlagKind::ManyRecords);
        assert_eq!(flags[0].actor, "chris");
        assert_eq!(flags[0].count, 25);
    }

    #[test]
    fn nineteen_records_or_a_slow_day_is_not_flagged() {
        let t = Thresholds::default();
        let events: Vec<AccessEvent> = (0..19)
            .map(|i| ev(at(10, 0, i), "chris", "record_viewed", &format!("p{i}")))
            .chain((0..30).map(|i| ev(at(12, i, 0), "rita", "record_viewed", &format!("q{i}"))))
            .collect();
        assert!(unusual_access(&events, &t).is_empty());
    }

    #[test]
    fn access_outside_opening_hours_in_local_time() {
        let mut t = Thresholds::default();
        let events = vec![
            ev(at(7, 59, 0), "rita", "record_viewed", "p1"),
            ev(at(7, 30, 0), "rita", "signed_in", ""),
            ev(at(21, 0, 0), "rita", "exported", "p2"),
            ev(at(12, 0, 0), "rita", "record_viewed", "p3"),
        ];
        let flags = unusual_access(&events, &t);
        assert_eq!(flags.len(), 1);
        assert_eq!((flags[0].kind, flags[0].count), (FlagKind::OutOfHours, 2));
        // One hour east of UTC: 07:59 UTC is 08:59 local, 21:00 UTC is 22:00.
        t.zone = ClinicZone::Fixed(chrono::FixedOffset::east_opt(3600).unwrap());
        let flags = unusual_access(&events, &t);
        assert_eq!(flags[0].count, 1);
        assert_eq!(flags[0].from, at(21, 0, 0));
    }

    #[test]
    fn failed_pin_bursts_across_accounts() {
        let t = Thresholds::default();
        let mut events = series(5, |i| {
            let account = if i % 2 == 0 { "a" } else { "b" };
            ev(at(13, i, 0), account, FAILED_PIN, "")
        });
        events.push(ev(at(15, 0, 0), "a", FAILED_PIN, ""));
        let flags = unusual_access(&events, &t);
        assert_eq!(flags.len(), 1);
        assert_eq!((flags[0].kind, flags[0].count), (FlagKind::FailedPins, 5));
        let mut strict = t;
        strict.failed_pins = 6;
        assert!(unusual_access(&events, &strict).is_empty());
        // A kiosk's wrong PINs are its own burst, not added to the desk's.
        let mut mixed = series(3, |i| ev(at(14, i, 0), "a", FAILED_PIN, ""));
        mixed.extend(series(5, |i| ev(at(14, i, 30), "kiosk:k1", FAILED_PIN, "")));
        mixed.sort_by_key(|e| e.at);
        let flags = unusual_access(&mixed, &t);
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!((flags[0].actor.as_str(), flags[0].count), ("kiosk:k1", 5));
    }
}
