//! The page views against the controller over the in-memory fake, and the handover page from a
//! form state directly.

use super::handover_page::{first_problem, page_problem};
use super::*;
use crate::forms::{AnswerValue, FormDefinition, FormProblem};
use crate::kiosk::tests::{complete_handover, kiosk, sign_in};
use crate::kiosk::{FormState, Step};

#[test]
fn the_page_follows_the_screen_and_the_look_resets_when_the_handover_ends() {
    let (mut k, _) = kiosk();
    let view = k.kiosk_view();
    assert_eq!((view.page, view.reset_theme), (Page::Locked, true));
    assert!(view.recovery_key.is_empty());
    sign_in(&mut k, 1);
    assert_eq!(k.kiosk_view().page, Page::StaffHome);
    k.start_new_handover();
    let view = k.kiosk_view();
    assert_eq!(view.page, Page::Handover);
    assert!(
        !view.reset_theme,
        "the patient's large text stays for their own form"
    );
    k.set_language("pl");
    complete_handover(&mut k, &["treatment"]);
    let view = k.kiosk_view();
    assert_eq!(view.page, Page::HandBack);
    assert!(k.receipt().is_some());
    assert!(!view.reset_theme, "the patient's receipt keeps their look");
    assert_eq!(view.language, "pl", "and their language");
    k.receipt_done();
    let view = k.kiosk_view();
    assert_eq!(view.page, Page::HandBack);
    assert!(
        view.reset_theme,
        "the next patient starts with the default look"
    );
    assert_eq!(
        view.language,
        k.staff_language(),
        "the PIN pad is the staff's"
    );
    assert_eq!(view.clinic_name, "Test Clinic");
    assert_eq!(
        view.hand_back.title, "Dziękujemy. Proszę oddać tablet członkowi personelu.",
        "the words to the patient, who holds the tablet, are theirs"
    );
}

/// A patient who left their form idle holds a tablet that asks for it back in their language;
/// the PIN pad below is the staff's. Before any patient chose, the words are the staff's.
#[test]
fn the_hand_back_words_after_an_idle_wipe_are_in_the_patients_language() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    assert_eq!(
        k.kiosk_view().hand_back.title,
        "Thank you. Please hand the tablet back to a member of staff."
    );
    k.start_new_handover();
    k.set_language("ar");
    k.set_text("given_name", "Layla");
    for _ in 0..200 {
        k.tick();
    }
    let view = k.kiosk_view();
    assert_eq!(view.page, Page::HandBack);
    assert!(k.form.answers.is_empty(), "the form is wiped");
    assert_eq!(view.language, k.staff_language());
    assert_eq!(
        view.hand_back,
        HandBackWords {
            title: "شكرًا لك. يرجى إعادة الجهاز اللوحي إلى أحد الموظفين.".into(),
            note: HandBackWords::in_language("ar").note,
        }
    );
    assert_ne!(view.hand_back.note, HandBackWords::in_language("en").note);
}

#[test]
fn messages_are_in_the_screen_language_with_their_tone() {
    let (mut k, _) = kiosk();
    let id = k.staff()[1].id.clone();
    k.pin_select(&id);
    for d in "111111".chars() {
        k.pin_digit(&d.to_string());
    }
    k.pin_submit();
    let pin = k.pin_view();
    assert_eq!(pin.selected_id, id);
    assert_eq!(pin.digits, 0);
    let wrong = k.pin_message().expect("a wrong PIN is said").clone();
    assert_eq!(pin.status, Said::of(Some(&wrong), "en"));
    assert!(pin.status.text.starts_with("Wrong PIN") && !pin.status.good);

    // In handover the screen is in the patient's language: the page's problem too.
    sign_in(&mut k, 1);
    k.start_new_handover();
    k.set_language("de");
    k.submit();
    let (_, page) = k.handover_view();
    assert_eq!(page.language, "de");
    assert_eq!(page.problems, Message::FormProblems.text("de"));
    assert_ne!(page.problems, Message::FormProblems.text("en"));
    assert!(!k.kiosk_view().right_to_left);
}

#[test]
fn an_arabic_form_is_drawn_right_to_left_and_the_staff_prompt_over_it_is_not() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    k.set_language("ar");
    let view = k.kiosk_view();
    assert_eq!(view.language, "ar");
    assert!(view.right_to_left);
    // Staff called over the form: their prompt is in their own language, left to right.
    k.staff_button();
    let view = k.kiosk_view();
    assert_eq!(view.language, "en");
    assert!(!view.right_to_left);
    k.cancel_pin_prompt();
    assert!(k.kiosk_view().right_to_left, "the form again");
}

#[test]
fn the_handover_page_fills_in_the_clinic_everywhere() {
    let definition = FormDefinition::built_in();
    let form = FormState::blank("fr", None);
    let page = handover_view(&definition, &form, "Clinique Test", None);
    assert_eq!(page.kind, Step::Notice);
    let texts = [&page.title, &page.notice_summary, &page.notice_full]
        .into_iter()
        .chain(page.consents.iter().flat_map(|c| [&c.title, &c.text]));
    let mut named = 0;
    for text in texts {
        assert!(!text.contains("{clinic}"), "{text}");
        named += usize::from(text.contains("Clinique Test"));
    }
    assert!(named >= 2, "the notice and consents name the clinic");
    assert!(page.questions.is_empty(), "no questions on the notice");
}

#[test]
fn a_question_shows_its_first_problem_and_hides_until_its_condition_holds() {
    let definition = FormDefinition::built_in();
    let section = definition
        .sections
        .iter()
        .position(|s| s.questions.iter().any(|q| q.id == "allergies_detail"))
        .expect("the allergies section");
    let mut form = FormState::blank("en", None);
    form.step_index = section + 1;
    form.problems = vec![
        FormProblem::ConsentRequired {
            item: "treatment".into(),
        },
        FormProblem::TooLong {
            question: "allergies_detail".into(),
        },
        FormProblem::Required {
            question: "allergies_detail".into(),
        },
    ];
    let detail = |form: &FormState| {
        let page = handover_view(&definition, form, "C", None);
        assert_eq!(page.kind, Step::Section(section));
        page.questions
            .iter()
            .find(|q| q.id == "allergies_detail")
            .expect("listed")
            .clone()
    };
    let hidden = detail(&form);
    assert!(!hidden.visible, "shown only after a yes");
    assert_eq!(hidden.problem, Message::AnswerTooLong.text("en"));
    form.answers.set("allergies_any", AnswerValue::YesNo(true));
    assert!(detail(&form).visible);

    assert_eq!(
        first_problem(&form.problems, "allergies_detail"),
        Some(Message::AnswerTooLong)
    );
    assert_eq!(first_problem(&form.problems, "allergies_any"), None);
    assert_eq!(first_problem(&form.problems, "treatment"), None);
}

#[test]
fn a_row_of_options_reads_from_the_right_in_arabic_and_a_column_keeps_its_order() {
    let definition = FormDefinition::built_in();
    let options = |lang: &str, section: &str, question: &str| -> Vec<String> {
        let at = definition
            .sections
            .iter()
            .position(|s| s.id == section)
            .expect("the section");
        let mut form = FormState::blank(lang, None);
        form.step_index = at + 1;
        let page = handover_view(&definition, &form, "C", None);
        let q = page
            .questions
            .iter()
            .find(|q| q.id == question)
            .expect("listed");
        q.choices.iter().map(|c| c.id.clone()).collect()
    };
    let row = options("en", "lifestyle", "smoking");
    assert!(row.len() > 1);
    let mut reversed = row.clone();
    reversed.reverse();
    assert_eq!(options("ar", "lifestyle", "smoking"), reversed);
    assert_eq!(options("pl", "lifestyle", "smoking"), row);
    let column = options("en", "medical", "skin_conditions");
    assert_eq!(options("ar", "medical", "skin_conditions"), column);
}

#[test]
fn the_page_problem_puts_the_treatment_consent_first_and_gives_way_to_a_message() {
    let def = FormDefinition::built_in();
    let mut form = FormState::blank("en", None);
    assert_eq!(page_problem(&def, &form, Step::Sign, None), None);
    form.signature_missing = true;
    assert_eq!(
        page_problem(&def, &form, Step::Sign, None),
        Some(Message::SignatureMissing)
    );
    assert_eq!(
        page_problem(&def, &form, Step::Section(0), None),
        None,
        "the signature is asked for where it is drawn"
    );
    form.problems = vec![FormProblem::ConsentRequired {
        item: "treatment".into(),
    }];
    assert_eq!(
        page_problem(&def, &form, Step::Consents, None),
        Some(Message::TreatmentConsentNeeded)
    );
    assert_eq!(
        page_problem(&def, &form, Step::Sign, None),
        Some(Message::FormProblems)
    );
    assert_eq!(
        page_problem(&def, &form, Step::Consents, Some(&Message::DiskFull)),
        None,
        "a message for staff takes the place"
    );
}

#[test]
fn a_returning_patients_date_of_birth_is_asked_three_times_at_most() {
    let mut form = FormState::blank("en", None);
    assert_eq!(DobCheck::of(&form), DobCheck::NotAsked, "a new patient");
    form.returning_patient = Some("patient-1".into());
    assert_eq!(DobCheck::of(&form), DobCheck::Asked { failed: false });
    form.dob_attempts = 1;
    form.dob_failed = true;
    assert_eq!(DobCheck::of(&form), DobCheck::Asked { failed: true });
    form.dob_attempts = crate::kiosk::DOB_ATTEMPTS;
    assert_eq!(DobCheck::of(&form), DobCheck::Locked);
}

#[test]
fn the_receipt_shows_only_at_hand_back_in_the_patients_language() {
    let (mut k, _) = kiosk();
    sign_in(&mut k, 1);
    k.start_new_handover();
    assert_eq!(k.receipt_view(), None);
    k.set_language("es");
    complete_handover(&mut k, &["treatment"]);
    let view = k.receipt_view().expect("at hand-back");
    assert_eq!(view.choices.len(), k.definition().consents.len());
    let treatment = k
        .definition()
        .consents
        .iter()
        .position(|c| c.id == "treatment")
        .expect("treatment consent");
    assert!(view.choices[treatment].granted);
    assert!(view.choices.iter().all(|c| !c.title.contains("{clinic}")));
    assert_eq!(
        view.qr_payload,
        k.receipt().expect("receipt").qr_payload("Test Clinic")
    );
    assert!(
        !view.date.contains('-'),
        "the date written out in Spanish: {}",
        view.date
    );
    k.receipt_done();
    assert_eq!(k.receipt_view(), None);
}

#[test]
fn staff_home_shows_who_is_signed_in_and_what_they_may_do() {
    let (mut k, _) = kiosk();
    assert_eq!(k.home_view().role, None);
    sign_in(&mut k, 2);
    let home = k.home_view();
    assert_eq!(home.role, Some(Role::Reception));
    assert!(!home.is_manager && !home.may_see_medical);
    assert_eq!(home.staff_name, k.staff()[2].name);
    k.find_returning("Nobody", "Known", "1990-01-01", "ZZ1 1ZZ");
    let home = k.home_view();
    assert_eq!(home.lookup.text, Message::PatientNotFound.text("en"));
    assert!(!home.returning_found);
}
