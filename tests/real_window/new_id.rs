//! A new kiosk id by touch, on the back-office panel: a demo kiosk whose keys were made by
//! `kiosk pair-start` on the command line (its pairing never finished), opened in the window; a
//! manager signs in, opens *Back office*, taps *Pair as a new kiosk*, answers the question first
//! with *Keep this id* (nothing changes) and then with *New kiosk id*. The window names the new id
//! in its message and in the panel; with the kiosk stopped, `kiosk status` names the same id and
//! says it is not paired.

use std::path::Path;
use std::time::Duration;

use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_clinic};

use crate::machine::{Display, kiosk_cli, tools_present};
use crate::patient::{opened_for_the_day, sign_in};
use crate::window::{App, View, tag};

/// `intake-kiosk kiosk ARGS…` with the demo manager's passphrase.
fn cli(data: &Path, args: &[&str]) -> String {
    kiosk_cli(data, args, &[DEMO_PASSPHRASE])
}

/// The kiosk id `kiosk status` prints.
fn status_id(data: &Path) -> String {
    let status = cli(data, &["status"]);
    status
        .lines()
        .find_map(|l| l.strip_prefix("this kiosk: "))
        .unwrap_or_else(|| panic!("no kiosk id in {status}"))
        .trim()
        .to_owned()
}

/// The kiosk id the panel names.
fn shown_id(v: &View) -> Option<String> {
    v.elements.iter().find_map(|e| {
        e.label
            .strip_prefix("The back office lists this tablet as kiosk ")
            .map(|rest| rest.trim_end_matches('.').to_owned())
    })
}

/// Taps a button, scrolled into view first (the panel runs below the fold).
fn press(app: &App, display: &Display, label: &str) {
    let button = app.reveal("Button", label);
    let (x, y) = button.centre();
    display.tap_at(x, y);
}

#[test]
fn a_manager_gives_the_tablet_a_new_kiosk_id_by_touch_asked_first() {
    if !tools_present() {
        return;
    }
    let data = tempfile::tempdir().expect("data folder");
    drop(create_demo_clinic(&data.path().join("kiosk.sqlite3")).expect("the demo clinic"));
    cli(data.path(), &["pair-start"]);
    let old_id = status_id(data.path());

    let display = Display::start(1280, 800);
    let mut app = opened_for_the_day(&display, data.path());
    let shot = |name: &str| app.shot(&format!("{}-{name}", tag(&display, false)));
    sign_in(&app, "Maya (manager)", "402718");
    app.tap_button("Back office");
    let v = app.wait("the panel naming this kiosk", |v| shown_id(v).is_some());
    assert_eq!(shown_id(&v).as_deref(), Some(old_id.as_str()));

    press(&app, &display, "Pair as a new kiosk");
    app.wait("the question", |v| {
        v.find("Button", "Keep this id").is_some()
    });
    shot("40-back-office-new-kiosk-id-asked");
    press(&app, &display, "Keep this id");
    let v = app.wait("the question gone", |v| {
        v.find("Button", "Keep this id").is_none()
    });
    assert_eq!(
        shown_id(&v).as_deref(),
        Some(old_id.as_str()),
        "no, no change"
    );

    press(&app, &display, "Pair as a new kiosk");
    press(&app, &display, "New kiosk id");
    let v = app.wait("a new id", |v| shown_id(v).is_some_and(|id| id != old_id));
    let new_id = shown_id(&v).expect("shown");
    assert!(
        v.get("message")
            .starts_with(&format!("This tablet is now kiosk {new_id}.")),
        "{}",
        v.get("message")
    );
    shot("41-back-office-new-kiosk-id-made");

    let (status, _) = app.terminate(Duration::from_secs(30));
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", app.log());
    assert_eq!(status_id(data.path()), new_id);
    let printed = cli(data.path(), &["status"]);
    assert!(printed.contains("not paired"), "{printed}");
}
