//! An installation's own clock, checked against what it has recorded before it dates anything
//! new. A kiosk's forms and consent decisions carry its clock's time, and the desk refuses a
//! bundle holding a time from before the kiosk's pairing ([`super::kiosk_clock`]), with every
//! other form of it: a tablet whose clock was reset (a flat clock battery, a factory reset, no
//! network time yet) would date a form in 1970 or 2000 and hold up all its later forms. So a
//! handover does not start while the clock reads earlier than this version's release or than the
//! newest entry of the installation's own audit log (less [`KIOSK_CLOCK_SKEW`], what network time
//! may step a clock back by).
//!
//! A clock that ran ahead and was then put right reads behind the entries written meanwhile: a
//! manager who has checked the time confirms it ([`OpenStore::confirm_clock`], logged with the
//! time it ran behind), and the newest entries count from that confirmation on.
//!
//! A clock that jumped ahead is the desk's danger: its retention run (at every opening) would
//! erase, for good, records years before their time. A desk is used every working day and runs
//! its retention check at each opening, so a retention run more than [`RETENTION_TRUSTS_FOR`]
//! after the last one (or after a manager's confirmation of the clock) erases nothing until a
//! manager confirms the date ([`runs_ahead`]).

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use rusqlite::OptionalExtension;

use super::StoreError;
use super::audit::{self, AuditKind};
use super::kiosk_clock::KIOSK_CLOCK_SKEW;
use super::open_store::OpenStore;
use super::staff::Actor;

/// No clock running this version can read earlier than its release (2026-12-01, UTC): a later
/// release moves it on.
pub fn earliest_plausible() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .single()
        .expect("a valid date")
}

/// The time a clock reading `now` runs behind, when it does: this version's release, or `newest`
/// (the newest time already recorded) when later, less [`KIOSK_CLOCK_SKEW`].
pub fn runs_behind(now: DateTime<Utc>, newest: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let floor = newest.map_or(earliest_plausible(), |n| n.max(earliest_plausible()));
    (now + KIOSK_CLOCK_SKEW < floor).then_some(floor)
}

/// How long after the last retention run, or a manager's confirmation of the clock, a retention
/// run trusts the clock: a quarter, longer than a clinic's desk goes unopened but for a long
/// closure (after which a manager confirms the date once).
pub const RETENTION_TRUSTS_FOR: TimeDelta = TimeDelta::days(92);

/// The last run or confirmation a retention run at `now` is too far ahead of, when it is (see
/// the module): `last` is [`OpenStore::last_vouched_time`].
pub fn runs_ahead(now: DateTime<Utc>, last: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    last.filter(|last| now > *last + RETENTION_TRUSTS_FOR)
}

/// [`OpenStore::newest_recorded_time`]'s query: the kind is written in (the partial index is
/// used only for a literal, not a bound parameter), and checked against [`AuditKind`] by a test.
pub(super) const NEWEST_RECORDED_SQL: &str = "SELECT at FROM audit_log
     WHERE +seq >= (SELECT coalesce(max(seq), 0) FROM audit_log WHERE kind = 'clock_confirmed')
     ORDER BY at DESC LIMIT 1";

impl OpenStore {
    /// When a retention run or a manager's confirmation of the clock was last logged (`None`:
    /// never), the newest by the log's order.
    pub fn last_vouched_time(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<String> = self
            .conn()
            .query_row(
                "SELECT at FROM audit_log WHERE kind IN (?1, ?2) ORDER BY seq DESC LIMIT 1",
                [
                    AuditKind::RetentionRun.as_str(),
                    AuditKind::ClockConfirmed.as_str(),
                ],
                |r| r.get(0),
            )
            .optional()?;
        at.map(|at| {
            DateTime::parse_from_rfc3339(&at)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| StoreError::tampered("audit_log", "at"))
        })
        .transpose()
    }

    /// The newest time of the audit log since the clock was last confirmed (that confirmation
    /// included), `None` when it holds none. Two index look-ups (migration 19), not a read of
    /// the log: the last confirmation by its partial index, then the entries by time, newest
    /// first, down to the first one written since (the `+` keeps the planner on the index by
    /// time, not on a range of the log from the confirmation on).
    pub fn newest_recorded_time(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let newest: Option<String> = self
            .conn()
            .query_row(NEWEST_RECORDED_SQL, [], |r| r.get(0))
            .optional()?;
        newest
            .map(|at| {
                DateTime::parse_from_rfc3339(&at)
                    .map(|at| at.with_timezone(&Utc))
                    .map_err(|_| StoreError::tampered("audit_log", "at"))
            })
            .transpose()
    }

    /// Refuses (`ClockAhead`) what would erase by the clock at `now` (a retention run, an
    /// erasure's record past its retention end) when `now` is too far after the last retention
    /// run or confirmation of the clock ([`runs_ahead`]).
    pub(super) fn trust_clock_to_erase(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        match runs_ahead(now, self.last_vouched_time()?) {
            None => Ok(()),
            Some(last) => {
                let shown = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
                Err(StoreError::ClockAhead {
                    reads: shown(now),
                    last: shown(last),
                })
            }
        }
    }

    /// A manager's word that the clock, reading `now`, is right although it runs behind what was
    /// recorded (a kiosk's) or far after the last retention run (a desk's): logged with the
    /// newest time recorded before, from which on the newest entries count and retention runs
    /// trust the clock again.
    /// Refused (`Encoding`) when the clock reads earlier than this version's release, which no
    /// confirmation makes right.
    pub fn confirm_clock(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), StoreError> {
        actor.require_manager()?;
        if runs_behind(now, None).is_some() {
            return Err(StoreError::Encoding(format!(
                "the clock reads {}, before this version was released: set the date and time",
                now.to_rfc3339()
            )));
        }
        let behind = self.newest_recorded_time()?.unwrap_or(now);
        audit::append(
            self.conn(),
            self.vault(),
            &now.to_rfc3339(),
            actor.staff_id(),
            AuditKind::ClockConfirmed,
            &behind.to_rfc3339(),
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, 12, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn a_clock_before_the_release_or_the_newest_record_runs_behind() {
        let reset = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single().unwrap();
        assert_eq!(runs_behind(reset, None), Some(earliest_plausible()));
        assert_eq!(runs_behind(day(3), None), None);
        assert_eq!(runs_behind(day(3), Some(day(5))), Some(day(5)));
        assert_eq!(runs_behind(day(5), Some(day(3))), None);
        // A few minutes back, as network time steps a clock, is not behind.
        let stepped = day(5) - KIOSK_CLOCK_SKEW + TimeDelta::seconds(1);
        assert_eq!(runs_behind(stepped, Some(day(5))), None);
        let further = day(5) - KIOSK_CLOCK_SKEW - TimeDelta::seconds(1);
        assert_eq!(runs_behind(further, Some(day(5))), Some(day(5)));
        // A newest record before the release does not lower the floor.
        assert_eq!(runs_behind(reset, Some(reset)), Some(earliest_plausible()));
    }

    #[test]
    fn a_retention_run_a_quarter_after_the_last_is_too_far_ahead() {
        assert_eq!(runs_ahead(day(30), None), None, "a first run");
        let last = day(1);
        assert_eq!(runs_ahead(last + RETENTION_TRUSTS_FOR, Some(last)), None);
        let jumped = last + RETENTION_TRUSTS_FOR + TimeDelta::seconds(1);
        assert_eq!(runs_ahead(jumped, Some(last)), Some(last));
        assert_eq!(
            runs_ahead(day(1) + TimeDelta::days(3650), Some(last)),
            Some(last)
        );
    }
}
