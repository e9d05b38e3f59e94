//! HandoverAdapter: the patient's form, consents, signature, language and accessibility switches.

use slint::ComponentHandle;

use super::{AppWindow, Ctx, HandoverAdapter, Theme};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let h = window.global::<HandoverAdapter>();
    h.on_set_language(ctx.tap_with(|k, language| k.set_language(language)));
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
    h.on_confirm_dob(ctx.tap_with(|k, typed| k.confirm_date_of_birth(typed)));
    h.on_next(ctx.tap(Kiosk::next_step));
    h.on_back(ctx.tap(Kiosk::previous_step));
    h.on_submit(ctx.work(Kiosk::submit));
    let c = ctx.clone();
    h.on_sign_point(move |x, y, new_stroke| c.quick(|k| k.sign_point(x, y, new_stroke)));
    h.on_clear_signature(ctx.tap(Kiosk::clear_signature));
    h.on_staff_button(ctx.tap(Kiosk::staff_button));
    h.on_cancel_pin_prompt(ctx.tap(Kiosk::cancel_pin_prompt));
    h.on_still_here(ctx.tap(Kiosk::still_here));
    h.on_toggle_full_notice(ctx.tap(Kiosk::toggle_full_notice));
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
