//! The desk controller against its in-memory fake: screens, what is held and dropped, role
//! refusals and messages. The sealed store's side is tested in `tests/desk_rights.rs`.

use chrono::Duration;

use super::Desk;
use super::DeskScreen;
use super::memory_records::MemoryDesk;
use super::test_support::{MANAGER, RECEPTION, assert_said, at, signed_in_to, staffed};
use crate::store::AuditKind;
use crate::store::memory_staff::HoldsStaff;

fn desk() -> (Desk, MemoryDesk) {
    let records = staffed();
    records.add_patient(
        "p-ada",
        "Ada",
        "Lovelace",
        "1985-12-10",
        &["treatment", "marketing_sms"],
    );
    records.add_patient("p-bob", "Bob", "Brown", "1970-01-01", &["treatment"]);
    let dir = std::env::temp_dir().join("intake-kiosk-desk-unit");
    (
        Desk::with_open_records(Box::new(records.clone()), dir, at(0)),
        records,
    )
}

fn signed_in(who: &str, pin: &str) -> (Desk, MemoryDesk) {
    let (_, records) = desk();
    let desk = signed_in_to(&records, who, pin);
    (desk, records)
}

/// Every setting the fake holds, by key.
fn settings_held(records: &MemoryDesk) -> Vec<(String, String)> {
    records.state().settings.clone().into_iter().collect()
}

/// `pairs` as [`settings_held`] lists them.
fn settings(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_blank_pin_is_no_attempt() {
    let (mut desk, _) = desk();
    desk.select_staff(RECEPTION);
    desk.sign_in("", at(0));
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    assert_said(&desk, "Type your PIN first.", false);
    desk.sign_in("0000", at(0));
    assert_said(&desk, "Wrong PIN (1 wrong so far).", false);
}

#[test]
fn a_wrong_pin_keeps_the_sign_in_screen_and_says_so() {
    let (mut desk, _) = desk();
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    desk.select_staff(RECEPTION);
    desk.sign_in("0000", at(0));
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    assert_said(&desk, "Wrong PIN (1 wrong so far).", false);
}

#[test]
fn search_then_open_shows_the_record_and_lock_drops_everything() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    desk.search("ada", "LOVELACE", "1985-12-10", at(1));
    assert_said(&desk, "1 found.", true);
    assert_eq!(desk.results().len(), 1);
    assert_eq!(desk.results()[0].name, "Ada Lovelace");
    // Listed by one look-up; the record counts as viewed only once it is opened.
    let kinds = || -> Vec<AuditKind> { records.staff().events().iter().map(|e| e.1).collect() };
    assert_eq!(kinds(), [AuditKind::PatientLookup]);
    desk.open_patient("p-ada", at(1));
    assert_eq!(kinds().last(), Some(&AuditKind::RecordViewed));
    assert_eq!(desk.screen(), DeskScreen::Record);
    assert_eq!(desk.record().map(|r| r.patient_id.as_str()), Some("p-ada"));
    desk.lock(at(2));
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    assert!(desk.results().is_empty() && desk.record().is_none());
    let events = records.staff().events();
    assert!(
        events
            .iter()
            .any(|(who, k, _)| who == RECEPTION && *k == AuditKind::SignedOut)
    );
}

#[test]
fn namesakes_born_the_same_day_are_listed_with_their_postcodes() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    records.add_patient("p-ada-2", "Ada", "Lovelace", "1985-12-10", &["treatment"]);
    for (id, postcode) in [("p-ada", "EC1A 1BB"), ("p-ada-2", "N1 9GU")] {
        let mut state = records.state();
        let patient = state.patients.get_mut(id).expect("added");
        postcode.clone_into(&mut patient.identity.postcode);
    }
    desk.search("Ada", "Lovelace", "1985-12-10", at(1));
    assert_said(&desk, "2 found.", true);
    let mut postcodes: Vec<&str> = desk.results().iter().map(|r| r.postcode.as_str()).collect();
    postcodes.sort_unstable();
    assert_eq!(postcodes, ["EC1A 1BB", "N1 9GU"]);
}

#[test]
fn merge_candidates_name_their_postcode() {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    records.add_patient("p-ada-2", "Ada", "Lovelace", "1985-12-10", &["treatment"]);
    records
        .state()
        .patients
        .get_mut("p-ada-2")
        .expect("added")
        .identity
        .postcode = "N1 9GU".into();
    desk.search("Ada", "Lovelace", "1985-12-10", at(1));
    desk.open_patient("p-ada", at(1));
    let candidates = &desk.record().expect("open").merge_candidates;
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].id, "p-ada-2");
    assert!(
        candidates[0].text.contains("postcode N1 9GU"),
        "{:?}",
        candidates[0].text
    );
    // The record opened has none: a dash, not an empty gap.
    desk.open_patient("p-ada-2", at(1));
    let candidates = &desk.record().expect("open").merge_candidates;
    assert!(
        candidates[0].text.contains("postcode —"),
        "{:?}",
        candidates[0].text
    );
}

#[test]
fn what_one_was_told_is_gone_when_the_desk_locks() {
    let (mut desk, _) = signed_in(RECEPTION, "1357");
    desk.search("Ada", "Lovelace", "1985-12-10", at(1));
    assert_ne!(desk.message().0, "");
    desk.lock(at(1));
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    assert_eq!(desk.message(), ("", false));
}

#[test]
fn idle_lock_drops_the_record_after_the_idle_time_only() {
    let (mut desk, _) = signed_in(RECEPTION, "1357");
    desk.open_patient("p-ada", at(0));
    desk.tick(at(4));
    assert_eq!(desk.screen(), DeskScreen::Record);
    desk.tick(at(5));
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    assert!(desk.record().is_none());
    assert_said(&desk, "Locked after a time without use.", false);
}

#[test]
fn each_lock_is_counted_for_the_clipboard_and_opening_a_record_is_not() {
    // The window clears the clipboard when the count moves (`ui::clipboard`).
    let (mut desk, _) = signed_in(RECEPTION, "1357");
    let before = desk.screen_wipes();
    desk.open_patient("p-ada", at(0));
    assert_eq!(desk.screen_wipes(), before);
    desk.lock(at(1));
    assert_eq!(desk.screen_wipes(), before + 1, "locked by hand");
    let (mut desk, _) = signed_in(RECEPTION, "1357");
    desk.tick(at(5));
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    assert_eq!(desk.screen_wipes(), before + 1, "locked when idle");
}

#[test]
fn withdrawing_reopens_the_record_with_the_new_state_and_names_the_item() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    desk.open_patient("p-ada", at(0));
    desk.withdraw("marketing_sms", at(1));
    assert!(desk.message().1, "{:?}", desk.message());
    assert!(desk.message().0.starts_with("Withdrawn: "));
    let state = crate::forms::current_state(&records.state().patients["p-ada"].consents);
    assert_eq!(state["marketing_sms"], crate::forms::Decision::Withdrawn);
    assert_eq!(desk.screen(), DeskScreen::Record);
}

#[test]
fn reception_is_refused_manager_actions_in_words() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    desk.open_patient("p-ada", at(0));
    desk.toggle_restriction(at(1));
    assert_said(&desk, "Your role may not do this.", false);
    desk.erase(at(1));
    assert_said(&desk, "Your role may not do this.", false);
    assert!(records.state().patients.contains_key("p-ada"));
}

#[test]
fn a_refusal_is_said_in_the_staffs_language() {
    let (desk, _) = desk();
    let mut desk = desk.with_language("de");
    desk.select_staff(RECEPTION);
    desk.sign_in("1357", at(0));
    desk.open_patient("p-ada", at(0));
    desk.toggle_restriction(at(1));
    let expected = crate::i18n::t("de", "Your role may not do this.", &[]);
    assert_ne!(
        expected, "Your role may not do this.",
        "the German catalogue has it"
    );
    assert_said(&desk, expected.as_str(), false);
}

#[test]
fn an_erased_record_leaves_the_screen_and_the_results() {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    desk.search("Ada", "Lovelace", "1985-12-10", at(0));
    desk.open_patient("p-ada", at(0));
    desk.erase(at(1));
    assert_eq!(desk.screen(), DeskScreen::Home);
    assert!(desk.results().is_empty());
    assert!(!records.state().patients.contains_key("p-ada"));
    assert!(
        desk.message().0.starts_with("Erasure statement saved to "),
        "{:?}",
        desk.message()
    );
}

#[test]
fn an_erasure_removes_the_patients_access_export_from_the_export_folder() {
    let (_, records) = desk();
    let exports = tempfile::tempdir().unwrap();
    let dir = exports.path();
    let mut desk = Desk::with_open_records(Box::new(records.clone()), dir.to_owned(), at(0));
    desk.select_staff(MANAGER);
    desk.sign_in("2468", at(0));
    for suffix in [".json", ".fhir.json", ".html"] {
        std::fs::write(
            dir.join(format!("patient-p-ada{suffix}")),
            b"contact details",
        )
        .unwrap();
    }
    // Not hers, or not an ordinary file: left alone.
    std::fs::write(dir.join("patient-p-grace.json"), b"another patient").unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("keep"), b"x").unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("keep"), dir.join("patient-p-ada.txt"))
        .unwrap();
    desk.open_patient("p-ada", at(0));
    desk.erase(at(1));
    assert!(!records.state().patients.contains_key("p-ada"));
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "erasure-p-ada.txt",
            "patient-p-ada.txt",
            "patient-p-grace.json"
        ]
    );
    assert!(elsewhere.path().join("keep").exists());
}

#[test]
fn a_breach_without_a_reference_is_not_marked_reported() {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    desk.record_breach("a tablet was left unlocked", "high", at(0));
    assert!(desk.message().0.contains("72 hours"));
    let id = records.state().breaches[0].id.clone();
    desk.breach_reported(&id, "  ", at(1));
    assert_said(
        &desk,
        "Give the regulator's reference for the report.",
        false,
    );
    assert!(records.state().breaches[0].reported_at.is_none());
    desk.breach_reported(&id, "ICO-123", at(2));
    assert_eq!(records.state().breaches[0].regulator_reference, "ICO-123");
}

/// A second tap on Record (or a script run twice) records no second breach, with a second 72-hour
/// clock; other words, another risk, or the same words once the first is reported, do.
#[test]
fn the_same_breach_tapped_twice_is_recorded_once() {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    desk.record_breach("a tablet was left unlocked", "high", at(0));
    assert!(desk.message().1, "{:?}", desk.message());
    desk.record_breach(" a tablet was left unlocked ", "high", at(1));
    assert_said(
        &desk,
        "This breach is recorded already (discovered 2027-03-02 10:00 UTC) and not yet reported: nothing was recorded again. Describe a second one in other words.",
        false,
    );
    assert_eq!(records.state().breaches.len(), 1);
    desk.record_breach("a tablet was left unlocked", "unlikely", at(2));
    desk.record_breach("a second tablet was left unlocked", "high", at(2));
    assert_eq!(records.state().breaches.len(), 3);
    let id = records.state().breaches[0].id.clone();
    desk.breach_reported(&id, "ICO-123", at(3));
    desk.record_breach("a tablet was left unlocked", "high", at(4));
    assert!(desk.message().1, "{:?}", desk.message());
    assert_eq!(records.state().breaches.len(), 4);
}

#[test]
fn a_request_logged_on_the_record_is_due_in_a_month_and_can_be_extended() {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    desk.open_patient("p-bob", at(0));
    desk.log_request("access", "Bob Brown", "passport seen", at(0));
    assert_said(&desk, "Request logged (access): due 2027-04-02.", true);
    let id = records.state().requests[0].id.clone();
    desk.extend_request(&id, "complex request", at(1));
    assert_said(&desk, "Request extended: now due 2027-06-02.", true);
}

#[test]
fn contact_details_are_corrected_trimmed() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    desk.open_patient("p-bob", at(0));
    desk.amend_contact(" AB1 2CD ", "bob@example.org", "", "moved house", at(1));
    assert!(desk.message().1, "{:?}", desk.message());
    assert_eq!(
        records.state().patients["p-bob"].identity.postcode,
        "AB1 2CD"
    );
}

#[test]
fn the_kiosk_folders_are_set_by_managers_as_full_paths_only() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    desk.save_folders("/media/usb", "", at(1));
    assert_said(&desk, "Your role may not do this.", false);
    assert!(records.state().settings.is_empty());

    let (mut desk, records) = signed_in(MANAGER, "2468");
    desk.save_folders("", "  ", at(1));
    assert_said(
        &desk,
        "Set the exchange folder first (under Kiosks and bundles).",
        false,
    );
    // One relative folder sets neither.
    desk.save_folders("/media/usb", "outbox", at(1));
    assert_said(
        &desk,
        "outbox is not a full path: a folder must start with /, such as /media/usb.",
        false,
    );
    assert!(records.state().settings.is_empty());
    // Only a folder's last step is made when first written into: a path that could not be made
    // then (a slip, a share not connected) sets neither, and says which.
    let disk = tempfile::tempdir().unwrap();
    let (usb, emr) = (disk.path().join("usb"), disk.path().join("emr"));
    let slip = disk.path().join("nmt").join("usb");
    desk.save_folders(slip.to_str().unwrap(), emr.to_str().unwrap(), at(1));
    assert_said(
        &desk,
        &format!(
            "Neither {} nor the folder it would be made in exists: check the path, and that its disk is connected.",
            slip.display()
        ),
        false,
    );
    assert!(records.state().settings.is_empty());
    desk.save_folders(&format!(" {} ", usb.display()), "", at(1));
    assert_said(&desk, "Folders saved.", true);
    desk.save_folders("", emr.to_str().unwrap(), at(1));
    assert_eq!(
        settings_held(&records),
        settings(&[
            ("exchange_folder", usb.to_str().unwrap()),
            ("outbox_folder", emr.to_str().unwrap())
        ])
    );
    let status = desk.import_status(at(1));
    assert!(status.iter().all(|l| !l.alert), "{status:?}");
}

#[test]
fn pairing_a_kiosk_needs_its_code_a_folder_and_a_manager() {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    let refused = |desk: &mut Desk, code: &str, said: &str| {
        desk.pair_kiosk(code, false, at(1));
        assert_said(desk, said, false);
    };
    refused(
        &mut desk,
        "   ",
        "Paste the kiosk's pairing code (it starts with IKP1:) or type the full path of a picture of its QR code.",
    );
    refused(
        &mut desk,
        "IKP1:whatever",
        "Set the exchange folder first (under Kiosks and bundles).",
    );
    records
        .state()
        .settings
        .insert("exchange_folder".into(), "/media/usb".into());
    refused(
        &mut desk,
        "IKP1:whatever",
        "That is not a kiosk's pairing code. Copy all of it (it starts with IKP1:), or give the full path of a picture of the QR code.",
    );
    // A full path is a picture: one that is not there is said so, with its name.
    desk.pair_kiosk("/nowhere/qr.png", false, at(1));
    let (text, good) = desk.message();
    assert!(
        !good && text.starts_with("No pairing code could be read from /nowhere/qr.png: "),
        "{text}"
    );

    let (mut desk, _) = signed_in(RECEPTION, "1357");
    desk.pair_kiosk("/etc/passwd", false, at(1));
    assert_said(&desk, "Your role may not do this.", false);
}

#[test]
fn the_record_lists_consents_in_the_forms_order_treatment_first() {
    let (mut desk, _) = signed_in(RECEPTION, "1357");
    desk.open_patient("p-ada", at(1));
    let record = desk.record().expect("the record");
    let items: Vec<&str> = record.consents.iter().map(|c| c.item.as_str()).collect();
    // Item ids sort the other way ("marketing_sms" < "treatment").
    assert_eq!(items, ["treatment", "marketing_sms"]);
}

#[test]
fn revoking_a_kiosk_is_for_managers_and_names_one() {
    let (mut desk, _) = signed_in(RECEPTION, "1357");
    desk.revoke_kiosk("k-1", at(1));
    assert_said(&desk, "Your role may not do this.", false);
    let (mut desk, _) = signed_in(MANAGER, "2468");
    desk.revoke_kiosk("  ", at(1));
    assert_said(&desk, "Choose the kiosk first.", false);
    // The fake pairs no kiosk: an unknown one is nothing to do.
    desk.revoke_kiosk("k-1", at(1));
    assert_said(
        &desk,
        "Nothing to do: no such record or nothing granted.",
        false,
    );
}

#[test]
fn the_backup_schedule_is_set_by_managers_as_a_full_path_and_a_clock_time() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    desk.save_backup_schedule("/srv/backups", "", at(1));
    assert_said(&desk, "Your role may not do this.", false);
    desk.backup_now(at(1));
    assert_said(&desk, "Your role may not do this.", false);
    assert!(records.state().settings.is_empty());

    let (mut desk, records) = signed_in(MANAGER, "2468");
    desk.backup_now(at(1));
    assert_said(&desk, "Set the backup folder first (under Backups).", false);
    desk.save_backup_schedule("", " ", at(1));
    assert_said(&desk, "Set the backup folder first (under Backups).", false);
    desk.save_backup_schedule("/srv/backups", "6pm", at(1));
    assert_said(
        &desk,
        "6pm is not a time of day: give it as HH:MM on the 24-hour clock, such as 21:30.",
        false,
    );
    assert!(records.state().settings.is_empty(), "neither is set");
    desk.save_backup_schedule("/srv/backups", "18:30", at(1));
    assert_said(&desk, "Backup schedule saved.", true);
    assert_eq!(
        settings_held(&records),
        settings(&[
            ("backup.daily_time", "18:30"),
            ("backup.folder", "/srv/backups")
        ])
    );
    // The fake has no file to copy: the failure is said, its reason left to the backups line.
    desk.backup_now(at(1));
    assert_said(
        &desk,
        "The backup failed: the reason is under Backups.",
        false,
    );
}

#[test]
fn every_setting_the_clinic_list_shows_has_words_for_staff() {
    for spec in crate::settings::KNOWN {
        if super::actions::listed_here(spec) {
            assert!(
                super::settings_panel::setting_words(spec.key).is_some(),
                "{} has no words on the desk",
                spec.key
            );
        }
    }
}

#[test]
fn only_a_manager_sees_and_sets_the_clinics_settings_and_a_bad_value_changes_nothing() {
    let (desk, _) = signed_in(RECEPTION, "1357");
    assert!(desk.clinic_settings().is_empty());
    let (mut desk, records) = signed_in(MANAGER, "2468");
    let rows = desk.clinic_settings();
    let idle = rows
        .iter()
        .find(|r| r.key == "desk.idle_seconds")
        .expect("the idle lock is listed");
    assert_eq!(idle.value, "300");
    assert_eq!(idle.hint, "a whole number from 30 to 3600");
    assert!(
        rows.iter()
            .all(|r| r.key != "exchange_folder" && r.key != "active_form")
    );
    desk.save_setting("desk.idle_seconds", "5", at(1));
    assert_said(
        &desk,
        "Not saved. Seconds without use before this window locks: give a whole number from 30 to 3600.",
        false,
    );
    assert_eq!(desk.idle_lock(), Duration::seconds(300));
    desk.save_setting("desk.idle_seconds", "90", at(1));
    assert!(desk.message().1, "{:?}", desk.message());
    assert_eq!(desk.idle_lock(), Duration::seconds(90));
    use super::DeskRecords;
    assert_eq!(
        records.setting("desk.idle_seconds").unwrap().as_deref(),
        Some("90")
    );
}

#[test]
fn only_a_manager_confirms_the_clock_and_it_is_logged() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    desk.confirm_clock(at(5));
    assert_said(&desk, "Your role may not do this.", false);
    let (mut desk, records_m) = signed_in(MANAGER, "2468");
    desk.confirm_clock(at(5));
    assert_said(
        &desk,
        "The clock is confirmed as right: corrections, requests and breaches are dated by it again.",
        true,
    );
    assert!(!desk.clock_ahead());
    let confirmed = |r: &MemoryDesk| {
        r.staff()
            .events()
            .iter()
            .filter(|e| e.1 == AuditKind::ClockConfirmed)
            .count()
    };
    assert_eq!((confirmed(&records), confirmed(&records_m)), (0, 1));
}

/// A desk whose records hold a time a week after its clock (it ran ahead, then was put right,
/// or it was set back): everyone sees why on the home screen; a withdrawal, a request, a breach
/// and a correction are refused, naming both times, and nothing is written; a manager's word
/// lets them through.
#[test]
fn a_clock_behind_the_records_dates_nothing_until_a_manager_confirms_it() {
    let (mut desk, records) = signed_in(RECEPTION, "1357");
    records.state().newest_recorded = Some(at(7 * 24 * 60));
    let home = desk.home(at(1));
    assert!(
        home.alerts[0].text.starts_with(
            "The clock reads 2027-03-02 10:01 UTC, before 2027-03-09 10:00 UTC, which this desk has already recorded"
        ),
        "{:?}",
        home.alerts
    );
    assert!(desk.clock_behind(at(1)) && desk.clock_to_confirm(at(1)));
    desk.open_patient("p-ada", at(1));
    let refused = "The clock reads 2027-03-02 10:02 UTC, before 2027-03-09 10:00 UTC, which this desk has already recorded, so nothing was written: a withdrawal or correction dated by it would count as made before what was recorded since. Set the date and time; if the clock is right (it ran ahead before), a manager taps The clock is right.";
    desk.withdraw("marketing_sms", at(2));
    assert_said(&desk, refused, false);
    desk.log_request("access", "Ada Lovelace", "passport seen", at(2));
    assert_said(&desk, refused, false);
    desk.amend_contact("SW1A 1AA", "", "", "moved", at(2));
    assert_said(&desk, refused, false);
    {
        let state = records.state();
        let ada = &state.patients["p-ada"];
        assert_eq!(
            crate::forms::current_state(&ada.consents)["marketing_sms"],
            crate::forms::Decision::Granted,
            "nothing withdrawn"
        );
        assert!(state.requests.is_empty());
    }
    // Reception cannot vouch for the clock; a manager can.
    desk.confirm_clock(at(3));
    assert_said(&desk, "Your role may not do this.", false);
    let mut desk = super::test_support::signed_in_to(&records, MANAGER, "2468");
    desk.record_breach("a laptop left on a train", "high", at(3));
    assert_said(&desk, refused.replace("10:02", "10:03").as_str(), false);
    assert!(records.state().breaches.is_empty());
    desk.confirm_clock(at(4));
    assert!(desk.message().1, "{:?}", desk.message());
    assert!(!desk.clock_behind(at(5)));
    assert!(desk.home(at(5)).alerts.is_empty());
    desk.open_patient("p-ada", at(5));
    desk.withdraw("marketing_sms", at(5));
    assert!(desk.message().1, "{:?}", desk.message());
    assert_eq!(
        crate::forms::current_state(&records.state().patients["p-ada"].consents)["marketing_sms"],
        crate::forms::Decision::Withdrawn
    );
}

/// A clock before this version's release (a flat clock battery: 2000-01-01) runs behind whatever
/// the records hold, the desk's newest time included when it has none.
#[test]
fn a_clock_reset_to_2000_dates_nothing() {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    let reset = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2000, 1, 1, 0, 0, 0).unwrap();
    assert!(desk.clock_behind(reset));
    desk.record_breach("a laptop left on a train", "high", reset);
    assert!(!desk.message().1);
    assert!(
        desk.message()
            .0
            .starts_with("The clock reads 2000-01-01 00:00 UTC, before 2026-12-01 00:00 UTC"),
        "{:?}",
        desk.message()
    );
    assert!(records.state().breaches.is_empty());
}
