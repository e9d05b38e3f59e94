//! A bundle entry's plaintext is outside input once the entry opens (a kiosk that was taken over
//! signs and seals what it likes): any bytes, read as any submission kind, must be read or
//! refused, never panic. The first byte picks the kind (as the bundle's kind byte does; any
//! other value reads the kind kiosks write now), the rest is the entry.
#![no_main]

use intake_kiosk::exchange::submission_entry::{self, MAX_DECISIONS, WRITTEN_KIND};
use intake_kiosk::sync::EntryKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, entry)) = data.split_first() else {
        return;
    };
    let kind = match kind {
        2 => EntryKind::Submission,
        4 => EntryKind::CompactSubmission,
        5 => EntryKind::PackedSubmission,
        _ => WRITTEN_KIND,
    };
    if let Ok(s) = submission_entry::read(kind, entry) {
        // What a read entry gives back is bounded, and its runs as carried are its decisions.
        if kind != EntryKind::Submission {
            assert!(s.consents.len() <= MAX_DECISIONS);
        }
        if kind == EntryKind::RunsSubmission {
            let carried: usize = s.packed.runs.iter().map(|run| run.decisions).sum();
            assert_eq!(carried, s.consents.len());
        }
    }
});
