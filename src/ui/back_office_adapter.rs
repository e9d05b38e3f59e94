//! BackOfficeAdapter: the manager's pairing, export and receipts panel.

use slint::{ComponentHandle, Image};

use super::refresh::Drawn;
use super::{AppWindow, BackOfficeAdapter, Ctx};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let a = window.global::<BackOfficeAdapter>();
    a.on_opened(ctx.tap(Kiosk::refresh_back_office));
    a.on_set_folder(ctx.tap_with(|k, folder| k.set_exchange_folder(folder)));
    a.on_start_pairing(ctx.work(Kiosk::start_pairing));
    a.on_read_answer(ctx.work(Kiosk::read_pairing_answer));
    a.on_confirm_pairing(ctx.tap(Kiosk::confirm_pairing));
    a.on_reject_pairing(ctx.tap(Kiosk::reject_pairing));
    a.on_export_now(ctx.work(Kiosk::export_now));
    a.on_read_receipts(ctx.work(Kiosk::read_receipts));
    a.on_unpair(ctx.tap(Kiosk::unpair));
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk, drawn: &mut Drawn) {
    let view = kiosk.back_office();
    let a = window.global::<BackOfficeAdapter>();
    a.set_folder(view.folder.as_str().into());
    // Drawn once per offer (a new offer replaces the picture).
    let drawn_for = view
        .pairing_code
        .as_ref()
        .map(|code| crate::vault::content_hash(code.as_bytes()));
    if drawn.pairing.as_ref() != Some(&drawn_for) {
        match &view.pairing_code {
            Some(code) => a.set_pairing_qr(super::receipt_adapter::qr_image(code)),
            None => a.set_pairing_qr(Image::default()),
        }
        a.set_pairing_open(view.pairing_code.is_some());
        drawn.pairing = Some(drawn_for);
    }
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
