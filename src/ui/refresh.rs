//! Copies the kiosk's page views ([`crate::kiosk::KioskView`] and the others, built and tested
//! in `src/kiosk/pages`) into the Slint globals. Nothing is decided here. What is drawn only
//! when it changed (the handover page by its revision, so typing never redraws and unfocuses a
//! field; the receipt; the pairing picture; the bundled translation) is remembered in [`Drawn`].

use std::rc::Rc;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use super::{
    AppWindow, ChoiceRow, ConsentRow, HandoverAdapter, HomeAdapter, KioskAdapter, PinAdapter,
    QuestionRow, ReceiptAdapter, ReceiptRow, RecordRow, Screen as UiScreen, SetupAdapter,
    StaffEntry, SubmissionRow, Theme, UnlockAdapter,
};
use crate::forms::{Decision, QuestionKind};
use crate::kiosk::{DobCheck, Kiosk, Page, QuestionView, Step};
use crate::session::Screen;

/// What the window shows now, so that it is set again only when it changes.
#[derive(Default)]
pub(super) struct Drawn {
    /// The handover page's (form revision, screen).
    handover: Option<(u64, Screen)>,
    /// The language of the bundled Slint translation selected.
    language: Option<String>,
    /// The reference of the receipt shown.
    receipt: Option<String>,
    /// The pairing picture, by a hash of the code it holds (never the code itself).
    pub(super) pairing: Option<Option<String>>,
    /// The kiosk's count of screen wipes when the clipboard was last cleared (`ui::clipboard`).
    pub(super) wipes_seen: std::sync::atomic::AtomicU64,
}

pub(super) fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

/// A Slint model of one row per item.
pub(super) fn rows<T, R: Clone + 'static>(items: &[T], row: impl Fn(&T) -> R) -> ModelRc<R> {
    model(items.iter().map(row).collect())
}

/// Sets a list the window's 1 s tick refreshes (`set`), one row per item, only when its rows
/// differ from those `shown`. A new model re-creates every element drawn from it: a tap pressed
/// on a staff name just before a tick and released just after ended on a new button that had not
/// seen the press, and was lost (one short tap in ten on the PIN pad; every press of a second).
pub(super) fn set_rows<T, R: Clone + PartialEq + 'static>(
    shown: &ModelRc<R>, items: &[T], row: impl Fn(&T) -> R, set: impl FnOnce(ModelRc<R>),
) {
    let new: Vec<R> = items.iter().map(row).collect();
    let same = shown.row_count() == new.len() && shown.iter().zip(&new).all(|(a, b)| a == *b);
    if !same {
        set(model(new));
    }
}

/// Sets a list whose rows hold fields a person types into: row by row while it has as many rows
/// as `shown`, only the rows that differ changing, so what is typed into the others stays; a
/// new model otherwise.
pub(super) fn update_rows<R: Clone + PartialEq + 'static>(
    shown: &ModelRc<R>, new: Vec<R>, set: impl FnOnce(ModelRc<R>),
) {
    if shown.row_count() != new.len() {
        set(model(new));
        return;
    }
    for (i, row) in new.into_iter().enumerate() {
        if shown.row_data(i).as_ref() != Some(&row) {
            shown.set_row_data(i, row);
        }
    }
}

pub(super) fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk, drawn: &mut Drawn) {
    let view = kiosk.kiosk_view();
    if drawn.language.as_deref() != Some(view.language.as_str()) {
        let code = if view.language == "en" {
            ""
        } else {
            &view.language
        };
        // An unknown language keeps the current one; the form texts still follow the choice.
        let _ = slint::select_bundled_translation(code);
        drawn.language = Some(view.language.clone());
    }
    let k = window.global::<KioskAdapter>();
    k.set_clinic_name(view.clinic_name.as_str().into());
    k.set_hand_back_title(view.hand_back.title.as_str().into());
    k.set_hand_back_note(view.hand_back.note.as_str().into());
    k.set_screen(match view.page {
        Page::RecoveryKey => UiScreen::RecoveryKey,
        Page::FirstRun => UiScreen::FirstRun,
        Page::Closed => UiScreen::Closed,
        Page::Locked => UiScreen::Locked,
        Page::StaffHome => UiScreen::StaffHome,
        Page::Handover => UiScreen::Handover,
        Page::HandBack => UiScreen::HandBack,
    });
    k.set_message(view.message.text.as_str().into());
    k.set_message_good(view.message.good);
    window
        .global::<SetupAdapter>()
        .set_recovery_key(view.recovery_key.as_str().into());
    window
        .global::<UnlockAdapter>()
        .set_wipe_field(view.wipe_unlock_field);
    window
        .global::<Theme>()
        .set_right_to_left(view.right_to_left);
    if view.reset_theme {
        window.global::<Theme>().set_large_text(false);
        window.global::<Theme>().set_high_contrast(false);
    }

    refresh_receipt(window, kiosk, drawn);
    refresh_pin(window, kiosk);
    refresh_home(window, kiosk);
    if view.page == Page::StaffHome {
        super::clinic_form_adapter::refresh(window, kiosk);
        super::back_office_adapter::refresh(window, kiosk, drawn);
        super::staff_keys_adapter::refresh(window, kiosk);
    }
    refresh_handover(window, kiosk, drawn);
}

fn refresh_receipt(window: &AppWindow, kiosk: &Kiosk, drawn: &mut Drawn) {
    let r = window.global::<ReceiptAdapter>();
    let view = kiosk.receipt_view();
    if drawn.receipt.as_ref() == view.as_ref().map(|v| &v.reference) {
        return;
    }
    drawn.receipt = view.as_ref().map(|v| v.reference.clone());
    let Some(view) = view else {
        r.set_visible(false);
        r.set_reference(SharedString::default());
        r.set_choices(model(Vec::new()));
        r.set_qr(slint::Image::default());
        return;
    };
    r.set_reference(view.reference.as_str().into());
    r.set_date(view.date.as_str().into());
    r.set_choices(rows(
        &view.choices,
        |c| slint_row!(ReceiptRow from c { title } [granted]),
    ));
    r.set_qr(super::receipt_adapter::qr_image(&view.qr_payload));
    r.set_visible(true);
}

fn refresh_pin(window: &AppWindow, kiosk: &Kiosk) {
    let view = kiosk.pin_view();
    let p = window.global::<PinAdapter>();
    set_rows(
        &p.get_staff(),
        &view.staff,
        |m| {
            let note = if m.locked { "locked" } else { "" };
            slint_row!(StaffEntry from m { id, name, role }, note: note.into())
        },
        |m| p.set_staff(m),
    );
    p.set_selected_id(view.selected_id.as_str().into());
    p.set_selected_name(view.selected_name.as_str().into());
    p.set_digits(int(view.digits));
    p.set_status(view.status.text.as_str().into());
}

fn refresh_home(window: &AppWindow, kiosk: &Kiosk) {
    let view = kiosk.home_view();
    let h = window.global::<HomeAdapter>();
    h.set_staff_name(view.staff_name.into());
    h.set_role(view.role.map_or("", |r| r.as_str()).into());
    h.set_is_manager(view.is_manager);
    h.set_may_see_medical(view.may_see_medical);
    h.set_clock_behind(view.clock_behind);
    set_rows(
        &h.get_submissions(),
        &view.submissions,
        |s| slint_row!(SubmissionRow from s { id, time, name, consents, state }),
        |m| h.set_submissions(m),
    );
    match view.record {
        Some(record) => {
            h.set_record_name(record.patient_name.as_str().into());
            set_rows(
                &h.get_record_rows(),
                &record.rows,
                |(q, a)| RecordRow {
                    question: q.as_str().into(),
                    answer: a.as_str().into(),
                },
                |m| h.set_record_rows(m),
            );
            h.set_record_open(true);
        }
        None if h.get_record_open() => {
            h.set_record_open(false);
            h.set_record_name(SharedString::default());
            h.set_record_rows(model(Vec::new()));
        }
        None => {}
    }
    h.set_lookup_result(view.lookup.text.as_str().into());
    h.set_returning_found(view.returning_found);
}

fn refresh_handover(window: &AppWindow, kiosk: &Kiosk, drawn: &mut Drawn) {
    let h = window.global::<HandoverAdapter>();
    let chrome = kiosk.handover_chrome();
    h.set_countdown_visible(chrome.countdown.is_some());
    h.set_countdown_seconds(i32::try_from(chrome.countdown.unwrap_or(0)).unwrap_or(0));
    h.set_pin_prompt(chrome.pin_prompt);
    h.set_signature_path(chrome.signature_path.as_str().into());
    h.set_show_full_notice(chrome.show_full_notice);

    let (revision, view) = kiosk.handover_view();
    if drawn.handover == Some(revision) {
        return;
    }
    drawn.handover = Some(revision);
    h.set_language(view.language.as_str().into());
    h.set_step(int(view.step));
    h.set_step_count(int(view.step_count));
    h.set_notice_summary(view.notice_summary.as_str().into());
    h.set_notice_full(view.notice_full.as_str().into());
    h.set_step_kind(
        match view.kind {
            Step::Notice => "notice",
            Step::Section(_) => "section",
            Step::Consents => "consents",
            Step::Review => "review",
            Step::Sign => "sign",
        }
        .into(),
    );
    h.set_step_title(view.title.as_str().into());
    h.set_questions(rows(&view.questions, question_row));
    h.set_consents(rows(&view.consents, |c| {
        let previous = match c.previous {
            Some(Decision::Granted) => "granted",
            Some(Decision::Refused) => "refused",
            Some(Decision::Withdrawn) => "withdrawn",
            None => "",
        };
        slint_row!(ConsentRow from c { id, title, text } [granted, required],
            refused: false, previous: previous.into())
    }));
    super::review_adapter::refresh(window, kiosk);
    h.set_returning(view.dob != DobCheck::NotAsked);
    h.set_dob_confirmed(view.dob == DobCheck::Confirmed);
    h.set_dob_failed(view.dob == DobCheck::Asked { failed: true });
    h.set_dob_locked(view.dob == DobCheck::Locked);
    h.set_problems(view.problems.as_str().into());
}

fn question_row(q: &QuestionView) -> QuestionRow {
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
        label: q.label.as_str().into(),
        help: q.help.as_str().into(),
        required: q.required,
        visible: q.visible,
        text: q.text.as_str().into(),
        yes: q.yes,
        no: q.no,
        choices: rows(
            &q.choices,
            |c| slint_row!(ChoiceRow from c { id, label } [selected]),
        ),
        problem: q.problem.as_str().into(),
        max_length: i32::try_from(q.max_length).unwrap_or(i32::MAX),
    }
}
