//! A desk's receipt is outside input: any bytes must be read or refused, never panic.
#![no_main]

use intake_kiosk::sync::Receipt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Receipt::peek(data);
    let _ = Receipt::parse_and_verify(data, &[0x5a; 32]);
});
