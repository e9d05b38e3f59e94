//! The desk's "Staff and keys" screen against the in-memory fake: who sees it, what each act
//! says and changes, what is dropped on lock. The sealed store's side: `tests/ui_desk.rs`.

use chrono::{DateTime, Utc};

use super::memory_records::MemoryDesk;
use super::test_support::{MANAGER, RECEPTION, assert_said, at, signed_in_to, staffed};
use super::{Desk, DeskScreen};
use crate::store::AuditKind;
use crate::store::memory_staff::HoldsStaff;

const PASSPHRASE: &str = "violet ferry lantern 42";

fn now() -> DateTime<Utc> {
    at(0)
}

fn signed_in(who: &str, pin: &str) -> (Desk, MemoryDesk) {
    let records = staffed();
    records
        .staff()
        .state()
        .passphrases
        .insert(MANAGER.into(), PASSPHRASE.into());
    let desk = signed_in_to(&records, who, pin);
    (desk, records)
}

fn manager_on_staff_keys() -> (Desk, MemoryDesk) {
    let (mut desk, records) = signed_in(MANAGER, "2468");
    desk.open_staff_keys();
    assert_eq!(desk.screen(), DeskScreen::StaffKeys, "{:?}", desk.message());
    (desk, records)
}

fn row_active(desk: &Desk, id: &str) -> bool {
    desk.staff_keys()
        .and_then(|v| v.staff.iter().find(|r| r.id == id))
        .map(|r| r.active)
        .expect("listed")
}

/// The passphrase the fake holds for `id`.
fn passphrase_of(records: &MemoryDesk, id: &str) -> Option<String> {
    records.staff().state().passphrases.get(id).cloned()
}

fn logged(records: &MemoryDesk, kind: AuditKind, subject: &str) -> bool {
    records
        .staff()
        .events()
        .iter()
        .any(|(who, k, s)| who == MANAGER && *k == kind && s == subject)
}

#[test]
fn reception_is_not_shown_staff_and_keys() {
    let (mut desk, _) = signed_in(RECEPTION, "1357");
    desk.open_staff_keys();
    assert_eq!(desk.screen(), DeskScreen::Home);
    assert!(desk.staff_keys().is_none());
    assert_said(&desk, "Your role may not do this.", false);
}

#[test]
fn a_retired_receptionist_is_listed_by_name_and_refused_at_sign_in() {
    let (mut desk, records) = manager_on_staff_keys();
    let texts: Vec<_> = desk
        .staff_keys()
        .expect("view")
        .staff
        .iter()
        .map(|r| (r.text.clone(), r.me))
        .collect();
    assert_eq!(
        texts,
        [
            ("Mia Manager — manager".to_owned(), true),
            ("Rob Reception — reception".to_owned(), false)
        ]
    );
    desk.retire_staff(RECEPTION, now());
    assert_said(
        &desk,
        "Rob Reception is retired: they can no longer sign in; their name stays on everything they did.",
        true,
    );
    assert!(!row_active(&desk, RECEPTION));
    assert_eq!(
        desk.staff_keys().expect("view").staff[1].text,
        "Rob Reception — retired"
    );
    assert!(logged(&records, AuditKind::StaffRetired, RECEPTION));

    desk.lock(now());
    desk.select_staff(RECEPTION);
    desk.sign_in("1357", now());
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    assert!(
        desk.message()
            .0
            .starts_with("This staff member has been retired"),
        "{:?}",
        desk.message()
    );
}

#[test]
fn the_last_manager_cannot_be_retired() {
    let (mut desk, records) = manager_on_staff_keys();
    desk.retire_staff(MANAGER, now());
    assert_said(
        &desk,
        "The last manager cannot be retired. Add another manager first.",
        false,
    );
    assert!(row_active(&desk, MANAGER));
    assert!(!logged(&records, AuditKind::StaffRetired, MANAGER));
}

#[test]
fn adding_staff_needs_a_name_and_a_manager_needs_a_passphrase_twice() {
    let (mut desk, records) = manager_on_staff_keys();
    desk.add_staff("  ", "reception", "583920", "", "", now());
    assert_said(&desk, "Give the staff member's name.", false);
    desk.add_staff("Nia New", "clinician", "583920", "", "", now());
    assert_said(&desk, "Nia New is added and can sign in.", true);
    let nia = desk
        .staff_keys()
        .and_then(|v| v.staff.iter().find(|r| r.name == "Nia New").cloned())
        .expect("listed");
    assert_eq!(nia.text, "Nia New — clinician");
    assert!(logged(&records, AuditKind::StaffAdded, &nia.id));

    desk.add_staff(
        "Max Manager",
        "manager",
        "583920",
        "amber kettle orbit 77",
        "amber kettle orbit 78",
        now(),
    );
    assert_said(&desk, "The two passphrases are not the same.", false);
    desk.add_staff("Max Manager", "manager", "583920", "short", "short", now());
    assert_said(&desk, "The passphrase needs at least 12 characters.", false);
    desk.add_staff(
        "Max Manager",
        "manager",
        "583920",
        "amber kettle orbit 77",
        "amber kettle orbit 77",
        now(),
    );
    assert_said(&desk, "Max Manager is added and can sign in.", true);
    assert_eq!(desk.staff_keys().expect("view").staff.len(), 4);
}

#[test]
fn a_reset_pin_replaces_the_old_one_but_never_ones_own() {
    let (mut desk, _) = manager_on_staff_keys();
    desk.reset_staff_pin(RECEPTION, "123456", now());
    assert!(desk.message().0.starts_with("That PIN is not allowed"));
    desk.reset_staff_pin(MANAGER, "583920", now());
    assert!(
        desk.message()
            .0
            .starts_with("Your own PIN is not reset here")
    );
    desk.reset_staff_pin(RECEPTION, "583920", now());
    assert_said(
        &desk,
        "The new PIN for Rob Reception is set; the old one no longer works.",
        true,
    );
    desk.lock(now());
    desk.select_staff(RECEPTION);
    desk.sign_in("1357", now());
    assert_eq!(desk.screen(), DeskScreen::SignIn);
    desk.sign_in("583920", now());
    assert_eq!(desk.screen(), DeskScreen::Home);
}

#[test]
fn a_passphrase_change_needs_the_current_one() {
    let (mut desk, records) = manager_on_staff_keys();
    let new = "quiet meadow harbour 9";
    desk.change_passphrase("not it at all, no", new, new, now());
    assert_said(
        &desk,
        "That passphrase is not right. Nothing was changed.",
        false,
    );
    desk.change_passphrase(PASSPHRASE, new, new, now());
    assert!(desk.message().1, "{:?}", desk.message());
    assert_eq!(passphrase_of(&records, MANAGER).as_deref(), Some(new));
    assert!(logged(&records, AuditKind::PassphraseChanged, ""));
}

#[test]
fn a_rotation_needs_every_managers_passphrase_and_shows_a_recovery_key_once() {
    let (mut desk, records) = manager_on_staff_keys();
    let theirs = "amber kettle orbit 77";
    desk.add_staff("Max Manager", "manager", "583920", theirs, theirs, now());
    desk.rotate_key(&[PASSPHRASE, ""], now());
    assert_said(
        &desk,
        "The passphrase of Max Manager is needed too (or retire them first).",
        false,
    );
    assert_eq!(records.staff().state().data_keys, 0);
    desk.rotate_key(&[PASSPHRASE, theirs], now());
    assert_eq!(records.staff().state().data_keys, 1);
    assert!(desk.message().1, "{:?}", desk.message());
    assert!(logged(&records, AuditKind::DataKeyRotated, ""));
    let first = desk
        .staff_keys()
        .and_then(|v| v.recovery_key.clone())
        .expect("the new recovery key is shown");
    desk.recovery_key_noted();
    assert!(desk.staff_keys().expect("view").recovery_key.is_none());

    // A new recovery key: another one, shown until the screen is left or the desk locked.
    desk.new_recovery_key(now());
    let second = desk
        .staff_keys()
        .and_then(|v| v.recovery_key.clone())
        .expect("shown");
    assert_ne!(first, second);
    assert!(logged(&records, AuditKind::RecoveryKeyReplaced, ""));
    desk.lock(now());
    assert!(desk.staff_keys().is_none());
}

#[test]
fn on_a_desk_opened_by_the_recovery_key_my_passphrase_is_set_anew() {
    const NEW: &str = "orchid quarry window 61";
    let (mut desk, records) = manager_on_staff_keys();
    assert!(!desk.staff_keys().expect("shown").set_anew);
    desk.change_passphrase("", NEW, NEW, now());
    assert!(
        passphrase_of(&records, MANAGER).as_deref() == Some(PASSPHRASE),
        "without the recovery key the current passphrase is asked: {:?}",
        desk.message()
    );

    records.staff().state().by_recovery = true;
    desk.open_staff_keys();
    assert!(desk.staff_keys().expect("shown").set_anew);
    desk.change_passphrase("", NEW, NEW, now());
    assert_eq!(
        passphrase_of(&records, MANAGER).as_deref(),
        Some(NEW),
        "{:?}",
        desk.message()
    );
    assert!(logged(
        &records,
        AuditKind::PassphraseChanged,
        "by recovery key"
    ));
}
