//! HandoverAdapter: the patient's form, consents, signature, language and accessibility switches.

use slint::ComponentHandle;

use super::{AppWindow, Ctx, HandoverAdapter, Theme};

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let h = window.global::<HandoverAdapter>();
    let c = ctx.clone();
    h.on_set_language(move |l| c.quick(|k| k.set_language(&l)));
    let c = ctx.clone();
    // Typing must not redraw the page (that would steal the field's focus): no refresh here.
    h.on_set_text(move |id, text| {
        if let Ok(mut k) = c.kiosk.try_lock() {
            k.set_text(&id, &text);
        }
    });
    let c = ctx.clone();
    h.on_set_yes_no(move |id, v| c.quick(|k| k.set_yes_no(&id, v)));
    let c = ctx.clone();
    h.on_toggle_choice(move |q, choice| c.quick(|k| k.toggle_choice(&q, &choice)));
    let c = ctx.clone();
    h.on_set_consent(move |id, v| c.quick(|k| k.set_consent(&id, v)));
    let c = ctx.clone();
    h.on_confirm_dob(move |typed| c.quick(|k| k.confirm_date_of_birth(&typed)));
    let c = ctx.clone();
    h.on_next(move || c.quick(|k| k.next_step()));
    let c = ctx.clone();
    h.on_back(move || c.quick(|k| k.previous_step()));
    let c = ctx.clone();
    h.on_submit(move || c.slow(|k| k.submit()));
    let c = ctx.clone();
    h.on_sign_point(move |x, y, new_stroke| c.quick(|k| k.sign_point(x, y, new_stroke)));
    let c = ctx.clone();
    h.on_clear_signature(move || c.quick(|k| k.clear_signature()));
    let c = ctx.clone();
    h.on_staff_button(move || c.quick(|k| k.staff_button()));
    let c = ctx.clone();
    h.on_cancel_pin_prompt(move || c.quick(|k| k.cancel_pin_prompt()));
    let c = ctx.clone();
    h.on_still_here(move || c.quick(|k| k.still_here()));
    let c = ctx.clone();
    h.on_toggle_full_notice(move || c.quick(|k| k.toggle_full_notice()));
    let weak = window.as_weak();
    h.on_set_large_text(move |on| {
        if let Some(w) = weak.upgrade() {
            w.global::<Theme>().set_large_text(on);
        }
    });
    let weak = window.as_weak();
    h.on_set_high_contrast(move |on| {
        if let Some(w) = weak.upgrade() {
            w.global::<Theme>().set_high_contrast(on);
        }
    });
}
