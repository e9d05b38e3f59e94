//! A scanned pairing QR code is outside input: any text must parse or be refused, never panic,
//! and whatever parses must print back to exactly the same text (one spelling per offer).
#![no_main]

use intake_kiosk::sync::PairingOffer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(offer) = PairingOffer::parse(text) {
        let printed = offer.to_text().expect("an accepted offer prints");
        assert_eq!(printed.as_str(), text);
    }
});
