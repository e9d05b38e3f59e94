//! BackOfficeAdapter: the manager's pairing, export and receipts panel.

use slint::{ComponentHandle, Image};

use super::refresh::Drawn;
use super::{AppWindow, BackOfficeAdapter, Ctx};
use crate::kiosk::{IdleLimit, Kiosk};

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let a = window.global::<BackOfficeAdapter>();
    a.on_opened(ctx.tap(Kiosk::refresh_back_office));
    a.on_set_folder(ctx.tap_with(|k, folder| k.set_exchange_folder(folder)));
    a.on_set_handover_idle(ctx.tap_with(|k, typed| k.set_idle_limit(IdleLimit::Handover, typed)));
    a.on_set_staff_idle(ctx.tap_with(|k, typed| k.set_idle_limit(IdleLimit::StaffHome, typed)));
    a.on_start_pairing(ctx.work(Kiosk::start_pairing));
    a.on_read_answer(ctx.work(Kiosk::read_pairing_answer));
    a.on_cancel_pairing(ctx.tap(Kiosk::cancel_pairing));
    a.on_confirm_pairing(ctx.tap(Kiosk::confirm_pairing));
    a.on_reject_pairing(ctx.tap(Kiosk::reject_pairing));
    a.on_export_now(ctx.work(Kiosk::export_now));
    a.on_read_receipts(ctx.work(Kiosk::read_receipts));
    a.on_unpair(ctx.tap(Kiosk::unpair));
    a.on_ask_new_id(ctx.tap(Kiosk::ask_new_kiosk_id));
    a.on_keep_kiosk_id(ctx.tap(Kiosk::keep_kiosk_id));
    a.on_new_kiosk_id(ctx.work(Kiosk::new_kiosk_id));
}

pub(super) fn refresh(window: &AppWindow, kiosk: &Kiosk, drawn: &mut Drawn) {
    let panel = kiosk.back_office_panel();
    let a = window.global::<BackOfficeAdapter>();
    a.set_folder(panel.folder.into());
    // Drawn once per offer (a new offer replaces the picture).
    let drawn_for = panel
        .pairing_code
        .map(|code| crate::vault::content_hash(code.as_bytes()));
    if drawn.pairing.as_ref() != Some(&drawn_for) {
        match panel.pairing_code {
            Some(code) => a.set_pairing_qr(super::receipt_adapter::qr_image(code)),
            None => a.set_pairing_qr(Image::default()),
        }
        a.set_pairing_open(panel.pairing_code.is_some());
        drawn.pairing = Some(drawn_for);
    }
    a.set_pairing_expires(panel.pairing_expires.as_str().into());
    a.set_code_to_compare(panel.code_to_compare.into());
    a.set_paired(panel.paired_desk.is_some());
    a.set_desk_code(panel.paired_desk.unwrap_or("").into());
    a.set_kiosk_id(panel.kiosk_id.into());
    a.set_new_id_offered(panel.new_id_offered);
    a.set_asking_new_id(panel.asking_new_id);
    a.set_pending(panel.pending as i32);
    a.set_exported(panel.exported as i32);
    a.set_delivered(panel.delivered as i32);
    a.set_last_export(panel.last_export.as_str().into());
    a.set_handover_idle(panel.handover_idle.to_string().into());
    a.set_staff_idle(panel.staff_idle.to_string().into());
}
