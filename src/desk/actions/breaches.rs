//! Breaches: recorded with the records concerned (from the audit log) and the 72-hour clock,
//! then marked as reported with the regulator's reference.

use chrono::{DateTime, Duration, Utc};

use super::{ActionError, ActionResult, Needed, Records};
use crate::rights::Risk;
use crate::store::{Actor, NewBreach};

/// A breach as staff describe it.
#[derive(Clone, Debug)]
pub struct NewBreachAt<'a> {
    pub what: &'a str,
    pub risk: Risk,
    pub discovered_at: DateTime<Utc>,
    /// The records concerned are those opened, looked up or changed in this window of the audit
    /// log (by one staff member, or anyone). `None`: none yet (narrowed down later).
    pub touched: Option<(Option<&'a str>, DateTime<Utc>, DateTime<Utc>)>,
}

/// A recorded breach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreachRecorded {
    pub id: String,
    pub records: usize,
    /// Whether it must be reported to the ICO within 72 hours of discovery.
    pub must_report: bool,
}

/// How long after a breach is recorded the same words and risk, not yet reported, are taken for
/// the same breach (a second tap, a script run twice) and not recorded again.
pub const SAME_BREACH_WITHIN: Duration = Duration::hours(24);

/// Records a breach (managers). The same breach recorded already ([`SAME_BREACH_WITHIN`]) is
/// refused ([`ActionError::AlreadyRecorded`]): a second copy would be a second 72-hour clock and
/// a second report to the regulator.
pub fn record_breach(
    records: Records, actor: &Actor, breach: &NewBreachAt, now: DateTime<Utc>,
) -> ActionResult<BreachRecorded> {
    super::clock::may_date(records, now)?;
    let same = |b: &crate::store::Breach| {
        b.reported_at.is_none()
            && b.risk == breach.risk
            && b.what_happened.trim() == breach.what.trim()
            && now - b.discovered_at <= SAME_BREACH_WITHIN
    };
    if let Some(held) = records.breaches(actor)?.iter().find(|b| same(b)) {
        return Err(ActionError::AlreadyRecorded {
            discovered_at: held.discovered_at,
        });
    }
    let touched = match breach.touched {
        Some((by, from, to)) => records.records_touched(actor, by, from, to)?,
        None => Vec::new(),
    };
    let new = NewBreach {
        discovered_at: breach.discovered_at,
        what_happened: breach.what.to_owned(),
        records: touched,
        risk: breach.risk,
    };
    let id = records.record_breach(actor, &new, now)?;
    Ok(BreachRecorded {
        id,
        records: new.records.len(),
        must_report: breach.risk.must_report(),
    })
}

/// Notes that a breach was reported to the regulator, with their reference (managers).
pub fn breach_reported(
    records: Records, actor: &Actor, id: &str, reference: &str, now: DateTime<Utc>,
) -> ActionResult<()> {
    super::clock::may_date(records, now)?;
    if reference.trim().is_empty() {
        return Err(ActionError::Missing(Needed::RegulatorReference));
    }
    Ok(records.mark_breach_reported(actor, id, reference, now)?)
}
