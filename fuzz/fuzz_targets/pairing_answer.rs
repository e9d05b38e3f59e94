//! A desk's pairing answer is outside input: any bytes must open or be refused, never panic.
#![no_main]

use intake_kiosk::sync::{PairingAnswer, PairingOffer};
use intake_kiosk_fuzz::{FIXED_OFFER, FIXED_OFFER_NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let offer = PairingOffer::parse(FIXED_OFFER).expect("the fixed offer parses");
    let _ = PairingAnswer::open(data, &offer, FIXED_OFFER_NOW);
});
