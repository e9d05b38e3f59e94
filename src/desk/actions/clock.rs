//! The desk's clock, checked before an action dates a record by it, and a manager's word that it
//! is right.
//!
//! What the desk writes is dated by its clock, and some of it is read by its date: a consent
//! decision counts by when it was made (`forms::consent::current_events`), so a withdrawal dated
//! by a clock set back a month loses to a grant a kiosk recorded last week, and the patient stays
//! on the marketing lists; a request's deadline and a breach's 72 hours count from the dates
//! written. So an action that dates a record about a patient or a deadline (a correction, a
//! merge, a withdrawal, a restriction, an erasure, a rights request, a breach) is refused while
//! the clock reads earlier than what the desk has already recorded ([`runs_behind`], the same
//! rule as the kiosk's before a handover), and the home screen says so to everyone. A manager
//! who has checked the time confirms it ([`confirm_clock`]); the newest records count from then.

use chrono::{DateTime, Utc};

use super::{ActionError, ActionResult, Records};
use crate::store::{Actor, runs_behind};

/// The time the clock, reading `now`, runs behind (this version's release, or the newest time the
/// desk recorded since the clock was last confirmed), when it does.
pub fn clock_behind(records: Records, now: DateTime<Utc>) -> ActionResult<Option<DateTime<Utc>>> {
    Ok(runs_behind(now, records.newest_recorded_time()?))
}

/// Refuses ([`ActionError::ClockBehind`]) to date a record at `now` while the clock runs behind.
pub(super) fn may_date(records: Records, now: DateTime<Utc>) -> ActionResult<()> {
    match clock_behind(records, now)? {
        None => Ok(()),
        Some(recorded) => Err(ActionError::ClockBehind {
            reads: now,
            recorded,
        }),
    }
}

/// A manager's word that the clock is right (logged): after a retention run refused as too far
/// after the last one (`StoreError::ClockAhead`: the desk unused for that long, not a clock that
/// jumped), or while it reads behind what was recorded (a clock that ran ahead and was put right).
pub fn confirm_clock(records: Records, actor: &Actor, now: DateTime<Utc>) -> ActionResult<()> {
    Ok(records.confirm_clock(actor, now)?)
}
