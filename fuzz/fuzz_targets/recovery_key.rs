//! The recovery key is typed by a person: any text must parse or be refused, never panic.
#![no_main]

use intake_kiosk::vault::RecoveryKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(key) = RecoveryKey::parse(text)
    {
        let printed = key.to_printable();
        assert!(RecoveryKey::parse(&printed).is_ok());
    }
});
