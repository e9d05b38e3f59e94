//! SetupAdapter and UnlockAdapter: first run, the recovery key, and opening for the day.

use slint::ComponentHandle;
use zeroize::Zeroizing;

use super::{AppWindow, Ctx, SetupAdapter, UnlockAdapter};
use crate::kiosk::SetupForm;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let setup = window.global::<SetupAdapter>();
    let c = ctx.clone();
    setup.on_submit(
        move |clinic,
              manager,
              passphrase,
              repeat,
              manager_pin,
              clinician,
              clinician_pin,
              reception,
              reception_pin| {
            let form = SetupForm {
                clinic: clinic.to_string(),
                manager: manager.to_string(),
                passphrase: Zeroizing::new(passphrase.to_string()),
                repeat: Zeroizing::new(repeat.to_string()),
                manager_pin: Zeroizing::new(manager_pin.to_string()),
                clinician: clinician.to_string(),
                clinician_pin: Zeroizing::new(clinician_pin.to_string()),
                reception: reception.to_string(),
                reception_pin: Zeroizing::new(reception_pin.to_string()),
            };
            c.slow(move |k| k.setup(form));
        },
    );
    let c = ctx.clone();
    setup.on_recovery_noted(move || c.quick(|k| k.recovery_noted()));

    let unlock = window.global::<UnlockAdapter>();
    let c = ctx.clone();
    unlock.on_open(move |passphrase| {
        let passphrase = Zeroizing::new(passphrase.to_string());
        c.slow(move |k| k.unlock(&passphrase));
    });
    let c = ctx.clone();
    unlock.on_open_with_recovery(move |text| {
        let text = Zeroizing::new(text.to_string());
        c.slow(move |k| k.unlock_with_recovery(&text));
    });
}
