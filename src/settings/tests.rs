//! The settings table's rules: each kind's check, the listing, and refused values as shown.

use super::*;

#[test]
fn a_long_refused_value_is_not_echoed_whole() {
    let huge = "9".repeat(100_000);
    for (key, value) in [
        ("desk.idle_seconds", huge.as_str()),
        ("hours.opens", huge.as_str()),
        ("backup.folder", huge.as_str()),
        ("hours.time_zone", huge.as_str()),
        (huge.as_str(), "1"),
    ] {
        let said = validate(key, value).unwrap_err().to_string();
        assert!(said.len() < 300, "{} bytes: {}", said.len(), &said[..300]);
        assert!(said.contains("9999…"), "{said}");
    }
}

#[test]
fn every_default_passes_its_own_check() {
    for s in KNOWN.iter().filter(|s| s.settable()) {
        assert_eq!(
            validate(s.key, s.default).as_deref(),
            Ok(s.default),
            "{}",
            s.key
        );
    }
    check_hours(
        spec("hours.opens").unwrap().default,
        spec("hours.closes").unwrap().default,
    )
    .unwrap();
}

#[test]
fn a_whole_number_in_effect_is_the_stored_one_only_within_its_range() {
    let wipe = KIOSK_HANDOVER_IDLE_SECONDS;
    assert_eq!(whole(wipe, None), Some(120));
    assert_eq!(whole(wipe, Some("300")), Some(300));
    // Written past the checks (the row's tag is the store's guard; this is the second):
    // the default, never a wipe after a day or after a second.
    assert_eq!(whole(wipe, Some("86400")), Some(120));
    assert_eq!(whole(wipe, Some("1")), Some(120));
    assert_eq!(whole(wipe, Some("two minutes")), Some(120));
    assert_eq!(whole(KIOSK_STAFF_IDLE_SECONDS, None), Some(180));
    assert!(validate(wipe, "59").is_err());
    assert_eq!(
        validate(wipe, " +0090 ").as_deref(),
        Ok("90"),
        "stored plainly"
    );
    assert!(validate(wipe, "901").is_err());
    assert!(validate(KIOSK_STAFF_IDLE_SECONDS, "29").is_err());
    // Not a whole-number setting: no number to give.
    assert_eq!(whole("hours.opens", Some("08:00")), None);
    assert_eq!(whole("no.such", Some("5")), None);
}

#[test]
fn unknown_keys_and_bad_values_are_refused() {
    assert_eq!(
        validate("flags.record", "3"),
        Err(SettingError::Unknown {
            key: "flags.record".into(),
            suggestion: Some("flags.records")
        })
    );
    assert!(
        validate("idle.wipe_seconds", "150")
            .unwrap_err()
            .to_string()
            .starts_with("unknown setting")
    );
    assert!(matches!(
        validate("hours.opens", "late"),
        Err(SettingError::Invalid {
            key: "hours.opens",
            ..
        })
    ));
    assert!(validate("retention.adult_years", "0").is_err());
    assert!(validate("desk.idle_seconds", "5").is_err());
    assert!(validate("exchange_folder", "relative/dir").is_err());
    assert!(validate("hours.time_zone", "Mars/Olympus").is_err());
    assert!(validate("backup.folder", "backups").is_err());
    assert_eq!(
        validate("backup.folder", "/srv/backups").as_deref(),
        Ok("/srv/backups")
    );
    assert!(validate("backup.daily_time", "25:00").is_err());
    assert!(validate("backup.daily_time", "6pm").is_err());
    assert_eq!(
        validate("backup.daily_time", "18:30").as_deref(),
        Ok("18:30")
    );
    assert_eq!(validate("backup.daily_time", "").as_deref(), Ok(""));
    assert!(validate("backup.keep", "0").is_err());
    assert!(validate("backup.keep", "all").is_err());
    assert_eq!(
        validate("backup.kept", "3"),
        Err(SettingError::Unknown {
            key: "backup.kept".into(),
            suggestion: Some("backup.keep")
        })
    );
    assert!(matches!(
        validate("hours.utc_offset_minutes", "60"),
        Err(SettingError::NotSettable { .. })
    ));
    assert!(matches!(
        validate("active_form", "sha256:x"),
        Err(SettingError::NotSettable { .. })
    ));
    assert_eq!(validate("flags.records", " 4 ").as_deref(), Ok("4"));
    assert_eq!(validate("exchange_folder", "").as_deref(), Ok(""));
    assert!(check_hours("20:00", "08:00").is_err());
    assert!(check_hours("09:00", "09:00").is_err());
}

#[test]
fn the_listing_shows_stored_values_beside_defaults() {
    let rows = listing(App::Desk, |key| {
        Ok::<_, ()>((key == "hours.time_zone").then(|| "Europe/Paris".to_owned()))
    })
    .unwrap();
    let kiosk_only = KNOWN.iter().filter(|s| s.read_by == ReadBy::Kiosk).count();
    assert_eq!(rows.len(), KNOWN.len() - kiosk_only);
    let text = listing_text(&rows);
    assert!(text.contains("hours.time_zone            Europe/Paris     default Europe/London"));
    // A number's range is said from its kind, once.
    assert!(
        text.contains("within flags.window_minutes is flagged (1–10000)\n"),
        "{text}"
    );
    assert!(text.contains("[not set by hand]"), "{text}");
    assert!(text.contains("flags.records              (default)        default 20"));
    assert!(!text.contains("kiosk.handover_idle_seconds"));
    // The kiosk lists its own and the shared ones, not the desk's.
    let kiosk = listing_text(&listing(App::Kiosk, |_| Ok::<_, ()>(None)).unwrap());
    assert!(kiosk.contains("kiosk.handover_idle_seconds"), "{kiosk}");
    assert!(kiosk.contains("exchange_folder"), "{kiosk}");
    assert!(!kiosk.contains("retention.adult_years"), "{kiosk}");
}

#[test]
fn a_setting_the_other_app_reads_is_refused_with_where_to_set_it() {
    assert_eq!(
        validate_for(App::Desk, KIOSK_STAFF_IDLE_SECONDS, "60"),
        Err(SettingError::ReadElsewhere {
            key: KIOSK_STAFF_IDLE_SECONDS,
            reader: "kiosk"
        })
    );
    assert!(
        validate_for(App::Kiosk, "retention.adult_years", "9")
            .unwrap_err()
            .to_string()
            .contains("read by the desk")
    );
    assert_eq!(
        validate_for(App::Kiosk, EXCHANGE_FOLDER, "/media/usb").as_deref(),
        Ok("/media/usb")
    );
    // A bad value is said as such first, wherever it is read.
    assert!(matches!(
        validate_for(App::Desk, KIOSK_STAFF_IDLE_SECONDS, "5"),
        Err(SettingError::Invalid { .. })
    ));
}
