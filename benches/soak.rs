//! Soak (prints, never asserts): 10,000 handovers through the kiosk controller and the headless
//! UI (Slint's testing backend, mock time, taps by accessible label as in `tests/ui_handover.rs`),
//! each a new patient on the kiosk's own (mock) clock: hand over, fill, consent, review, sign, submit, receipt, staff PIN back.
//! After every block of 1,000 it prints the process's resident memory, the submit tap's p50
//! and p99 (validation, the durable save, the redraw), how many submit taps SQLite's automatic
//! checkpoint fell on (the database file itself changed during the tap), and the hand-back
//! PIN's p50 and p99; at the end the database size.
//! `SLINT_EMIT_DEBUG_INFO=1 cargo bench --bench soak --features soak-bench` (finding elements by
//! label needs Slint's debug info, which release builds leave out unless asked);
//! `SOAK_HANDOVERS=N` for a shorter run (blocks of N/10 when N is under 10,000).
//!
//! Every hand-back is a real staff sign-in. At the product's 600,000 PBKDF2 rounds (~0.3–0.5 s on
//! this 2-core machine) 10,000 of them take over an hour, so the `soak-bench` feature lowers the
//! rounds to 1,000 (that build's binary refuses to start); without it the bench runs at full
//! strength. The rounds change neither the memory nor the submit time measured. The kiosk's
//! clock moves on twenty minutes per handover, so 10,000 handovers span about four and a half
//! months.

mod common;
#[path = "../tests/ui_common/mod.rs"]
mod ui_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{ms, percentile};
use i_slint_backend_testing::ElementHandle;
use intake_kiosk::ui::{KioskUi, Screen};
use ui_common::{click, enter_pin, new_kiosk, screen, type_into};

const PIN: &str = "918273";
const CLINICIAN: &str = "Chris Clinician";
/// Kiosk time between two handovers: about 70 a day on a 24-hour clock, so staff home's list
/// of the day's handovers stays the length a busy clinic sees and 10,000 handovers span about
/// four and a half months. (At 4 minutes, 360 a day, that list alone grew memory and time.)
const MINUTES_PER_HANDOVER: i64 = 20;

fn set_up(ui: &KioskUi) {
    type_into(ui, "Clinic name", "Soak Clinic");
    type_into(ui, "Manager's name", "Maya Manager");
    type_into(ui, "Manager's PIN (6+ digits)", "402718");
    type_into(ui, "Passphrase", "a long clinic passphrase");
    type_into(ui, "Passphrase again", "a long clinic passphrase");
    type_into(ui, "Clinician's name", CLINICIAN);
    type_into(ui, "Clinician's PIN", PIN);
    type_into(ui, "Receptionist's name", "Rita Reception");
    type_into(ui, "Receptionist's PIN", "560193");
    click(ui, "Create the kiosk");
    click(ui, "I have written it down");
    assert_eq!(screen(ui), Screen::Locked, "set up");
}

/// What one handover measured.
struct Taps {
    /// The submit tap: validation, the durable save, the redraw.
    submit: Duration,
    /// Whether the database file itself changed during the submit tap: SQLite copied the WAL
    /// into it (its automatic checkpoint) while the patient waited.
    submit_checkpointed: bool,
    /// The staff PIN that takes the tablet back (key derivation at the bench's low rounds, the
    /// sign-in's commits, and the kiosk's copy of the WAL into the database file).
    hand_back: Duration,
}

/// The database file's length and last change (not its WAL's).
fn file_stamp(path: &std::path::Path) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// One handover from staff home back to staff home.
fn handover(ui: &KioskUi, db: &std::path::Path, i: usize) -> Taps {
    click(ui, "Hand over for a new patient");
    click(ui, "Next"); // past the privacy notice
    let who = common::identity(i);
    type_into(ui, "First name *", &who.given_name);
    type_into(ui, "Last name *", &who.family_name);
    type_into(ui, "Date of birth (YYYY-MM-DD) *", &who.date_of_birth);
    type_into(ui, "Postcode *", &who.postcode);
    type_into(ui, "Email", &who.email);
    click(ui, "Next");
    click(ui, "Do you have any medical conditions?: No");
    click(ui, "Are you pregnant or breastfeeding?: No");
    click(ui, "Skin conditions: Eczema");
    click(ui, "Next");
    click(
        ui,
        "Do you have any allergies (medicines, food, products, latex)?: Yes",
    );
    type_into(
        ui,
        "What are you allergic to, and what happens? *",
        "Penicillin: rash",
    );
    for _ in 0..4 {
        click(ui, "Next"); // allergies, medications, lifestyle, GP
    }
    click(ui, "Consent to assessment and treatment");
    if i.is_multiple_of(2) {
        click(ui, "Offers and news by email");
    }
    click(ui, "Next"); // the review
    click(ui, "Next"); // the signature
    ElementHandle::find_by_accessible_label(&ui.window, "Signature pad")
        .next()
        .expect("signature pad")
        .mock_single_click(slint::platform::PointerEventButton::Left);
    let before = file_stamp(db);
    let t = Instant::now();
    click(ui, "Submit");
    let submit = t.elapsed();
    let submit_checkpointed = file_stamp(db) != before;
    assert_eq!(screen(ui), Screen::HandBack, "handover {i} submitted");
    click(ui, "Done");
    let t = Instant::now();
    enter_pin(ui, CLINICIAN, PIN);
    let hand_back = t.elapsed();
    assert_eq!(screen(ui), Screen::StaffHome, "handover {i} handed back");
    Taps {
        submit,
        submit_checkpointed,
        hand_back,
    }
}

/// Resident memory of this process, KiB (Linux).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn main() {
    let total: usize = std::env::var("SOAK_HANDOVERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let block = (total / 10).clamp(1, 1_000);
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kiosk.sqlite3");
    let ui = new_kiosk(&db);
    // The kiosk's clock: now, moved on by hand after each handover.
    let start = Utc::now();
    let minutes = Arc::new(AtomicI64::new(0));
    let clock_minutes = minutes.clone();
    ui.with_kiosk(|k| {
        k.set_clock(Arc::new(move || {
            start + chrono::Duration::minutes(clock_minutes.load(Ordering::Relaxed))
        }))
    });
    if ElementHandle::find_by_accessible_label(&ui.window, "Clinic name")
        .next()
        .is_none()
    {
        eprintln!("no element found by label: build with SLINT_EMIT_DEBUG_INFO=1");
        std::process::exit(2);
    }
    set_up(&ui);
    enter_pin(&ui, CLINICIAN, PIN);
    assert_eq!(screen(&ui), Screen::StaffHome);

    println!(
        "soak: {total} handovers through the headless kiosk UI, figures per {block} (RSS, submit tap p50/p99, submit taps during which SQLite copied the WAL into the database file, hand-back PIN p50/p99)"
    );
    let started = Instant::now();
    // The yardsticks: growth after the first 1,000 handovers (half the run when shorter),
    // and the p99 of the last 1,000 against that of the first 1,000.
    let warm = 1_000.min(total / 2).max(1);
    let mut rss_after_warm = 0;
    let mut all: Vec<Duration> = Vec::with_capacity(total);
    let mut submits = Vec::with_capacity(block);
    let mut hand_backs = Vec::with_capacity(block);
    let mut block_checkpoints = 0;
    let mut checkpoints = 0;
    for i in 0..total {
        let taps = handover(&ui, &db, i);
        submits.push(taps.submit);
        all.push(taps.submit);
        hand_backs.push(taps.hand_back);
        block_checkpoints += usize::from(taps.submit_checkpointed);
        minutes.fetch_add(MINUTES_PER_HANDOVER, Ordering::Relaxed);
        if i + 1 == warm {
            rss_after_warm = rss_kib();
        }
        if (i + 1) % block == 0 {
            let rss = rss_kib();
            let p50 = percentile(&mut submits, 0.5);
            let p99 = percentile(&mut submits, 0.99);
            println!(
                "  after {:>6}: RSS {:>7} KiB, submit p50 {:>6.2} ms, p99 {:>6.2} ms, {block_checkpoints} copied the WAL; hand-back p50 {:>6.2} ms, p99 {:>6.2} ms; database {:>6.1} MB ({:.0} s)",
                i + 1,
                rss,
                ms(p50),
                ms(p99),
                ms(percentile(&mut hand_backs, 0.5)),
                ms(percentile(&mut hand_backs, 0.99)),
                (file_size(&db) + file_size(&db.with_extension("sqlite3-wal"))) as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            submits.clear();
            hand_backs.clear();
            checkpoints += block_checkpoints;
            block_checkpoints = 0;
        }
    }
    let rss_end = rss_kib();
    let db_bytes = file_size(&db) + file_size(&db.with_extension("sqlite3-wal"));
    let first_p99 = percentile(&mut all[..warm].to_vec(), 0.99);
    let last_p99 = percentile(&mut all[total - warm..].to_vec(), 0.99);
    println!(
        "final database {:.1} MB ({:.1} KB per handover), {:.0} s in all; RSS {rss_after_warm} KiB after {warm} handovers, {rss_end} KiB at the end; submit p99 {:.2} ms over the first {warm}, {:.2} ms over the last {warm}",
        db_bytes as f64 / 1e6,
        db_bytes as f64 / 1e3 / total.max(1) as f64,
        started.elapsed().as_secs_f64(),
        ms(first_p99),
        ms(last_p99)
    );
    println!(
        "soak_rss_growth_kib={}",
        rss_end.saturating_sub(rss_after_warm)
    );
    println!(
        "soak_p99_ratio={:.2}",
        last_p99.as_secs_f64() / first_p99.as_secs_f64().max(1e-9)
    );
    println!("soak_db_bytes={db_bytes}");
    println!(
        "soak_submit_checkpoints={}",
        checkpoints + block_checkpoints
    );
}
