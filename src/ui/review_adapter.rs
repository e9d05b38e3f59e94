//! ReviewAdapter: copies the review page's view ([`crate::kiosk::ReviewView`]) into Slint and
//! forwards its "Edit" and "back to the review" taps. Nothing else.

use slint::ComponentHandle;

use super::refresh::{int, rows};
use super::{AppWindow, Ctx, ReviewAdapter, ReviewAnswerRow, ReviewConsentRow, ReviewSectionRow};
use crate::kiosk::{Kiosk, ReviewAnswer};

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let r = window.global::<ReviewAdapter>();
    let c = ctx.clone();
    r.on_edit(move |step| {
        if let Ok(step) = usize::try_from(step) {
            c.quick(|k| k.edit_from_review(step));
        }
    });
    r.on_back_to_review(ctx.tap(Kiosk::back_to_review));
}

/// Called with the handover page's redraw (not on every keystroke).
pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk) {
    let r = window.global::<ReviewAdapter>();
    r.set_editing(kiosk.form.editing_from_review);
    let view = kiosk.review().unwrap_or_default();
    r.set_sections(rows(&view.sections, |s| ReviewSectionRow {
        step: int(s.step),
        title: s.title.as_str().into(),
        rows: rows(&s.rows, |row| {
            let (kind, answer) = match &row.answer {
                ReviewAnswer::Text(t) => ("text", t.as_str()),
                ReviewAnswer::Yes => ("yes", ""),
                ReviewAnswer::No => ("no", ""),
                ReviewAnswer::NotAnswered => ("none", ""),
            };
            ReviewAnswerRow {
                label: row.label.as_str().into(),
                answer: answer.into(),
                kind: kind.into(),
                required: row.required,
                problem: row.problem.as_str().into(),
            }
        }),
    }));
    r.set_consents(rows(
        &view.consents,
        |c| slint_row!(ReviewConsentRow from c { title, problem } [granted, required]),
    ));
    r.set_consents_step(int(view.consents_step));
}
