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
use intake_kiosk::forms::FormDefinition;
use intake_kiosk::staff::Role;
use intake_kiosk::store::{NewSubmission, SyncRole};
use intake_kiosk::vault::Pin;

/// Submissions per run unless `SYNC_BENCH_COUNT` says otherwise.
const DEFAULT_COUNT: usize = 10_000;

/// Patient `i`'s form, with answers and a signature that compress as real ones do (bundle entries
/// are packed before sealing: a repeated phrase would flatter the figures).
fn submission(i: usize, form: &FormDefinition) -> NewSubmission {
    let mut identity = common::identity(i);
    identity.phone = "+44 7700 900123".into();
    let mut submission = common::new_patient_form(identity, form);
    submission.answers = common::typed_answers(i);
    submission.signature = common::drawn_signature(i);
    submission
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:>9.0} submissions/s ({secs:.2} s)", n as f64 / secs)
}

/// This process's CPU time (user + system) since `start` (a [`common::cpu_secs`] reading).
fn cpu_since((user, system): (f64, f64)) -> f64 {
    let (user_now, system_now) = common::cpu_secs();
    (user_now - user) + (system_now - system)
}

fn main() {
    let count: usize = std::env::var("SYNC_BENCH_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_COUNT);
    let dir = tempfile::tempdir().expect("tempdir");
    let exchange = dir.path().join("usb");
    let outbox = dir.path().join("outbox");
    let (mut kiosk, k_manager) = common::clinic(dir.path(), "kiosk.sqlite3", SyncRole::Kiosk);
    // As the kiosk runs: its everyday page cache is the kiosk's, not the desk's.
    kiosk
        .store()
        .set_page_cache_for(SyncRole::Kiosk)
        .expect("cache");
    let (mut desk, d_manager) = common::clinic(dir.path(), "desk.sqlite3", SyncRole::Desk);
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
    common::pair(&kiosk, &k_manager, &desk, &d_manager, &exchange);
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
    let cpu = common::cpu_secs();
    let exported = kiosk_side::export(&kiosk, &k_manager, &exchange, Utc::now(), &mut |_, _| {})
        .unwrap()
        .unwrap();
    let export_secs = t.elapsed().as_secs_f64();
    let export_cpu_secs = cpu_since(cpu);
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
        let mut plain = Vec::with_capacity(opened.len());
        for i in 0..opened.len() {
            let entry = opened.open_entry(i).unwrap();
            total += entry.len();
            plain.push(entry);
        }
        let open_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut parsed = 0;
        for (plain, entry) in plain.iter().zip(opened.entries()) {
            if let Ok(submission) =
                intake_kiosk::exchange::submission_entry::read(entry.kind, plain)
            {
                std::hint::black_box(submission);
                parsed += 1;
            }
        }
        let json_secs = t.elapsed().as_secs_f64();
        println!(
            "  breakdown: parse+verify {parse_secs:.2} s, open entries {open_secs:.2} s ({total} bytes from a {}-byte bundle), JSON of {parsed} submissions {json_secs:.2} s",
            bytes.len()
        );
    }
    common::reset_peak_rss();
    let rss_before = common::status_kib("VmRSS");
    let t = Instant::now();
    let cpu = common::cpu_secs();
    let imported = desk_side::import_file(
        &mut desk,
        &d_manager,
        &keys,
        &exported.file,
        &exchange,
        // Handed on below, timed apart (`outbox_per_s=`).
        None,
        Utc::now(),
        &mut |_, _, _| {},
    )
    .unwrap();
    let import_secs = t.elapsed().as_secs_f64();
    let import_cpu_secs = cpu_since(cpu);
    // How much more memory the import took at its peak than the process held before it.
    let import_peak_kib = common::status_kib("VmHWM").saturating_sub(rss_before);
    assert_eq!(imported.report.added.len(), count);

    // The hand-off reads the stored forms from the bundle again, as the import does when it
    // hands them on itself; the bundle's reading and checking is timed in the import above.
    let bytes = std::fs::read(&exported.file).unwrap();
    let link = desk.kiosk_links().unwrap().remove(0);
    let verified = intake_kiosk::sync::ParsedBundle::parse(&bytes)
        .unwrap()
        .verify(&link.sign_public.as_slice().try_into().unwrap())
        .unwrap();
    let opened = verified.open(&keys).unwrap();
    let bundle = intake_kiosk::exchange::bundle_forms::BundleForms::read(&opened, "bench").unwrap();
    let t = Instant::now();
    let (user, system) = common::cpu_secs();
    let written = intake_kiosk::exchange::outbox::hand_on(
        &imported.kiosk_id,
        &bundle,
        &imported.report.added,
        &outbox,
    )
    .unwrap();
    let outbox_secs = t.elapsed().as_secs_f64();
    let (user_after, system_after) = common::cpu_secs();
    let outbox_bytes: u64 = std::fs::read_dir(&outbox)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "  breakdown: outbox {outbox_secs:.2} s: CPU user {:.2} s, system {:.2} s; {:.0} MB written and synced",
        user_after - user,
        system_after - system,
        outbox_bytes as f64 / 1e6
    );

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
        "  import's peak memory above what the process held before it: {:.1} MiB",
        import_peak_kib as f64 / 1024.0
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
    // Per second of this process's CPU (user + system): steadier than the wall-clock rates on a
    // machine shared with other work, which takes the core away but not the CPU time.
    println!("export_per_cpu_s={:.0}", per_s(export_cpu_secs));
    println!("import_per_cpu_s={:.0}", per_s(import_cpu_secs));
    println!("import_peak_growth_kib={import_peak_kib}");
    // `SYNC_BENCH_KEEP=1`: the two databases stay for a look at their pages (`dbstat`).
    if std::env::var_os("SYNC_BENCH_KEEP").is_some() {
        drop((kiosk, desk));
        println!("kept: {}", dir.keep().display());
    }
}
