//! PinAdapter: the staff picker and PIN pad (locked screen, hand-back, the handover's staff prompt).

use slint::ComponentHandle;

use super::{AppWindow, Ctx, PinAdapter};

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let pin = window.global::<PinAdapter>();
    let c = ctx.clone();
    pin.on_select(move |id| c.quick(|k| k.pin_select(&id)));
    let c = ctx.clone();
    pin.on_digit(move |d| c.quick(|k| k.pin_digit(&d)));
    let c = ctx.clone();
    pin.on_erase(move || c.quick(|k| k.pin_erase()));
    let c = ctx.clone();
    pin.on_submit(move || c.slow(|k| k.pin_submit()));
}
