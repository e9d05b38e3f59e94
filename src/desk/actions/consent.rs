//! Withdrawing a consent and restricting processing: one store call each, kept here so the window
//! and the command line name the same use case.

use chrono::{DateTime, Utc};

use super::{ActionResult, Records};
use crate::forms::ConsentEvent;
use crate::store::Actor;

/// Withdraws one consent item, effective at once (any role).
pub fn withdraw(
    records: Records, actor: &Actor, patient: &str, item: &str, now: DateTime<Utc>,
) -> ActionResult<ConsentEvent> {
    super::clock::may_date(records, now)?;
    Ok(records.withdraw_consent(actor, patient, item, now)?)
}

/// Restricts processing of a record (stored only), or lifts it (managers).
pub fn set_restricted(
    records: Records, actor: &Actor, patient: &str, restricted: bool, now: DateTime<Utc>,
) -> ActionResult<()> {
    super::clock::may_date(records, now)?;
    Ok(records.set_restricted(actor, patient, restricted, now)?)
}
