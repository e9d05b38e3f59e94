//! A picture a manager gives the desk as a kiosk's QR code (`desk pair --qr-image`, the desk
//! window's *Pair this kiosk* with a path) is outside input: any bytes must give text or a
//! refusal, never a panic. The pictures it may claim are bounded before they are decoded
//! (src/exchange/qr_picture.rs), so a run stays small whatever the header says.
#![no_main]

use intake_kiosk::exchange::qr_picture::decode_qr_picture;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_qr_picture(data);
});
