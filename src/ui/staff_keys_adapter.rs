//! StaffKeysAdapter: the manager's "Staff and keys" panel on staff home.

use slint::ComponentHandle;

use super::refresh::set_rows;
use super::rotation_slots;
use super::{AppWindow, Ctx, StaffKeysAdapter, StaffKeysRow};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let a = window.global::<StaffKeysAdapter>();
    a.on_opened(ctx.tap(Kiosk::refresh_staff_keys));
    a.on_retire(ctx.tap_with(|k, id| k.retire_staff(id)));
    let c = ctx.clone();
    a.on_reset_pin(move |id, pin| c.slow(move |k| k.reset_staff_pin(&id, &pin)));
    let c = ctx.clone();
    a.on_change_passphrase(move |current, new, again| {
        c.slow(move |k| k.change_my_passphrase(&current, &new, &again));
    });
    let c = ctx.clone();
    a.on_change_pin(move |current, new| c.slow(move |k| k.change_my_pin(&current, &new)));
    let c = ctx.clone();
    a.on_add_manager(move |name, pin, passphrase, again| {
        c.slow(move |k| k.add_manager(&name, &pin, &passphrase, &again));
    });
    a.on_new_recovery_key(ctx.tap(Kiosk::new_recovery_key));
    a.on_rotate(taking_typed!(ctx, StaffKeysAdapter, |c, typed| c
        .slow(move |k| k.rotate_data_key(&rotation_slots::as_strs(&typed)))));
    a.on_recovery_key_noted(ctx.tap(Kiosk::recovery_key_noted));
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk) {
    let view = kiosk.staff_keys();
    let a = window.global::<StaffKeysAdapter>();
    set_rows(
        &a.get_staff(),
        &view.staff,
        |s| slint_row!(StaffKeysRow from s { id, name, role } [active]),
        |m| a.set_staff(m),
    );
    // One passphrase field per active manager; left as it is (with what is typed) while the
    // same managers are listed.
    if let Some(slots) = rotation_slots::for_signers(&a.get_rotation_slots(), &view.rotation) {
        a.set_rotation_slots(slots);
    }
    a.set_set_anew(view.set_anew);
    a.set_recovery_key(
        view.recovery_key
            .as_ref()
            .map(|k| k.as_str())
            .unwrap_or("")
            .into(),
    );
}
