//! A clinic's form definition file is outside input: parsing and checking it must never panic,
//! and whatever it accepts must hash and re-parse to itself.
#![no_main]

use intake_kiosk::forms::FormDefinition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(definition) = FormDefinition::parse(text) {
        let again = FormDefinition::parse(&definition.canonical_json())
            .expect("an accepted definition re-parses");
        assert_eq!(again.content_hash(), definition.content_hash());
    }
});
