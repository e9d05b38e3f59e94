//! Staff and keys at the desk (managers): the staff list, adding staff, retiring someone,
//! resetting a PIN, changing one's own passphrase, a new recovery key and a data-key rotation.
//!
//! The rules are the store's, through the port the kiosk uses too ([`crate::store::StaffAdmin`]:
//! role checks, the last active manager, passphrase and PIN rules, one audit entry per act
//! naming who did it); an action adds what a form's fields need: a name given, the account
//! kind chosen, blank passphrase fields left out.

use chrono::{DateTime, Utc};

use super::{ActionError, ActionResult, Needed, RecordsMut};
use crate::staff::Role;
use crate::store::{
    Actor, Cleared, Rotation, StaffKeysView, StaffListing, set_own_passphrase, typed_passphrases,
};
use crate::vault::{Passphrase, Pin, RecoveryKey};

/// A new staff member as the form gives them. A manager also needs a passphrase, typed twice;
/// the others sign in with their PIN only (the passphrase fields are ignored).
#[derive(Clone, Copy)]
pub struct NewStaff<'a> {
    pub name: &'a str,
    pub role: Role,
    pub pin: &'a str,
    pub passphrase: &'a str,
    pub repeated: &'a str,
}

/// The "Staff and keys" screen's view (managers): everyone, retired staff too (their names
/// stay on what they did), whose passphrases a rotation asks for, and whether "My passphrase"
/// sets it anew.
pub fn staff_keys(records: RecordsMut, actor: &Actor) -> ActionResult<StaffKeysView<StaffListing>> {
    Ok(StaffKeysView::read(records.staff_admin(), actor)?)
}

/// Adds a staff member (managers); returns their id.
pub fn add_staff(
    records: RecordsMut, actor: &Actor, new: &NewStaff, now: DateTime<Utc>,
) -> ActionResult<String> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(ActionError::Missing(Needed::StaffName));
    }
    let pin = Pin::new(new.pin);
    let admin = records.staff_admin();
    Ok(match new.role {
        Role::Manager => admin.add_manager(
            actor,
            name,
            &pin,
            &Passphrase::new(new.passphrase),
            &Passphrase::new(new.repeated),
            now,
        )?,
        role => admin.add_staff(actor, name, role, &pin, now)?,
    })
}

/// Retires a staff member (managers; never the last active manager).
pub fn retire(
    records: RecordsMut, actor: &Actor, staff_id: &str, now: DateTime<Utc>,
) -> ActionResult<Cleared> {
    Ok(records.staff_admin().retire_staff(actor, staff_id, now)?)
}

/// Sets a new PIN for someone else (managers); the old one stops working.
pub fn reset_pin(
    records: RecordsMut, actor: &Actor, staff_id: &str, pin: &str, now: DateTime<Utc>,
) -> ActionResult<()> {
    Ok(records
        .staff_admin()
        .reset_pin(actor, staff_id, &Pin::new(pin), now)?)
}

/// The signed-in manager changes their passphrase: the current one, the new one twice; on a
/// desk opened with the recovery key, set anew without the current one.
pub fn change_passphrase(
    records: RecordsMut, actor: &Actor, current: &str, new: &str, repeated: &str,
    now: DateTime<Utc>,
) -> ActionResult<Cleared> {
    Ok(set_own_passphrase(
        records.staff_admin(),
        actor,
        &Passphrase::new(current),
        &Passphrase::new(new),
        &Passphrase::new(repeated),
        now,
    )?)
}

/// A new recovery key, to show once; the old one stops working.
pub fn new_recovery_key(
    records: RecordsMut, actor: &Actor, now: DateTime<Utc>,
) -> ActionResult<(RecoveryKey, Cleared)> {
    Ok(records.staff_admin().new_recovery_key(actor, now)?)
}

/// Rotates the data key: `typed` holds the signed-in manager's passphrase and every other
/// active manager's (blank fields left out). Slow: every row is sealed again.
pub fn rotate_key(
    records: RecordsMut, actor: &Actor, typed: &[&str], now: DateTime<Utc>,
    progress: &mut dyn FnMut(u64, u64),
) -> ActionResult<Rotation> {
    let passphrases = typed_passphrases(typed);
    Ok(records
        .staff_admin()
        .rotate_data_key(actor, &passphrases, now, progress)?)
}
