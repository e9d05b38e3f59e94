//! PinAdapter: the staff picker and PIN pad (locked screen, hand-back, the handover's staff prompt).

use slint::ComponentHandle;

use super::{AppWindow, Ctx, PinAdapter};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let pin = window.global::<PinAdapter>();
    pin.on_select(ctx.tap_with(|k, id| k.pin_select(id)));
    pin.on_digit(ctx.tap_with(|k, digit| k.pin_digit(digit)));
    pin.on_erase(ctx.tap(Kiosk::pin_erase));
    pin.on_submit(ctx.work(Kiosk::pin_submit));
}
