//! ClinicFormAdapter: the form in use; a manager loads a clinic's definition file.

use slint::ComponentHandle;

use super::{AppWindow, ClinicFormAdapter, Ctx};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let adapter = window.global::<ClinicFormAdapter>();
    adapter.on_load(ctx.work_with(|k, path| k.load_form_file(path)));
    adapter.on_use_built_in(ctx.work(Kiosk::use_built_in_form));
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk) {
    let summary = kiosk.form_summary();
    let adapter = window.global::<ClinicFormAdapter>();
    adapter.set_title(summary.title.into());
    adapter.set_version(summary.version.into());
    adapter.set_fingerprint(summary.hash_prefix.into());
    adapter.set_built_in(summary.built_in);
}
