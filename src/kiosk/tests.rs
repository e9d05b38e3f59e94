//! The controller against the in-memory records fake: no disk, no crypto, same rules.

use super::memory_records::{MemoryRecords, SharedMemory};
use super::*;
use crate::forms::{AnswerValue, FormProblem};
use crate::store::UPDATED_AT_KIOSK;
use crate::store::memory_staff::EventLog;

pub(crate) const PINS: [(&str, Role, &str); 3] = [
    ("Maya", Role::Manager, "402718"),
    ("Chris", Role::Clinician, "918273"),
    ("Rita", Role::Reception, "560193"),
];

pub(crate) fn kiosk() -> (Kiosk, EventLog) {
    let records = MemoryRecords::with_staff(&PINS);
    let events = records.event_log();
    (kiosk_over(records), events)
}

/// A kiosk over the fake, with a handle on the patients and forms it holds.
pub(crate) fn kiosk_with_memory() -> (Kiosk, SharedMemory) {
    let records = MemoryRecords::with_staff(&PINS);
    let memory = records.shared();
    (kiosk_over(records), memory)
}

/// A kiosk over the fake where staff member `who` has signed in and started a new handover.
fn handing_over(who: usize) -> (Kiosk, EventLog) {
    let (mut k, events) = kiosk();
    sign_in(&mut k, who);
    k.start_new_handover();
    (k, events)
}

pub(crate) fn kiosk_over(records: MemoryRecords) -> Kiosk {
    Kiosk::with_open_records(
        Box::new(records),
        "Test Clinic",
        FormDefinition::built_in(),
        Timeouts::default(),
    )
    .expect("kiosk")
}

pub(crate) fn sign_in(k: &mut Kiosk, who: usize) {
    let id = k.staff()[who].id.clone();
    k.pin_select(&id);
    tap_pin(k, PINS[who].2);
}

/// Taps `digits` on the PIN pad, then OK.
fn tap_pin(k: &mut Kiosk, digits: &str) {
    for d in digits.chars() {
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
    sign_and_submit(k, &[(5.0, 5.0)]);
}

/// Walks to the last step, signs through `points` and submits.
fn sign_and_submit(k: &mut Kiosk, points: &[(f32, f32)]) {
    for _ in 0..20 {
        k.next_step();
    }
    for (i, (x, y)) in points.iter().enumerate() {
        k.sign_point(*x, *y, i == 0);
    }
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
    sign_and_submit(&mut k, &[(10.0, 10.0), (50.0, 40.0)]);
    assert_eq!(k.screen(), Screen::HandBack);
    assert!(
        k.form.answers.is_empty() && k.form.signature.is_empty(),
        "wiped"
    );
    let kinds: Vec<AuditKind> = events.lock().expect("log").iter().map(|e| e.1).collect();
    assert!(
        kinds.contains(&AuditKind::HandoverStarted) && kinds.contains(&AuditKind::SubmissionSaved)
    );
    assert!(
        !kinds.contains(&AuditKind::HandoverEnded),
        "a submitted handover ends with its save's own entry: one commit"
    );
}

#[test]
fn refusing_marketing_and_photos_never_blocks_treatment() {
    let (mut k, _) = handing_over(2);
    complete_handover(&mut k, &["treatment"]);
    assert_eq!(
        k.screen(),
        Screen::HandBack,
        "only treatment ticked is enough"
    );
}

#[test]
fn idle_warns_then_wipes_and_touch_resets() {
    let (mut k, events) = handing_over(1);
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
fn each_wipe_of_what_the_screen_showed_is_counted_and_typing_is_not() {
    // The window clears the clipboard when the count moves (`ui::clipboard`).
    let (mut k, _) = handing_over(1);
    let before = k.screen_wipes();
    k.set_text("given_name", "Grace");
    k.activity();
    assert_eq!(k.screen_wipes(), before, "typing wipes nothing");
    complete_handover(&mut k, &["treatment"]);
    assert_eq!(k.screen(), Screen::HandBack);
    assert!(k.screen_wipes() > before, "handed back");

    let (mut k, _) = handing_over(1);
    let before = k.screen_wipes();
    for _ in 0..Timeouts::default().handover_idle {
        k.tick();
    }
    assert_eq!(k.screen(), Screen::HandBack);
    assert!(k.screen_wipes() > before, "wiped when idle");

    let (mut k, _) = kiosk();
    sign_in(&mut k, 0);
    let before = k.screen_wipes();
    k.lock_now();
    assert_eq!(k.screen(), Screen::Locked);
    assert!(k.screen_wipes() > before, "locked");
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
        tap_pin(&mut k, "999990");
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
fn ok_with_no_digits_is_no_attempt() {
    let (mut k, _) = kiosk();
    let id = k.staff()[2].id.clone();
    k.pin_select(&id);
    for _ in 0..5 {
        k.pin_submit();
        assert_eq!(k.pin_message(), Some(&Message::PinEmpty));
    }
    tap_pin(&mut k, "999990");
    assert_eq!(
        k.pin_message(),
        Some(&Message::WrongPin {
            tries_before_pause: 2
        }),
        "the first real try is the first counted"
    );
}

#[test]
fn a_stray_pin_in_handover_needs_the_staff_prompt() {
    let (mut k, _) = handing_over(1);
    let id = k.staff()[1].id.clone();
    k.pin_select(&id);
    tap_pin(&mut k, "918273");
    assert_eq!(k.screen(), Screen::Handover, "no prompt open");
    k.staff_button();
    sign_in(&mut k, 1);
    assert_eq!(k.screen(), Screen::StaffHome);
}

#[test]
fn a_cancelled_staff_prompt_keeps_neither_the_tile_nor_the_digits() {
    let (mut k, _) = handing_over(1);
    k.staff_button();
    let id = k.staff()[0].id.clone();
    k.pin_select(&id);
    for d in ["4", "0", "2"] {
        k.pin_digit(d);
    }
    assert_eq!(k.pin_digit_count(), 3);
    k.cancel_pin_prompt();
    assert_eq!(k.screen(), Screen::Handover);
    k.staff_button();
    assert!(k.pin_staff().is_none(), "no tile chosen");
    assert_eq!(k.pin_digit_count(), 0, "no digits left");
}

#[test]
fn the_staff_prompt_over_a_form_is_in_the_staffs_language() {
    let (mut k, _) = handing_over(1);
    let staff_language = k.staff_language().to_owned();
    k.set_language("pl");
    assert_eq!(k.display_language(), "pl");
    k.staff_button();
    assert_eq!(
        k.display_language(),
        staff_language,
        "the prompt is for staff"
    );
    k.cancel_pin_prompt();
    assert_eq!(k.display_language(), "pl", "the patient's choice is back");
    assert_eq!(k.form.language, "pl");
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
    let (mut k, _) = handing_over(1);
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
    k.unlock_staff(&rita, super::memory_records::MEMORY_PASSPHRASE);
    assert_eq!(
        k.message(),
        Some(&Message::NotAllowed),
        "a clinician cannot"
    );
    k.lock_now();
    sign_in(&mut k, 0);
    k.unlock_staff(&rita, "not the passphrase");
    assert_eq!(k.message(), Some(&Message::WrongPassphrase));
    k.unlock_staff(&rita, super::memory_records::MEMORY_PASSPHRASE);
    assert_eq!(k.message(), Some(&Message::StaffUnlocked));
    k.lock_now();
    sign_in(&mut k, 2);
    assert_eq!(k.screen(), Screen::StaffHome);
}

#[test]
fn the_receipt_lists_choices_and_goes_away() {
    let (mut k, _) = handing_over(1);
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
    for second in 0..59 {
        // Taps meanwhile (the next person) do not keep it on screen.
        if second % 10 == 0 {
            k.activity();
        }
        k.tick();
    }
    assert!(k.receipt().is_some());
    k.activity();
    k.tick();
    assert!(
        k.receipt().is_none(),
        "gone a minute after it appeared, taps or not"
    );
    assert_eq!(k.screen(), Screen::HandBack);
}

#[test]
fn a_returning_patient_sees_earlier_choices_only_after_their_date_of_birth() {
    let (mut k, _) = handing_over(1);
    complete_handover(&mut k, &["treatment", "marketing_sms"]);
    k.receipt_done();
    sign_in(&mut k, 1);

    k.find_returning("ADA", "lovelace", "1985-12-10", "sw1a1aa");
    assert!(k.returning_found());
    assert_eq!(k.lookup_message(), Some(&Message::PatientFound));
    k.start_returning_handover();
    assert_eq!(
        k.lookup_message(),
        None,
        "the search's answer goes with the handover it started"
    );
    assert!(
        k.form.previous_consents.is_empty(),
        "nothing shown before the guard"
    );
    k.confirm_date_of_birth("1985-12-11");
    assert!(k.form.dob_failed && k.form.previous_consents.is_empty());
    k.confirm_date_of_birth("1985-12-10");
    assert!(k.form.dob_confirmed());
    assert_eq!(
        k.form.previous_consents.get("marketing_sms"),
        Some(&Decision::Granted)
    );
    assert!(k.form.ticked.is_empty(), "boxes still start unticked");
}

#[test]
fn three_wrong_dates_of_birth_keep_earlier_choices_hidden() {
    let (mut k, _) = handing_over(1);
    complete_handover(&mut k, &["treatment"]);
    sign_in(&mut k, 1);
    k.find_returning("Ada", "Lovelace", "1985-12-10", "SW1A 1AA");
    k.start_returning_handover();
    for wrong in ["2000-01-01", "1985-10-12", "nonsense"] {
        k.confirm_date_of_birth(wrong);
    }
    k.confirm_date_of_birth("1985-12-10");
    assert!(
        !k.form.dob_confirmed() && k.form.previous_consents.is_empty(),
        "locked after three tries"
    );
}

#[test]
fn only_medical_roles_open_a_form() {
    let (mut k, _) = handing_over(1);
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

// ----- the wrong-patient guard, as the attack -----------------------------------------------

/// Who fills the form: (given, family, date of birth, postcode, email).
type Person<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

const ADA: Person = (
    "Ada",
    "Lovelace",
    "1985-12-10",
    "SW1A 1AA",
    "ada@example.org",
);
const BOB: Person = (
    "Bob",
    "Mallory",
    "1990-01-01",
    "EC1A 1BB",
    "bob@example.net",
);

/// Fills the form as `who`, types each of `dates_at_guard` at the date-of-birth guard, ticks
/// `consents`, signs and submits.
fn hand_over_as(k: &mut Kiosk, who: Person, dates_at_guard: &[&str], consents: &[&str]) {
    let (given, family, dob, postcode, email) = who;
    for (q, v) in [
        ("given_name", given),
        ("family_name", family),
        ("date_of_birth", dob),
        ("postcode", postcode),
        ("email", email),
    ] {
        k.set_text(q, v);
    }
    k.set_yes_no("conditions_any", false);
    k.set_yes_no("pregnant", false);
    k.set_yes_no("allergies_any", true);
    k.set_text("allergies_detail", &format!("{given}'s allergy"));
    for _ in 0..=k.definition().sections.len() {
        k.next_step();
    }
    for typed in dates_at_guard {
        k.confirm_date_of_birth(typed);
    }
    for item in consents {
        k.set_consent(item, true);
    }
    k.next_step(); // the review
    k.next_step();
    k.sign_point(5.0, 5.0, true);
    k.submit();
    assert_eq!(k.screen(), Screen::HandBack, "{:?}", k.message());
}

/// Ada has a record (patient-0, SMS marketing granted); staff then look her up and hand the
/// tablet over for her.
fn ada_on_record_then_looked_up() -> (Kiosk, SharedMemory) {
    let (mut k, memory) = kiosk_with_memory();
    sign_in(&mut k, 1);
    k.start_new_handover();
    hand_over_as(&mut k, ADA, &[], &["treatment", "marketing_sms"]);
    sign_in(&mut k, 1);
    let (given, family, dob, postcode, _) = ADA;
    k.find_returning(given, family, dob, postcode);
    assert!(k.returning_found());
    k.start_returning_handover();
    assert_eq!(k.screen(), Screen::Handover);
    (k, memory)
}

/// Ada's record is exactly as her own handover left it; the form in `k`'s last handover is a new
/// patient's, holding Bob's details and answers; staff are told on taking the tablet back.
fn assert_ada_untouched_and_bob_new(k: &mut Kiosk, memory: &SharedMemory) {
    {
        let state = memory.lock().expect("memory");
        let ada = state.patient("patient-0").expect("Ada's record");
        let mut as_ada_left_it = crate::forms::PatientIdentity::default();
        as_ada_left_it.given_name = "Ada".into();
        as_ada_left_it.family_name = "Lovelace".into();
        as_ada_left_it.date_of_birth = "1985-12-10".into();
        as_ada_left_it.postcode = "SW1A 1AA".into();
        as_ada_left_it.email = "ada@example.org".into();
        assert!(
            ada.identity == as_ada_left_it,
            "Ada's details (and so her look-up) are hers"
        );
        assert!(ada.amendments.is_empty(), "nothing of Ada's was amended");
        let adas: Vec<_> = state.forms_of("patient-0").collect();
        assert_eq!(adas.len(), 1, "Bob's form did not join Ada's record");
        assert!(matches!(
            adas[0].submission.answers.get("allergies_detail"),
            Some(AnswerValue::Text(t)) if t == "Ada's allergy"
        ));
        let new = state
            .patients
            .iter()
            .find(|p| p.id != "patient-0")
            .expect("a new patient holds the form");
        assert_eq!(new.identity.given_name, "Bob");
        assert_eq!(new.identity.email, "bob@example.net");
        let bobs: Vec<_> = state.forms_of(&new.id).collect();
        assert_eq!(bobs.len(), 1);
        assert!(matches!(
            bobs[0].submission.answers.get("allergies_detail"),
            Some(AnswerValue::Text(t)) if t == "Bob's allergy"
        ));
    }
    // Ada's consents are hers alone: Bob's email-marketing yes did not land on her.
    sign_in(k, 1);
    assert_eq!(k.message(), Some(&Message::SavedAsNewPatient));
    k.find_returning("Ada", "Lovelace", "1985-12-10", "SW1A 1AA");
    k.start_returning_handover();
    k.confirm_date_of_birth("1985-12-10");
    assert_eq!(
        k.form.previous_consents.get("marketing_sms"),
        Some(&Decision::Granted)
    );
    assert_eq!(
        k.form.previous_consents.get("marketing_email"),
        Some(&Decision::Refused)
    );
}

#[test]
fn a_wrong_patient_after_three_wrong_dates_of_birth_is_saved_as_new() {
    let (mut k, memory) = ada_on_record_then_looked_up();
    hand_over_as(
        &mut k,
        BOB,
        &["1990-01-01", "1985-10-12", "1985-12-11"],
        &["treatment", "marketing_email"],
    );
    assert_ada_untouched_and_bob_new(&mut k, &memory);
}

#[test]
fn a_wrong_patient_who_types_no_date_of_birth_is_saved_as_new() {
    let (mut k, memory) = ada_on_record_then_looked_up();
    hand_over_as(&mut k, BOB, &[], &["treatment", "marketing_email"]);
    assert_ada_untouched_and_bob_new(&mut k, &memory);
}

#[test]
fn a_form_whose_date_of_birth_differs_from_the_confirmed_one_is_saved_as_new() {
    // Bob knows Ada's date of birth for the guard, but the form he fills is his own.
    let (mut k, memory) = ada_on_record_then_looked_up();
    hand_over_as(
        &mut k,
        BOB,
        &["1985-12-10"],
        &["treatment", "marketing_email"],
    );
    assert_ada_untouched_and_bob_new(&mut k, &memory);
}

#[test]
fn a_confirmed_patient_joins_their_record_and_a_new_email_is_an_amendment() {
    let (mut k, memory) = ada_on_record_then_looked_up();
    let (given, family, dob, postcode, _) = ADA;
    hand_over_as(
        &mut k,
        (given, family, dob, postcode, "ada@new.example"),
        &["1985-10-12", "1985-12-10"],
        &["treatment"],
    );
    {
        let state = memory.lock().expect("memory");
        assert_eq!(state.patients.len(), 1, "no new patient");
        let ada = state.patient("patient-0").expect("Ada");
        assert_eq!(
            state.forms_of("patient-0").count(),
            2,
            "the form joined Ada"
        );
        assert_eq!(ada.identity.email, "ada@new.example");
        assert_eq!(ada.amendments.len(), 1, "the change is in the history");
        let (previous, reason, by) = &ada.amendments[0];
        assert_eq!(previous.email, "ada@example.org", "the old email is kept");
        assert_eq!(reason, UPDATED_AT_KIOSK);
        assert_eq!(by, "staff-1");
    }
    sign_in(&mut k, 1);
    assert_eq!(k.message(), None, "nothing for staff to fix");
}

#[test]
fn a_confirmed_patient_who_changes_nothing_leaves_no_amendment() {
    let (mut k, memory) = ada_on_record_then_looked_up();
    hand_over_as(&mut k, ADA, &["1985-12-10"], &["treatment"]);
    let state = memory.lock().expect("memory");
    assert_eq!(state.forms_of("patient-0").count(), 2);
    assert!(
        state
            .patient("patient-0")
            .expect("Ada")
            .amendments
            .is_empty()
    );
}

#[test]
fn stopping_mid_handover_wipes_the_form_and_drops_the_keys() {
    let (mut k, events) = handing_over(1);
    fill_required(&mut k);
    assert_eq!(k.screen(), Screen::Handover);
    k.shut_down();
    assert!(k.form.answers.is_empty(), "the half-filled form is gone");
    assert!(
        k.open_store().is_none(),
        "the store is closed, the keys dropped"
    );
    let kinds: Vec<AuditKind> = events.lock().expect("log").iter().map(|e| e.1).collect();
    assert!(kinds.contains(&AuditKind::HandoverWiped), "{kinds:?}");
}

#[test]
fn the_kiosk_keeps_a_small_page_cache_whichever_way_its_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite3");
    let k = Kiosk::new(
        Store::open(&path).unwrap(),
        FormDefinition::built_in(),
        Timeouts::default(),
    )
    .unwrap();
    let Backend::Closed(store) = &k.backend else {
        panic!("a new kiosk's store is closed");
    };
    assert_eq!(store.page_cache_kib(), SyncRole::Kiosk.page_cache_kib());
    drop(k);
    // Opened again after a failed setup or close.
    let again = open_kiosk_store(&path).unwrap();
    assert_eq!(again.page_cache_kib(), SyncRole::Kiosk.page_cache_kib());
}

#[test]
fn opened_with_the_recovery_key_a_manager_sets_their_passphrase_anew() {
    use crate::store::memory_staff::HoldsStaff;
    const NEW: &str = "lantern moss harbour 27";
    let records = MemoryRecords::with_staff(&PINS);
    let staff = records.staff().clone();
    let mut k = kiosk_over(records);
    sign_in(&mut k, 0);
    k.refresh_staff_keys();
    assert!(!k.staff_keys().set_anew, "opened with a passphrase");
    k.change_my_passphrase("", NEW, NEW);
    assert_eq!(
        k.message(),
        Some(&Message::WrongPassphrase),
        "the current one is asked"
    );

    staff.state().by_recovery = true;
    k.refresh_staff_keys();
    assert!(k.staff_keys().set_anew);
    k.change_my_passphrase("", NEW, "lantern moss harbour 72");
    assert_eq!(k.message(), Some(&Message::PassphraseMismatch));
    k.change_my_passphrase("", NEW, NEW);
    assert_eq!(k.message(), Some(&Message::PassphraseChanged));
    let maya = k.staff()[0].id.clone();
    assert_eq!(
        staff.state().passphrases.get(&maya).map(String::as_str),
        Some(NEW),
        "the signed-in manager's own"
    );
}

#[test]
fn a_change_after_signing_asks_for_the_signature_again() {
    let (mut k, _) = handing_over(1);
    fill_required(&mut k);
    k.set_consent("treatment", true);
    for _ in 0..20 {
        k.next_step();
    }
    k.sign_point(10.0, 10.0, true);
    k.sign_point(50.0, 40.0, false);
    assert_eq!(k.handover_view().1.problems, "");
    // Back to the review, "Edit" a part, change an answer, back to sign.
    k.previous_step();
    k.edit_from_review(1);
    k.set_text("given_name", "Grace");
    k.back_to_review();
    k.next_step();
    assert_eq!(k.form.step(k.definition()), Step::Sign);
    assert!(k.handover_chrome().signature_path.is_empty(), "wiped");
    assert_eq!(k.handover_view().1.problems, Message::SignAgain.text("en"));
    k.submit();
    assert_eq!(k.screen(), Screen::Handover, "not saved unsigned");
    k.sign_point(12.0, 12.0, true);
    k.submit();
    assert_eq!(k.screen(), Screen::HandBack);
}

#[test]
fn the_page_note_shows_only_where_a_problem_is() {
    let (mut k, _) = handing_over(1);
    fill_required(&mut k);
    k.set_text("stress", "15");
    for _ in 0..20 {
        k.next_step();
    }
    k.sign_point(10.0, 10.0, true);
    k.submit();
    // Taken to the first problem's section, which says so; the notice and the other sections
    // do not.
    let stress_section = k
        .definition()
        .sections
        .iter()
        .position(|s| s.questions.iter().any(|q| q.id == "stress"))
        .expect("stress is asked");
    assert_eq!(k.form.step(k.definition()), Step::Section(stress_section));
    let note = Message::FormProblems.text("en");
    assert_eq!(k.handover_view().1.problems, note);
    k.form.step_index = 1;
    assert_ne!(stress_section, 0);
    assert_eq!(
        k.handover_view().1.problems,
        "",
        "nothing wrong on this page"
    );
    // Fixed: the note goes with it (the treatment consent is still missing: the consents page
    // says that).
    k.form.step_index = stress_section + 1;
    k.set_text("stress", "5");
    assert_eq!(k.handover_view().1.problems, "");
    k.form.step_index = k.definition().sections.len() + 1;
    assert_eq!(
        k.handover_view().1.problems,
        Message::TreatmentConsentNeeded.text("en")
    );
}
