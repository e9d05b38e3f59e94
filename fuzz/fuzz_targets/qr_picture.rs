//! A picture a manager gives the desk as a kiosk's QR code (`desk pair --qr-image`, the desk
//! window's *Pair this kiosk* with a path) is outside input: any bytes must give text or a
//! refusal, never a panic. The pictures it may claim are bounded before they are decoded
//! (src/exchange/qr_picture.rs), so a run stays small whatever the header says.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use intake_kiosk::exchange::qr_picture::decode_qr_image;
use libfuzzer_sys::fuzz_target;

/// The file each run writes its input to (the decoder reads a path, as the desk gives it).
fn picture() -> &'static PathBuf {
    static FOLDER: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = FOLDER.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("picture");
        (dir, path)
    });
    path
}

fuzz_target!(|data: &[u8]| {
    std::fs::write(picture(), data).expect("writing the input");
    let _ = decode_qr_image(picture());
});
