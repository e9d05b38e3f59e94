//! HomeAdapter: staff home.

use slint::ComponentHandle;

use super::{AppWindow, Ctx, HomeAdapter};

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let home = window.global::<HomeAdapter>();
    let c = ctx.clone();
    home.on_open_record(move |id| c.quick(|k| k.open_record(&id)));
    let c = ctx.clone();
    home.on_close_record(move || c.quick(|k| k.close_record()));
    let c = ctx.clone();
    home.on_start_new(move || c.quick(|k| k.start_new_handover()));
    let c = ctx.clone();
    home.on_start_returning(move || c.quick(|k| k.start_returning_handover()));
    let c = ctx.clone();
    home.on_find_returning(move |g, f, d, p| c.quick(|k| k.find_returning(&g, &f, &d, &p)));
    let c = ctx.clone();
    home.on_lock_now(move || c.quick(|k| k.lock_now()));
    let c = ctx.clone();
    home.on_close_for_day(move || c.slow(|k| k.close_for_day()));
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
