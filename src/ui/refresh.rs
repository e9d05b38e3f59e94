//! Pushes the controller's state into the Slint globals. The handover's question list is rebuilt
//! only when its revision changes, so typing never redraws (and unfocuses) a field.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{
    AppWindow, ChoiceRow, ConsentRow, HandoverAdapter, HomeAdapter, KioskAdapter, PinAdapter,
    QuestionRow, ReceiptAdapter, ReceiptRow, RecordRow, Screen as UiScreen, SetupAdapter,
    StaffEntry, SubmissionRow, Theme,
};
use crate::forms::{AnswerValue, FormProblem, QuestionKind, tr};
use crate::kiosk::{Kiosk, Message, Step};
use crate::session::Screen;
use crate::staff::{Lockout, Role};

thread_local! {
    static RENDERED: Cell<Option<(u64, Screen)>> = const { Cell::new(None) };
    static LANGUAGE: RefCell<String> = RefCell::new(String::from("?"));
}

fn kind(message: Option<&Message>) -> (SharedString, SharedString) {
    message.map_or_else(Default::default, |m| {
        let (k, a) = m.kind_and_arg();
        (k.into(), a.into())
    })
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

fn role_name(role: Role) -> &'static str {
    role.as_str()
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk) {
    let screen = kiosk.screen();
    select_language(kiosk.display_language());

    let k = window.global::<KioskAdapter>();
    k.set_clinic_name(kiosk.clinic_name().into());
    k.set_screen(match (screen, kiosk.showing_recovery_key().is_some()) {
        (_, true) => UiScreen::RecoveryKey,
        (Screen::FirstRun, _) => UiScreen::FirstRun,
        (Screen::Closed, _) => UiScreen::Closed,
        (Screen::Locked, _) => UiScreen::Locked,
        (Screen::StaffHome, _) => UiScreen::StaffHome,
        (Screen::Handover, _) => UiScreen::Handover,
        (Screen::HandBack, _) => UiScreen::HandBack,
    });
    let (mk, ma) = kind(kiosk.message());
    k.set_message_kind(mk);
    k.set_message_arg(ma);
    window
        .global::<SetupAdapter>()
        .set_recovery_key(kiosk.showing_recovery_key().unwrap_or("").into());

    refresh_receipt(window, kiosk);
    refresh_pin(window, kiosk);
    refresh_home(window, kiosk);
    if screen == Screen::StaffHome {
        super::clinic_form_adapter::refresh(window, kiosk);
        super::back_office_adapter::refresh(window, kiosk);
        super::staff_keys_adapter::refresh(window, kiosk);
    }
    refresh_handover(window, kiosk);
}

fn refresh_receipt(window: &AppWindow, kiosk: &Kiosk) {
    let r = window.global::<ReceiptAdapter>();
    let Some(receipt) = kiosk.receipt() else {
        if r.get_visible() {
            r.set_visible(false);
            r.set_reference(SharedString::default());
            r.set_choices(model(Vec::new()));
            r.set_qr(slint::Image::default());
        }
        return;
    };
    if r.get_visible() && r.get_reference() == receipt.reference.as_str() {
        return;
    }
    let def = kiosk.definition();
    let lang = kiosk.form.language.as_str();
    let clinic = kiosk.clinic_name();
    let rows: Vec<ReceiptRow> = receipt
        .choices
        .iter()
        .filter_map(|(id, granted)| {
            let item = def.consents.iter().find(|c| &c.id == id)?;
            Some(ReceiptRow {
                title: tr(&item.title, lang).replace("{clinic}", clinic).into(),
                granted: *granted,
            })
        })
        .collect();
    r.set_reference(receipt.reference.as_str().into());
    let shown_date = chrono::NaiveDate::parse_from_str(&receipt.date, "%Y-%m-%d")
        .map(|d| crate::forms::dates::long_date(d, lang))
        .unwrap_or_else(|_| receipt.date.clone());
    r.set_date(shown_date.into());
    r.set_choices(model(rows));
    r.set_qr(super::receipt_adapter::qr_image(
        &receipt.qr_payload(clinic),
    ));
    r.set_visible(true);
}

fn select_language(language: &str) {
    LANGUAGE.with(|current| {
        if *current.borrow() != language {
            let code = if language == "en" { "" } else { language };
            // An unknown language keeps the current one; the form texts still follow the choice.
            let _ = slint::select_bundled_translation(code);
            *current.borrow_mut() = language.to_owned();
        }
    });
}

fn refresh_pin(window: &AppWindow, kiosk: &Kiosk) {
    let p = window.global::<PinAdapter>();
    let staff: Vec<StaffEntry> = kiosk
        .staff()
        .iter()
        .map(|m| StaffEntry {
            id: m.id.as_str().into(),
            name: m.name.as_str().into(),
            role: role_name(m.role).into(),
            note: match m.lockout {
                Lockout::Locked => "locked".into(),
                _ => SharedString::default(),
            },
        })
        .collect();
    p.set_staff(model(staff));
    let selected = kiosk.pin_staff();
    p.set_selected_id(selected.map(|m| m.id.as_str()).unwrap_or("").into());
    p.set_selected_name(selected.map(|m| m.name.as_str()).unwrap_or("").into());
    p.set_digits(i32::try_from(kiosk.pin_digit_count()).unwrap_or(0));
    let (sk, sa) = kind(kiosk.pin_message());
    p.set_status_kind(sk);
    p.set_status_arg(sa);
}

fn refresh_home(window: &AppWindow, kiosk: &Kiosk) {
    let h = window.global::<HomeAdapter>();
    h.set_staff_name(kiosk.actor_name().into());
    let role = kiosk.actor().map(|a| a.role());
    h.set_role(role.map(role_name).unwrap_or("").into());
    h.set_is_manager(role.is_some_and(Role::may_manage));
    h.set_may_see_medical(role.is_some_and(Role::may_read_medical));
    let rows: Vec<SubmissionRow> = kiosk
        .todays_submissions()
        .iter()
        .map(|s| SubmissionRow {
            id: s.id.as_str().into(),
            time: s.created_at.get(11..16).unwrap_or("").into(),
            name: s.patient_name.as_str().into(),
            consents: s
                .consents
                .iter()
                .filter(|(_, d)| d.is_granted())
                .map(|(item, _)| item.as_str())
                .collect::<Vec<_>>()
                .join(", ")
                .into(),
            state: s.export_state.as_str().into(),
        })
        .collect();
    h.set_submissions(model(rows));
    match kiosk.record_view() {
        Some(view) => {
            h.set_record_name(view.patient_name.as_str().into());
            h.set_record_rows(model(
                view.rows
                    .iter()
                    .map(|(q, a)| RecordRow {
                        question: q.as_str().into(),
                        answer: a.as_str().into(),
                    })
                    .collect(),
            ));
            h.set_record_open(true);
        }
        None if h.get_record_open() => {
            h.set_record_open(false);
            h.set_record_name(SharedString::default());
            h.set_record_rows(model(Vec::new()));
        }
        None => {}
    }
    let (lk, _) = kind(kiosk.lookup_message());
    h.set_lookup_kind(lk);
    h.set_returning_found(kiosk.returning_found());
}

fn problem_kind(problems: &[FormProblem], question: &str) -> &'static str {
    for p in problems {
        match p {
            FormProblem::Required { question: q } if q == question => return "required",
            FormProblem::OutOfRange { question: q } if q == question => return "range",
            FormProblem::NotANumber { question: q } if q == question => return "number",
            FormProblem::BadDate { question: q } if q == question => return "date",
            FormProblem::TooLong { question: q } if q == question => return "too-long",
            _ => {}
        }
    }
    ""
}

fn refresh_handover(window: &AppWindow, kiosk: &Kiosk) {
    let h = window.global::<HandoverAdapter>();
    let screen = kiosk.screen();
    if screen != Screen::Handover {
        // The next patient starts with the default look, and nothing of this one's form.
        window.global::<Theme>().set_large_text(false);
        window.global::<Theme>().set_high_contrast(false);
    }
    h.set_countdown_visible(kiosk.countdown().is_some());
    h.set_countdown_seconds(i32::try_from(kiosk.countdown().unwrap_or(0)).unwrap_or(0));
    h.set_pin_prompt(kiosk.pin_prompt());
    h.set_signature_path(kiosk.form.signature.svg_path.as_str().into());
    h.set_show_full_notice(kiosk.form.show_full_notice);

    let stamp = (kiosk.form_revision, screen);
    if RENDERED.with(|r| r.get()) == Some(stamp) {
        return;
    }
    RENDERED.with(|r| r.set(Some(stamp)));

    let def = kiosk.definition();
    let form = &kiosk.form;
    let lang = form.language.as_str();
    h.set_language(lang.into());
    h.set_step(i32::try_from(form.step_index).unwrap_or(0));
    h.set_step_count(i32::try_from(crate::kiosk::FormState::step_count(def)).unwrap_or(0));
    let clinic = kiosk.clinic_name();
    let fill = |text: &str| text.replace("{clinic}", clinic);
    h.set_notice_summary(fill(tr(&def.notice.summary, lang)).into());
    h.set_notice_full(fill(tr(&def.notice.full_text, lang)).into());

    let step = form.step(def);
    let (step_kind, title) = match step {
        Step::Notice => ("notice", fill(tr(&def.title, lang))),
        Step::Section(i) => ("section", tr(&def.sections[i].title, lang).to_owned()),
        Step::Consents => ("consents", String::new()),
        Step::Review => ("review", String::new()),
        Step::Sign => ("sign", String::new()),
    };
    h.set_step_kind(step_kind.into());
    h.set_step_title(title.into());

    let questions: Vec<QuestionRow> = match step {
        Step::Section(i) => def.sections[i]
            .questions
            .iter()
            .map(|q| {
                let answer = form.answers.get(&q.id);
                let choices: Vec<ChoiceRow> = q
                    .choices
                    .iter()
                    .map(|c| ChoiceRow {
                        id: c.id.as_str().into(),
                        label: tr(&c.label, lang).into(),
                        selected: match answer {
                            Some(AnswerValue::Choice(x)) => *x == c.id,
                            Some(AnswerValue::Choices(v)) => v.contains(&c.id),
                            _ => false,
                        },
                    })
                    .collect();
                QuestionRow {
                    id: q.id.as_str().into(),
                    kind: match q.kind {
                        QuestionKind::ShortText => "short_text",
                        QuestionKind::LongText => "long_text",
                        QuestionKind::YesNo => "yes_no",
                        QuestionKind::Choice => "choice",
                        QuestionKind::MultiChoice => "multi_choice",
                        QuestionKind::Date => "date",
                        QuestionKind::Number => "number",
                    }
                    .into(),
                    label: tr(&q.label, lang).into(),
                    help: tr(&q.help, lang).into(),
                    required: q.required,
                    visible: def.is_visible(q, &form.answers),
                    text: form.text_of(&q.id).into(),
                    yes: matches!(answer, Some(AnswerValue::YesNo(true))),
                    no: matches!(answer, Some(AnswerValue::YesNo(false))),
                    choices: model(choices),
                    problem: problem_kind(&form.problems, &q.id).into(),
                    max_length: i32::try_from(q.max_length()).unwrap_or(i32::MAX),
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    h.set_questions(model(questions));

    let consents: Vec<ConsentRow> = def
        .consents
        .iter()
        .map(|c| ConsentRow {
            id: c.id.as_str().into(),
            title: fill(tr(&c.title, lang)).into(),
            text: fill(tr(&c.text, lang)).into(),
            granted: form.is_ticked(&c.id),
            refused: false,
            required: c.required,
            previous: match form.previous_consents.get(&c.id) {
                Some(crate::forms::Decision::Granted) => "granted",
                Some(crate::forms::Decision::Refused) => "refused",
                Some(crate::forms::Decision::Withdrawn) => "withdrawn",
                None => "",
            }
            .into(),
        })
        .collect();
    h.set_consents(model(consents));
    super::review_adapter::refresh(window, kiosk);
    h.set_returning(form.returning_patient.is_some());
    h.set_dob_confirmed(form.dob_confirmed());
    h.set_dob_failed(form.dob_failed);
    h.set_dob_locked(!form.dob_confirmed() && form.dob_attempts >= crate::kiosk::DOB_ATTEMPTS);

    let problems_kind = if kiosk.message().is_some() {
        ""
    } else if form
        .problems
        .iter()
        .any(|p| matches!(p, FormProblem::ConsentRequired { .. }))
        && step == Step::Consents
    {
        "treatment-consent"
    } else if !form.problems.is_empty() {
        "form-problems"
    } else if form.signature_missing {
        "signature-missing"
    } else {
        ""
    };
    h.set_problems_kind(problems_kind.into());
}
