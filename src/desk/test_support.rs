//! What the desk controller's unit tests share: the fake's staff, a clock, signing in, and
//! what the desk said.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::memory_records::MemoryDesk;
use super::{Desk, DeskScreen};
use crate::staff::Role;

pub(super) const MANAGER: &str = "m1";
pub(super) const RECEPTION: &str = "r1";

/// `minute` minutes into the tests' morning.
pub(super) fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 2, 10, 0, 0).unwrap() + Duration::minutes(minute)
}

/// The fake with a manager (PIN 2468) and a receptionist (PIN 1357).
pub(super) fn staffed() -> MemoryDesk {
    MemoryDesk::with_staff(&[
        (MANAGER, "Mia Manager", Role::Manager, "2468"),
        (RECEPTION, "Rob Reception", Role::Reception, "1357"),
    ])
}

/// A desk over `records`, opened at minute 0, with `who` signed in by `pin` (on its home).
pub(super) fn signed_in_to(records: &MemoryDesk, who: &str, pin: &str) -> Desk {
    let dir = std::env::temp_dir().join("intake-kiosk-desk-unit");
    let mut desk = Desk::with_open_records(Box::new(records.clone()), dir, at(0));
    desk.select_staff(who);
    desk.sign_in(pin, at(0));
    assert_eq!(desk.screen(), DeskScreen::Home, "{:?}", desk.message());
    desk
}

/// The desk's message is `text`, good news or not as `good` says.
#[track_caller]
pub(super) fn assert_said(desk: &Desk, text: &str, good: bool) {
    assert_eq!(desk.message(), (text, good));
}
