//! Export and import throughput for 10,000 submissions (prints, never asserts):
//! kiosk export (open from the store, seal to the desk, sign, write, note) and desk import
//! (parse, verify, open, store exactly once in one transaction, sign the receipt), then the
//! outbox hand-off (FHIR R4 + JSON + printable per form) and the kiosk's receipt purge.
//! `cargo bench --bench sync_throughput`. One thread: everything below runs on one core.
//! `SYNC_BENCH_COUNT=1000` runs it with fewer submissions (e.g. under
//! `valgrind --tool=callgrind`, to count instructions rather than time a shared machine).

mod common;

use std::time::Instant;

use chrono::Utc;
use intake_kiosk::exchange::desk_side;
use intake_kiosk::exchange::kiosk_side;
use intake_kiosk::forms::{ConsentDecision, Decision, FormDefinition, Signature};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{Actor, NewSubmission, OpenStore, PatientRef, SetupRequest, Store};
use intake_kiosk::vault::{Passphrase, Pin};

/// Submissions per run unless `SYNC_BENCH_COUNT` says otherwise.
const DEFAULT_COUNT: usize = 10_000;

fn clinic(dir: &std::path::Path, name: &str) -> (OpenStore, Actor) {
    let store = Store::open(&dir.join(name)).expect("open");
    let result = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: "Bench Clinic".into(),
            manager_name: "Maya".into(),
            manager_passphrase: Passphrase::new("bench passphrase 123"),
            manager_pin: Pin::new("402718"),
            staff: vec![("Chris".into(), Role::Clinician, Pin::new("918273"))],
        },
        Utc::now(),
    )
    .expect("setup");
    let manager = result.manager();
    (result.store, manager)
}

fn submission(i: usize, form: &FormDefinition) -> NewSubmission {
    let answers = common::answers();
    let mut identity = common::identity(i);
    identity.phone = "+44 7700 900123".into();
    NewSubmission {
        patient: PatientRef::New(identity),
        answers,
        signature: Signature {
            svg_path: "M 10 10 L 20 30 ".repeat(100),
        },
        consents: form
            .consents
            .iter()
            .map(|item| ConsentDecision {
                item_id: item.id.clone(),
                decision: if item.id == "treatment" {
                    Decision::Granted
                } else {
                    Decision::Refused
                },
                text_hash: form.consent_text_hash(item, "en"),
                text_version: item.version.clone(),
                language: "en".into(),
            })
            .collect(),
        form_hash: form.content_hash(),
        form_definition_json: form.canonical_json(),
        notice_hash: form.notice_hash("en"),
        language: "en".into(),
    }
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:>9.0} submissions/s ({secs:.2} s)", n as f64 / secs)
}

fn main() {
    let count: usize = std::env::var("SYNC_BENCH_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_COUNT);
    let dir = tempfile::tempdir().expect("tempdir");
    let exchange = dir.path().join("usb");
    let outbox = dir.path().join("outbox");
    let (mut kiosk, k_manager) = clinic(dir.path(), "kiosk.sqlite3");
    let (mut desk, d_manager) = clinic(dir.path(), "desk.sqlite3");
    let form = FormDefinition::built_in();

    let clinician_id = kiosk
        .list_staff(Utc::now())
        .unwrap()
        .into_iter()
        .find(|m| m.role == Role::Clinician)
        .unwrap()
        .id;
    let clinician = kiosk
        .sign_in(&clinician_id, &Pin::new("918273"), Utc::now())
        .unwrap();
    // Paired first: the desk refuses forms dated before the pairing.
    let (code, _) = kiosk_side::start_pairing(&kiosk, &k_manager, Utc::now()).unwrap();
    let answered = desk_side::answer_pairing(
        &desk,
        &d_manager,
        &code,
        &exchange,
        desk_side::KnownKiosk::Refuse,
        Utc::now(),
    )
    .unwrap();
    let link = kiosk_side::read_pairing_answer(&kiosk, &k_manager, &exchange, Utc::now()).unwrap();
    desk_side::confirm_pairing(
        &desk,
        &d_manager,
        Some(&answered.kiosk_id),
        &link.comparison_code,
        Utc::now(),
    )
    .unwrap();
    kiosk_side::confirm_pairing(&kiosk, &k_manager, Utc::now()).unwrap();
    eprintln!("filling the kiosk with {count} submissions…");
    for i in 0..count {
        kiosk
            .save_submission(&clinician, submission(i, &form), Utc::now())
            .expect("save");
    }

    // Where the time goes: the store's part of export (open every sealed value) on its own.
    let t = Instant::now();
    let outgoing = kiosk.outgoing(&k_manager).unwrap();
    let outgoing_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let json: Vec<Vec<u8>> = outgoing
        .submissions
        .iter()
        .map(|s| serde_json::to_vec(s).unwrap())
        .collect();
    let json_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let head = kiosk.audit_head().unwrap();
    let head_secs = t.elapsed().as_secs_f64();
    drop((outgoing, json));
    println!(
        "  breakdown: store.outgoing {outgoing_secs:.2} s, JSON {json_secs:.2} s, audit head ({} entries) {head_secs:.2} s",
        head.length
    );

    let t = Instant::now();
    let exported = kiosk_side::export(&kiosk, &k_manager, &exchange, Utc::now(), &mut |_, _| {})
        .unwrap()
        .unwrap();
    let export_secs = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&exported.file).unwrap().len();

    // Import into the desk's store, without the outbox (the records system's hand-off is
    // measured on its own below).
    let keys = desk_side::desk_keys(&desk, &d_manager, Utc::now()).unwrap();
    {
        let bytes = std::fs::read(&exported.file).unwrap();
        let t = Instant::now();
        let parsed = intake_kiosk::sync::ParsedBundle::parse(&bytes).unwrap();
        let link = desk.kiosk_links().unwrap().remove(0);
        let verified = parsed
            .verify(&link.sign_public.as_slice().try_into().unwrap())
            .unwrap();
        let parse_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let opened = verified.open(&keys).unwrap();
        let mut total = 0;
        for i in 0..opened.len() {
            total += opened.open_entry(i).unwrap().len();
        }
        let open_secs = t.elapsed().as_secs_f64();
        println!(
            "  breakdown: parse+verify {parse_secs:.2} s, open entries {open_secs:.2} s ({total} bytes)"
        );
    }
    let t = Instant::now();
    let imported = desk_side::import_file(
        &mut desk,
        &d_manager,
        &keys,
        &exported.file,
        &exchange,
        Utc::now(),
        &mut |_, _, _| {},
    )
    .unwrap();
    let import_secs = t.elapsed().as_secs_f64();
    assert_eq!(imported.report.added.len(), count);

    let t = Instant::now();
    let written = desk_side::hand_on(&imported, &outbox).unwrap();
    let outbox_secs = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let read = kiosk_side::read_receipts(&kiosk, &k_manager, &exchange, Utc::now()).unwrap();
    let purge_secs = t.elapsed().as_secs_f64();
    assert_eq!(read.purged, count);

    println!(
        "sync throughput, {count} submissions, one thread (target: export and import ≥ 20,000/s)"
    );
    println!(
        "  export (open, seal, sign, write {:.1} MB, note)  {}",
        size as f64 / 1e6,
        rate(count, export_secs)
    );
    println!(
        "  import (parse, verify, open, store, receipt)     {}",
        rate(count, import_secs)
    );
    println!(
        "  outbox (FHIR + JSON + HTML, {written} files, one syncfs per batch) {}",
        rate(count, outbox_secs)
    );
    println!(
        "  kiosk receipt purge (secure_delete, checkpoint) {}",
        rate(count, purge_secs)
    );
    // For scripts comparing runs.
    let per_s = |secs: f64| count as f64 / secs;
    println!("export_per_s={:.0}", per_s(export_secs));
    println!("import_per_s={:.0}", per_s(import_secs));
    println!("outbox_per_s={:.0}", per_s(outbox_secs));
    println!("purge_per_s={:.0}", per_s(purge_secs));
}
