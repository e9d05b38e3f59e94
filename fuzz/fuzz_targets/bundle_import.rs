//! Past the signature: the desk's whole import of bundles whose *content* is the fuzz input and
//! whose signature always holds (each run pairs a fresh kiosk with the desk and signs with its
//! key). So the fuzzer drives what runs only after verification: opening the entries, parsing
//! the forms, sealed submissions and security events, the audit head and the exactly-once
//! rules against a real desk store, then the hand-on to the outbox (FHIR, JSON, printable HTML).
//!
//! Input (see `intake_kiosk_fuzz::script`; `@N` becomes a token unique to the run):
//! ```text
//! bundle SEQ AUDIT_LENGTH [AUDIT_TAG]   starts a bundle (all from the same kiosk, imported in order)
//! created RFC3339                       its creation time
//! form ENTRY_ID                         an entry; its plaintext is the next line
//! submission ENTRY_ID                   (the earlier shape: the outbox's JSON)
//! compact ENTRY_ID                      (the shape kiosks write now)
//! security ENTRY_ID
//! ```
//! Checked on every run, besides "never panics": a bundle the kiosk's writer made always reads
//! at the desk (no format or seal error); a refused bundle leaves no trace; a stored one is
//! refused as a replay the second time.
#![no_main]

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::PathBuf;

use intake_kiosk::exchange::ExchangeError;
use intake_kiosk::exchange::desk_side;
use intake_kiosk::store::OfferedKey;
use intake_kiosk::sync::{
    AuditCheckpoint, BundleParts, BundleWriter, DeskKeys, EntryKind, KioskKeys,
};
use intake_kiosk_fuzz::places::{Place, empty, t0, verbose};
use intake_kiosk_fuzz::script::{self, Line};
use libfuzzer_sys::fuzz_target;

struct Desk {
    place: Place,
    keys: DeskKeys,
    exchange: PathBuf,
    outbox: PathBuf,
}

impl Desk {
    fn new() -> Desk {
        let place = Place::set_up();
        let keys = desk_side::desk_keys(&place.store, &place.manager, t0()).expect("desk keys");
        Desk {
            exchange: place.folder("exchange"),
            outbox: place.folder("outbox"),
            place,
            keys,
        }
    }
}

struct BundleSpec {
    seq: u64,
    audit_length: u64,
    audit_tag: String,
    created_at: String,
    entries: Vec<(EntryKind, String, Vec<u8>)>,
}

impl BundleSpec {
    fn new(seq: u64) -> BundleSpec {
        BundleSpec {
            seq,
            audit_length: 0,
            audit_tag: String::new(),
            created_at: "2026-11-23T08:59:00Z".into(),
            entries: Vec::new(),
        }
    }

    fn from_line(line: &Line<'_>, default_seq: u64) -> BundleSpec {
        let mut spec = BundleSpec::new(line.number(0).unwrap_or(default_seq));
        spec.audit_length = line.number(1).unwrap_or(0);
        spec.audit_tag = line.text(2).unwrap_or_default().to_owned();
        spec
    }

    /// The signed bundle, or `None` where the kiosk's own writer refuses the values (a bad
    /// timestamp or audit tag; a bad entry id drops only that entry).
    fn write(&self, kiosk: &KioskKeys, desk: &DeskKeys) -> Option<Vec<u8>> {
        let parts = BundleParts {
            seq: self.seq,
            created_at: self.created_at.clone(),
            audit_checkpoint: AuditCheckpoint {
                length: self.audit_length,
                last_tag: self.audit_tag.clone(),
                previous: None,
            },
        };
        let mut writer = BundleWriter::new(parts, &desk.public(), kiosk).ok()?;
        for (kind, id, plaintext) in &self.entries {
            let _ = writer.add(*kind, id, plaintext);
        }
        writer
            .finish()
            .ok()
            .map(intake_kiosk::sync::SignedBundle::into_vec)
    }
}

fn bundles(input: &[u8]) -> Vec<BundleSpec> {
    let mut specs: Vec<BundleSpec> = Vec::new();
    for line in script::lines(input, &["form", "submission", "compact", "security"]) {
        if line.is("bundle") {
            let next = specs.len() as u64 + 1;
            specs.push(BundleSpec::from_line(&line, next));
            continue;
        }
        if specs.is_empty() {
            specs.push(BundleSpec::new(1));
        }
        let Some(spec) = specs.last_mut() else {
            continue;
        };
        let kind = match line.keyword {
            b"form" => EntryKind::Form,
            b"submission" => EntryKind::Submission,
            b"compact" => EntryKind::CompactSubmission,
            b"security" => EntryKind::SecurityLog,
            b"created" => {
                if let Some(text) = line.rest() {
                    spec.created_at = text;
                }
                continue;
            }
            _ => continue,
        };
        let id = line.text(0).unwrap_or_default().to_owned();
        spec.entries
            .push((kind, id, line.payload.unwrap_or_default().to_vec()));
    }
    // A run stays a few milliseconds: a handful of bundles at most.
    specs.truncate(4);
    specs
}

thread_local! {
    static DESK: RefCell<Option<Desk>> = const { RefCell::new(None) };
}

static RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn run(desk: &mut Desk, data: &[u8]) {
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    desk.place.runs += 1;
    let input = script::substitute(data, &format!("{run:016x}"));
    let specs = bundles(&input);
    if specs.is_empty() {
        return;
    }
    let store = &mut desk.place.store;
    let manager = &desk.place.manager;
    let kiosk_id = format!("{run:032x}");
    let kiosk = KioskKeys::generate(&kiosk_id).expect("kiosk keys");
    store
        .link_kiosk(
            manager,
            OfferedKey {
                kiosk_id: &kiosk_id,
                sign_public: &kiosk.sign_public(),
                comparison_code: "000000",
            },
            t0(),
        )
        .expect("pairing a kiosk");
    store
        .confirm_kiosk(manager, &kiosk_id, "000000", t0())
        .expect("confirming the kiosk at the desk");

    let mut stored: HashSet<u64> = HashSet::new();
    for spec in &specs {
        let Some(bytes) = spec.write(&kiosk, &desk.keys) else {
            if verbose() {
                eprintln!("bundle {}: the kiosk's writer refused it", spec.seq);
            }
            continue;
        };
        let name = format!("bundle-{kiosk_id}-{:08}.ikb", spec.seq);
        let path = desk.exchange.join(&name);
        std::fs::write(&path, &bytes).expect("writing the bundle");
        let import = |store: &mut _| {
            desk_side::import_file(
                store,
                manager,
                &desk.keys,
                &path,
                &desk.exchange,
                Some(&desk.outbox),
                t0(),
                &mut |_, _, _| {},
            )
        };
        let result = import(store);
        if verbose() {
            match &result {
                Ok(imported) => eprintln!(
                    "bundle {}: stored, {} added, {} duplicates",
                    spec.seq,
                    imported.report.added.len(),
                    imported.report.duplicates.len()
                ),
                Err(error) => eprintln!("bundle {}: refused: {error}", spec.seq),
            }
        }
        match result {
            Ok(_) => {
                // Handed on inside the import, before it committed.
                assert!(stored.insert(spec.seq), "bundle {} stored twice", spec.seq);
                assert!(
                    matches!(import(store), Err(ExchangeError::Replayed { .. })),
                    "a stored bundle is refused as a replay the second time"
                );
            }
            Err(ExchangeError::Format { error, .. }) => {
                panic!("the desk cannot read a bundle the kiosk's writer made: {error}")
            }
            Err(ExchangeError::Replayed { seq, .. }) => {
                assert!(stored.contains(&seq), "replay of bundle {seq} never stored")
            }
            Err(_) => assert!(
                stored.contains(&spec.seq)
                    || !store
                        .bundle_imported(&kiosk_id, spec.seq)
                        .expect("reading imports"),
                "a refused bundle leaves no trace"
            ),
        }
    }
    empty(&desk.exchange);
    empty(&desk.outbox);
}

fuzz_target!(|data: &[u8]| {
    DESK.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|d| d.place.worn_out()) {
            // Drop the old store (and its folder) before setting up the next.
            *cell = None;
            *cell = Some(Desk::new());
        }
        if let Some(desk) = cell.as_mut() {
            run(desk, data);
        }
    });
});
