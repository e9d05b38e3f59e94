//! An export bundle is outside input: any bytes must parse or be refused, never panic, and a
//! parsed bundle must verify (here: fail to) without panicking.
#![no_main]

use intake_kiosk::sync::ParsedBundle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = ParsedBundle::parse(data) {
        let _ = parsed.verify(&[0x5a; 32]);
    }
});
