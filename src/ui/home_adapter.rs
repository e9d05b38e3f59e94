//! HomeAdapter: staff home.

use slint::ComponentHandle;

use super::{AppWindow, Ctx, HomeAdapter};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let home = window.global::<HomeAdapter>();
    home.on_open_record(ctx.tap_with(|k, id| k.open_record(id)));
    home.on_close_record(ctx.tap(Kiosk::close_record));
    home.on_start_new(ctx.tap(Kiosk::start_new_handover));
    home.on_start_returning(ctx.tap(Kiosk::start_returning_handover));
    home.on_confirm_clock(ctx.tap(Kiosk::confirm_clock));
    let c = ctx.clone();
    home.on_find_returning(move |g, f, d, p| c.quick(|k| k.find_returning(&g, &f, &d, &p)));
    home.on_lock_now(ctx.tap(Kiosk::lock_now));
    home.on_close_for_day(ctx.work(Kiosk::close_for_day));
    let c = ctx.clone();
    home.on_unlock_staff(move |id, passphrase| {
        let (id, passphrase) = (
            id.to_string(),
            zeroize::Zeroizing::new(passphrase.to_string()),
        );
        c.slow(move |k| k.unlock_staff(&id, &passphrase));
    });
    let c = ctx.clone();
    home.on_add_staff(move |name, role, pin| {
        let (name, role, pin) = (
            name.to_string(),
            role.to_string(),
            zeroize::Zeroizing::new(pin.to_string()),
        );
        c.slow(move |k| k.add_staff(&name, &role, &pin));
    });
}
