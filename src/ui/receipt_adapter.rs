//! ReceiptAdapter: the patient's receipt at hand-back, with its QR code drawn from the qrcode crate.

use slint::{ComponentHandle, Image, Rgb8Pixel, SharedPixelBuffer};

use super::{AppWindow, Ctx, ReceiptAdapter};
use crate::kiosk::Kiosk;

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    window
        .global::<ReceiptAdapter>()
        .on_done(ctx.tap(Kiosk::receipt_done));
}

/// Pixels per QR module, and the quiet zone in modules (the standard asks for four).
const SCALE: usize = 8;
const QUIET: usize = 4;

/// Draws `payload` as a QR code (error correction M), black on white, ready for `Image`.
pub(super) fn qr_image(payload: &str) -> Image {
    let Ok(code) =
        qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
    else {
        // Only a payload far beyond a QR code's capacity fails; the receipt text still shows.
        return Image::default();
    };
    let modules = code.width();
    let side = (modules + 2 * QUIET) * SCALE;
    let colors = code.to_colors();
    let side_u32 = u32::try_from(side).unwrap_or(0);
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side_u32, side_u32);
    let pixels = buffer.make_mut_slice();
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (
                (x / SCALE).checked_sub(QUIET),
                (y / SCALE).checked_sub(QUIET),
            );
            let dark = matches!((mx, my), (Some(mx), Some(my)) if mx < modules && my < modules
                && colors[my * modules + mx] == qrcode::Color::Dark);
            let v = if dark { 0 } else { 255 };
            pixels[y * side + x] = Rgb8Pixel { r: v, g: v, b: v };
        }
    }
    Image::from_rgb8(buffer)
}
