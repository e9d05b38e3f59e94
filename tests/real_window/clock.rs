//! A tablet whose clock reads behind what it recorded, by touch: a demo kiosk whose audit log
//! holds an entry a week ahead (its clock ran ahead, then was put right). `kiosk status` says the
//! clock is behind; in the window a manager taps *Hand over for a new patient*, no handover
//! starts and staff home says why, with both times; *The clock is right* confirms it, and the
//! next tap starts the handover. With the kiosk stopped, `kiosk status` says it is not behind.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_clinic};
use intake_kiosk::store::{AuditKind, OpenStore, Store};
use intake_kiosk::vault::Passphrase;

use crate::machine::{Display, kiosk_cli, tools_present};
use crate::patient::{opened_for_the_day, sign_in};
use crate::window::tag;

/// The line `kiosk status` prints about the clock.
fn clock_line(data: &Path) -> String {
    let status = kiosk_cli(data, &["status"], &[DEMO_PASSPHRASE]);
    status
        .lines()
        .find(|l| l.starts_with("clock: "))
        .unwrap_or_else(|| panic!("no clock line in {status}"))
        .to_owned()
}

#[test]
fn a_clock_behind_its_records_starts_no_handover_until_a_manager_confirms_it() {
    if !tools_present() {
        return;
    }
    let data = tempfile::tempdir().expect("data folder");
    let db = data.path().join("kiosk.sqlite3");
    drop(create_demo_clinic(&db).expect("the demo clinic"));
    let ahead = Utc::now() + chrono::Duration::days(7);
    let store = Store::open(&db).expect("open");
    let (open, _) =
        OpenStore::unlock(store, &Passphrase::new(DEMO_PASSPHRASE), Utc::now()).expect("unlock");
    open.record_event("kiosk", AuditKind::KioskOpened, "", ahead)
        .expect("an entry a week ahead");
    drop(open.close(None, Utc::now()).expect("close"));
    assert!(clock_line(data.path()).contains("is BEHIND"));

    let display = Display::start(1280, 800);
    let mut app = opened_for_the_day(&display, data.path());
    let shot = |name: &str| app.shot(&format!("{}-{name}", tag(&display, false)));
    sign_in(&app, "Maya (manager)", "402718");
    app.tap_button("Hand over for a new patient");
    let v = app.wait("the clock's message", |v| {
        v.find("Button", "The clock is right").is_some()
    });
    assert_eq!(v.screen(), "StaffHome", "no handover started");
    let message = v.get("message");
    assert!(
        message.starts_with("No handover: the clock reads"),
        "{message}"
    );
    let week_ahead = ahead
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    assert!(message.contains(&week_ahead), "{message}");
    shot("42-clock-behind");

    app.tap_button("The clock is right");
    let v = app.wait("the clock confirmed", |v| {
        v.find("Button", "The clock is right").is_none()
    });
    assert!(
        v.get("message").starts_with("The clock is confirmed"),
        "{}",
        v.get("message")
    );
    app.tap_button("Hand over for a new patient");
    app.wait("the handover", |v| v.screen() == "Handover");

    let (status, _) = app.terminate(Duration::from_secs(30));
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", app.log());
    assert!(clock_line(data.path()).contains("not behind"));
}
