//! StaffKeysAdapter: the manager's "Staff and keys" panel on staff home.

use slint::{ComponentHandle, ModelRc, VecModel};

use super::{AppWindow, Ctx, StaffKeysAdapter, StaffKeysRow};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let a = window.global::<StaffKeysAdapter>();
    let c = ctx.clone();
    a.on_opened(move || c.quick(Kiosk::refresh_staff_keys));
    let c = ctx.clone();
    a.on_retire(move |id| c.quick(move |k| k.retire_staff(&id)));
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
    let c = ctx.clone();
    a.on_new_recovery_key(move || c.quick(Kiosk::new_recovery_key));
    let c = ctx.clone();
    a.on_rotate(move |yours, other| {
        c.slow(move |k| k.rotate_data_key(&[yours.as_str(), other.as_str()]))
    });
    let c = ctx.clone();
    a.on_recovery_key_noted(move || c.quick(Kiosk::recovery_key_noted));
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk) {
    let view = kiosk.staff_keys();
    let a = window.global::<StaffKeysAdapter>();
    let rows: Vec<StaffKeysRow> = view
        .staff
        .iter()
        .map(|s| StaffKeysRow {
            id: s.id.as_str().into(),
            name: s.name.as_str().into(),
            role: s.role.as_str().into(),
            active: s.active,
        })
        .collect();
    a.set_staff(ModelRc::new(VecModel::from(rows)));
    a.set_recovery_key(
        view.recovery_key
            .as_ref()
            .map(|k| k.as_str())
            .unwrap_or("")
            .into(),
    );
}
