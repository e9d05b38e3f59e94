//! BackOfficeAdapter: the manager's pairing, export and receipts panel.

use slint::{ComponentHandle, Image};

use super::{AppWindow, BackOfficeAdapter, Ctx};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let a = window.global::<BackOfficeAdapter>();
    let c = ctx.clone();
    a.on_opened(move || c.quick(|k| k.refresh_back_office()));
    let c = ctx.clone();
    a.on_set_folder(move |folder| {
        let folder = folder.to_string();
        c.quick(move |k| k.set_exchange_folder(&folder));
    });
    let c = ctx.clone();
    a.on_start_pairing(move || c.slow(|k| k.start_pairing()));
    let c = ctx.clone();
    a.on_read_answer(move || c.slow(|k| k.read_pairing_answer()));
    let c = ctx.clone();
    a.on_confirm_pairing(move || c.quick(|k| k.confirm_pairing()));
    let c = ctx.clone();
    a.on_reject_pairing(move || c.quick(|k| k.reject_pairing()));
    let c = ctx.clone();
    a.on_export_now(move || c.slow(|k| k.export_now()));
    let c = ctx.clone();
    a.on_read_receipts(move || c.slow(|k| k.read_receipts()));
    let c = ctx.clone();
    a.on_unpair(move || c.quick(|k| k.unpair()));
}

thread_local! {
    static DRAWN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk) {
    let view = kiosk.back_office();
    let a = window.global::<BackOfficeAdapter>();
    a.set_folder(view.folder.as_str().into());
    // Drawn once per offer (a new offer replaces the picture); remembered by a hash of the code,
    // never the code itself.
    let drawn_for = view
        .pairing_code
        .as_ref()
        .map(|code| crate::vault::content_hash(code.as_bytes()));
    DRAWN.with(|drawn| {
        if *drawn.borrow() == drawn_for {
            return;
        }
        match &view.pairing_code {
            Some(code) => a.set_pairing_qr(super::receipt_adapter::qr_image(code)),
            None => a.set_pairing_qr(Image::default()),
        }
        a.set_pairing_open(view.pairing_code.is_some());
        *drawn.borrow_mut() = drawn_for;
    });
    a.set_pairing_expires(
        view.pairing_expires
            .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
            .unwrap_or_default()
            .into(),
    );
    a.set_code_to_compare(view.code_to_compare.clone().unwrap_or_default().into());
    let desk = view.status.desk.as_ref().filter(|d| d.confirmed);
    a.set_paired(desk.is_some());
    a.set_desk_code(
        desk.map(|d| d.comparison_code.as_str())
            .unwrap_or("")
            .into(),
    );
    a.set_pending(view.status.pending as i32);
    a.set_exported(view.status.exported as i32);
    a.set_delivered(view.status.delivered as i32);
    a.set_last_export(
        view.status
            .last_export_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
            .into(),
    );
}
