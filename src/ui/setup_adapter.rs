//! SetupAdapter and UnlockAdapter: first run, the recovery key, and opening for the day.

use slint::ComponentHandle;
use zeroize::Zeroizing;

use super::{AppWindow, Ctx, SetupAdapter, UnlockAdapter};
use crate::kiosk::{Kiosk, NewStaff, SetupForm};

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
            let person = |name: slint::SharedString, pin: slint::SharedString| NewStaff {
                name: name.to_string(),
                pin: Zeroizing::new(pin.to_string()),
            };
            let form = SetupForm {
                clinic: clinic.to_string(),
                passphrase: Zeroizing::new(passphrase.to_string()),
                repeat: Zeroizing::new(repeat.to_string()),
                manager: person(manager, manager_pin),
                clinician: person(clinician, clinician_pin),
                reception: person(reception, reception_pin),
            };
            c.slow(move |k| k.setup(form));
        },
    );
    setup.on_recovery_noted(ctx.tap(Kiosk::recovery_noted));

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
