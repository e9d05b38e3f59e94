//! Settings: checked before they are stored, listed with their defaults.

use super::*;

#[test]
fn settings_are_checked_before_they_are_stored_and_listed_with_defaults() {
    let (desk, manager, clinician, _) = desk_with_staff();
    let audit_before = desk
        .store
        .audit_entries(&manager, None, None)
        .unwrap()
        .len();
    for (key, value, says) in [
        ("flags.record", "3", "did you mean flags.records?"),
        ("idle.wipe_seconds", "150", "unknown setting"),
        ("hours.time_zone", "Europe/Londn", "not a time zone name"),
        ("hours.closes", "07:00", "not after opening time 08:00"),
        ("desk.idle_seconds", "5", "from 30 to 3600"),
        ("hours.utc_offset_minutes", "60", "set hours.time_zone"),
        ("active_form", "sha256:evil", "no longer set by hand"),
    ] {
        match desk.store.set_setting(&manager, key, value, t0()) {
            Err(StoreError::Setting(refused)) => {
                let message = refused.to_string();
                assert!(message.contains(says), "{key}: {message}")
            }
            other => panic!("{key}={value} was not refused: {other:?}"),
        }
        if key != "active_form" {
            assert_eq!(desk.store.setting(key).unwrap(), None, "{key} stored");
        }
    }
    // Nothing was written, not even an audit entry; a clinician cannot set anything.
    assert_eq!(
        desk.store
            .audit_entries(&manager, None, None)
            .unwrap()
            .len(),
        audit_before
    );
    assert!(matches!(
        desk.store
            .set_setting(&clinician, "flags.records", "3", t0()),
        Err(StoreError::Forbidden)
    ));

    desk.store
        .set_setting(&manager, "hours.time_zone", " Europe/Paris ", t0())
        .unwrap();
    desk.store
        .set_setting(&manager, "hours.opens", "07:30", t0())
        .unwrap();
    let listing = desk
        .store
        .settings_listing(intake_kiosk::settings::App::Desk)
        .unwrap();
    let row = |key: &str| {
        listing
            .iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("{key} listed"))
    };
    assert_eq!(
        row("hours.time_zone").value.as_deref(),
        Some("Europe/Paris")
    );
    assert_eq!(row("hours.time_zone").default, "Europe/London");
    assert_eq!(row("hours.opens").value.as_deref(), Some("07:30"));
    assert_eq!(row("flags.records").value, None);
    assert_eq!(row("flags.records").default, "20");
    assert!(!row("active_form").settable);
    assert!(listing.iter().all(|r| r.key != "idle.wipe_seconds"));
    // The kiosk's own idle limits are not the desk's: not listed, not set here.
    assert!(listing.iter().all(|r| !r.key.starts_with("kiosk.")));
}
