//! Rights requests: logged with their due date, extended with a reason, closed with an outcome.

use chrono::{DateTime, NaiveDate, Utc};

use super::{ActionError, ActionResult, Records};
use crate::rights::{RequestStatus, due_date};
use crate::store::{Actor, NewRightsRequest};

/// A logged request: its id and the day it is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLogged {
    pub id: String,
    pub due_on: NaiveDate,
}

/// Logs a rights request (any role: requests often arrive at reception).
pub fn log_request(
    records: Records, actor: &Actor, request: &NewRightsRequest, now: DateTime<Utc>,
) -> ActionResult<RequestLogged> {
    super::clock::may_date(records, now)?;
    // The same request open already (a double tap, a script run twice) is not logged again:
    // a second copy would be a second legal deadline to answer.
    let same = |r: &crate::store::RightsRequest| {
        r.status == RequestStatus::Open
            && r.kind == request.kind
            && r.patient_id == request.patient_id
            && r.requester.trim() == request.requester.trim()
    };
    if let Some(open) = records.rights_requests(actor)?.iter().find(|r| same(r)) {
        return Err(ActionError::AlreadyLogged {
            due_on: open.due_on,
        });
    }
    let id = records.log_rights_request(actor, request, now)?;
    Ok(RequestLogged {
        id,
        due_on: due_date(request.received_on),
    })
}

/// Extends an open request by `months` (UK GDPR Art. 12(3): up to two further months, with the
/// reason told to the patient; managers). Returns the new due date.
pub fn extend_request(
    records: Records, actor: &Actor, id: &str, months: u32, reason: &str, now: DateTime<Utc>,
) -> ActionResult<NaiveDate> {
    super::clock::may_date(records, now)?;
    Ok(records.extend_rights_request(actor, id, months, reason, now)?)
}

/// Closes a request as done or refused, with its outcome (managers).
pub fn close_request(
    records: Records, actor: &Actor, id: &str, status: RequestStatus, outcome: &str,
    now: DateTime<Utc>,
) -> ActionResult<()> {
    super::clock::may_date(records, now)?;
    Ok(records.close_rights_request(actor, id, status, outcome, now)?)
}
