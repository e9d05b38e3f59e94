//! A desk's pairing answer is outside input: any bytes must open or be refused, never panic.
#![no_main]

use intake_kiosk::sync::{PairingAnswer, PairingOffer};
use libfuzzer_sys::fuzz_target;

/// A fixed offer (kiosk id 0123…cdef, key 07…, secret 09…); a unit test in src/sync/pairing.rs
/// checks that it parses.
const OFFER: &str = "IKP1:04HMASW9NF6YY0938NKRKAYDXW:0W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3G:144GJ289144GJ289144GJ289144GJ289144GJ289144GJ289144G:2000000000";

fuzz_target!(|data: &[u8]| {
    let offer = PairingOffer::parse(OFFER).expect("the fixed offer parses");
    let _ = PairingAnswer::open(data, &offer, 1_900_000_000);
});
