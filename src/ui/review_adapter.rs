//! ReviewAdapter: copies the review page's view ([`crate::kiosk::ReviewView`]) into Slint and
//! forwards its "Edit" and "back to the review" taps. Nothing else.

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, VecModel};

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
    let c = ctx.clone();
    r.on_back_to_review(move || c.quick(Kiosk::back_to_review));
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Called with the handover page's redraw (not on every keystroke).
pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk) {
    let r = window.global::<ReviewAdapter>();
    r.set_editing(kiosk.form.editing_from_review);
    let view = kiosk.review().unwrap_or_default();
    let sections: Vec<ReviewSectionRow> = view
        .sections
        .iter()
        .map(|s| ReviewSectionRow {
            step: int(s.step),
            title: s.title.as_str().into(),
            rows: model(
                s.rows
                    .iter()
                    .map(|row| {
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
                        }
                    })
                    .collect(),
            ),
        })
        .collect();
    r.set_sections(model(sections));
    r.set_consents(model(
        view.consents
            .iter()
            .map(|c| ReviewConsentRow {
                title: c.title.as_str().into(),
                granted: c.granted,
                required: c.required,
            })
            .collect(),
    ));
    r.set_consents_step(int(view.consents_step));
}
