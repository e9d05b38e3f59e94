//! The controller against the in-memory records fake: no disk, no crypto, same rules.

use super::*;
use crate::forms::AnswerValue;
use crate::store::{EventLog, MemoryRecords};

const PINS: [(&str, Role, &str); 3] = [
    ("Maya", Role::Manager, "402718"),
    ("Chris", Role::Clinician, "918273"),
    ("Rita", Role::Reception, "560193"),
];

pub(crate) fn kiosk() -> (Kiosk, EventLog) {
    let records = MemoryRecords::with_staff(&PINS);
    let events = records.event_log();
    let k = Kiosk::with_open_records(
        Box::new(records),
        "Test Clinic",
        FormDefinition::built_in(),
        Timeouts::default(),
    )
    .expect("kiosk");
    (k, events)
}

pub(crate) fn sign_in(k: &mut Kiosk, who: usize) {
    let id = k.staff()[who].id.clone();
    k.pin_select(&id);
    for d in PINS[who].2.chars() {
        k.pin_digit(&d.to_string());
    }
    k.pin_submit();
}

fn fill_required(k: &mut Kiosk) {
    for (q, v) in [
        ("given_name", "Ada"),
        ("family_name", "Lovelace"),
        ("date_of_birth", "1985-12-10"),
        ("postcode", "SW1A 1AA"),
    ] {
        k.set_text(q, v);
    }
    k.set_yes_no("conditions_any", false);
    k.set_yes_no("pregnant", false);
    k.set_yes_no("allergies_any", true);
    k.set_text("allergies_detail", "latex");
}

/// Fills the required answers, ticks `consents`, walks to the end, signs and submits.
pub(crate) fn complete_handover(k: &mut Kiosk, consents: &[&str]) {
    fill_required(k);
    for item in consents {
        k.set_consent(item, true);
    }
    for _ in 0..20 {
        k.next_step();
    }
    k.sign_point(5.0, 5.0, true);
    k.submit();
}

#[test]
fn a_handover_saves_each_consent_and_wipes_the_form() {
    let (mut k, events) = kiosk();
    sign_in(&mut k, 1);
    assert_eq!(k.screen(), Screen::StaffHome);
    k.start_new_handover();
    assert_eq!(k.screen(), Screen::Handover);
    fill_required(&mut k);
    k.submit();
    assert_eq!(
        k.screen(),
        Screen::Handover,
        "no treatment consent and no signature"
    );
    assert!(k.form.problems.contains(&FormProblem::ConsentRequired {
        item: "treatment".into()
    }));
    assert!(k.form.signature_missing);
    k.set_consent("treatment", true);
    k.set_consent("photo_website", true);
    for _ in 0..20 {
        k.next_step();
    }
    k.sign_point(10.0, 10.0, true);
    k.sign_point(50.0, 40.0, false);
    k.submit();
    assert_eq!(k.screen(), Screen::HandBack);
    assert!(
        k.form.answers.is_empty() && k.form.signature.is_empty(),
        "wiped"
    );
    let kinds: Vec<AuditKind> = events.lock().expect("log").iter().map(|e| e.1).collect();
    assert!(
        kinds.contains(&AuditKind::HandoverStarted) && kinds.contains(&AuditKind::HandoverEnded)
    );
}

#[test]
fn refusing_marketing_and_photos_never_blocks_treatment() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 2);
    k.start_new_handover();
    fill_required(&mut k);
    k.set_consent("treatment", true);
    for _ in 0..20 {
        k.next_step();
    }
    k.sign_point(1.0, 1.0, true);
    k.submit();
    assert_eq!(
        k.screen(),
        Screen::HandBack,
        "only treatment ticked is enough"
    );
}

#[test]
fn idle_warns_then_wipes_and_touch_resets() {
    let (mut k, events) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    k.set_text("given_name", "Grace");
    for _ in 0..89 {
        k.tick();
    }
    assert_eq!(k.countdown(), None);
    k.tick();
    assert_eq!(k.countdown(), Some(30));
    k.activity();
    assert_eq!(k.countdown(), None, "a touch cancels the countdown");
    for _ in 0..120 {
        k.tick();
    }
    assert_eq!(k.screen(), Screen::HandBack);
    assert!(k.form.answers.is_empty());
    assert!(
        events
            .lock()
            .expect("log")
            .iter()
            .any(|e| e.1 == AuditKind::HandoverWiped)
    );
    // Nothing typed on the hand-back screen lands anywhere.
    k.set_text("given_name", "Mallory");
    assert!(k.form.answers.is_empty());
}

#[test]
fn staff_screens_lock_when_idle() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 0);
    for _ in 0..180 {
        k.tick();
    }
    assert_eq!(k.screen(), Screen::Locked);
    assert!(k.actor().is_none());
}

#[test]
fn wrong_pins_show_tries_then_a_wait() {
    let (mut k, _) = kiosk();
    let id = k.staff()[2].id.clone();
    for expected_left in [2, 1] {
        k.pin_select(&id);
        for d in "999990".chars() {
            k.pin_digit(&d.to_string());
        }
        k.pin_submit();
        assert_eq!(
            k.pin_message(),
            Some(&Message::WrongPin {
                tries_before_pause: expected_left
            })
        );
    }
    k.pin_select(&id);
    k.pin_digit("1");
    k.pin_submit();
    assert!(matches!(k.pin_message(), Some(Message::Wait { .. })));
    assert_eq!(k.screen(), Screen::Locked);
}

#[test]
fn a_stray_pin_in_handover_needs_the_staff_prompt() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    let id = k.staff()[1].id.clone();
    k.pin_select(&id);
    for d in "918273".chars() {
        k.pin_digit(&d.to_string());
    }
    k.pin_submit();
    assert_eq!(k.screen(), Screen::Handover, "no prompt open");
    k.staff_button();
    sign_in(&mut k, 1);
    assert_eq!(k.screen(), Screen::StaffHome);
}

#[test]
fn reception_cannot_add_staff_and_pins_follow_the_rules() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 2);
    k.add_staff("New", "clinician", "583920");
    assert_eq!(k.message(), Some(&Message::NotAllowed));
    k.lock_now();
    sign_in(&mut k, 0);
    k.add_staff("New", "clinician", "123456");
    assert_eq!(k.message(), Some(&Message::PinNotAllowed));
    k.add_staff("Nia", "clinician", "583920");
    assert_eq!(k.message(), Some(&Message::StaffAdded));
    assert!(k.staff().iter().any(|m| m.name == "Nia"));
}

#[test]
fn answers_to_hidden_questions_are_not_saved() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    k.set_yes_no("allergies_any", true);
    k.set_text("allergies_detail", "nuts");
    k.set_yes_no("allergies_any", false);
    let saved = k.form.medical_answers(k.definition());
    assert!(saved.get("allergies_detail").is_none());
    assert!(matches!(
        saved.get("allergies_any"),
        Some(AnswerValue::YesNo(false))
    ));
    assert!(
        saved.get("given_name").is_none(),
        "identity goes to the patient record, not the answers"
    );
}

#[test]
fn a_manager_unlocks_a_locked_account_with_the_passphrase() {
    let (mut k, _) = kiosk();
    let offset = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let o = offset.clone();
    k.set_clock(std::sync::Arc::new(move || {
        Utc::now() + chrono::Duration::seconds(o.load(std::sync::atomic::Ordering::SeqCst))
    }));
    let rita = k.staff()[2].id.clone();
    for _ in 0..10 {
        offset.fetch_add(3600, std::sync::atomic::Ordering::SeqCst);
        k.pin_select(&rita);
        k.pin_digit("9");
        k.pin_submit();
    }
    assert_eq!(k.pin_message(), Some(&Message::AccountLocked));
    sign_in(&mut k, 1);
    k.unlock_staff(&rita, crate::store::MEMORY_PASSPHRASE);
    assert_eq!(
        k.message(),
        Some(&Message::NotAllowed),
        "a clinician cannot"
    );
    k.lock_now();
    sign_in(&mut k, 0);
    k.unlock_staff(&rita, "not the passphrase");
    assert_eq!(k.message(), Some(&Message::WrongPassphrase));
    k.unlock_staff(&rita, crate::store::MEMORY_PASSPHRASE);
    assert_eq!(k.message(), Some(&Message::StaffUnlocked));
    k.lock_now();
    sign_in(&mut k, 2);
    assert_eq!(k.screen(), Screen::StaffHome);
}

#[test]
fn the_receipt_lists_choices_and_goes_away() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    complete_handover(&mut k, &["treatment", "marketing_whatsapp"]);
    let receipt = k.receipt().expect("a receipt after submitting").clone();
    assert_eq!(receipt.reference.len(), 14);
    assert_eq!(receipt.choices.len(), 8);
    let granted: Vec<&str> = receipt
        .choices
        .iter()
        .filter(|c| c.1)
        .map(|c| c.0.as_str())
        .collect();
    assert_eq!(granted, vec!["treatment", "marketing_whatsapp"]);
    let payload = receipt.qr_payload("Test Clinic");
    assert!(payload.starts_with("IKR1;Test Clinic;") && payload.contains("marketing_sms=no"));
    assert!(
        !payload.contains("Ada") && !payload.contains("latex"),
        "no name, no health data"
    );
    for _ in 0..59 {
        k.tick();
    }
    assert!(k.receipt().is_some());
    k.tick();
    assert!(k.receipt().is_none(), "gone after a minute");
    assert_eq!(k.screen(), Screen::HandBack);
}

#[test]
fn a_returning_patient_sees_earlier_choices_only_after_their_date_of_birth() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    complete_handover(&mut k, &["treatment", "marketing_sms"]);
    k.receipt_done();
    sign_in(&mut k, 1);

    k.find_returning("ADA", "lovelace", "1985-12-10", "sw1a1aa");
    assert!(k.returning_found());
    k.start_returning_handover();
    assert!(
        k.form.previous_consents.is_empty(),
        "nothing shown before the guard"
    );
    k.confirm_date_of_birth("1985-12-11");
    assert!(k.form.dob_failed && k.form.previous_consents.is_empty());
    k.confirm_date_of_birth("1985-12-10");
    assert!(k.form.dob_confirmed);
    assert_eq!(
        k.form.previous_consents.get("marketing_sms"),
        Some(&Decision::Granted)
    );
    assert!(k.form.ticked.is_empty(), "boxes still start unticked");
}

#[test]
fn three_wrong_dates_of_birth_keep_earlier_choices_hidden() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    complete_handover(&mut k, &["treatment"]);
    sign_in(&mut k, 1);
    k.find_returning("Ada", "Lovelace", "1985-12-10", "SW1A 1AA");
    k.start_returning_handover();
    for wrong in ["2000-01-01", "1985-10-12", "nonsense"] {
        k.confirm_date_of_birth(wrong);
    }
    k.confirm_date_of_birth("1985-12-10");
    assert!(
        !k.form.dob_confirmed && k.form.previous_consents.is_empty(),
        "locked after three tries"
    );
}

#[test]
fn only_medical_roles_open_a_form() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    complete_handover(&mut k, &["treatment"]);
    sign_in(&mut k, 2);
    let id = k
        .todays_submissions()
        .first()
        .map(|s| s.id.clone())
        .expect("listed for reception");
    k.open_record(&id);
    assert!(k.record_view().is_none());
    assert_eq!(k.message(), Some(&Message::NotAllowed));
    k.lock_now();
    sign_in(&mut k, 1);
    k.open_record(&id);
    let view = k.record_view().expect("a clinician opens it");
    assert!(view.rows.iter().any(|(_, a)| a == "latex"));
    k.lock_now();
    assert!(k.record_view().is_none(), "locking closes it");
}
