//! Confirming a kiosk's pairing at the desk.

use chrono::{DateTime, Utc};

use super::{ActionError, ActionResult, Needed, Records};
use crate::exchange::desk_side::Confirmed;
use crate::store::Actor;

/// Confirms a waiting kiosk with the code its screen shows (managers). `kiosk_id` may be left out
/// when exactly one kiosk is waiting. A wrong code leaves it waiting (and is logged).
pub fn confirm_kiosk(
    records: Records,
    actor: &Actor,
    kiosk_id: Option<&str>,
    typed: &str,
    now: DateTime<Utc>,
) -> ActionResult<Confirmed> {
    if typed.trim().is_empty() {
        return Err(ActionError::Missing(Needed::KioskCode));
    }
    Ok(records.confirm_kiosk(actor, kiosk_id, typed, now)?)
}
