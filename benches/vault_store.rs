//! Figures for the vault and the store (prints, never asserts): passphrase unlock, PIN check,
//! seal/open throughput, submit latency next to a bare synchronous=FULL insert of the same bytes
//! (taken in turns), the returning-patient look-up among 100,000 patients, and a data-key
//! rotation of 10,000 submissions. `cargo bench --bench vault_store`.

mod common;

use common::{identity, ms, percentile};

use std::time::Instant;

use chrono::Utc;
use intake_kiosk::forms::{ConsentDecision, Decision, PatientIdentity};
use intake_kiosk::store::{NewSubmission, OpenStore, PatientRef, SetupRequest, Store, SyncRole};
use intake_kiosk::vault::{Aad, Passphrase, Pin, Vault};

/// Patient `i`'s form: typed answers and a drawn signature, which compress as real ones do (a
/// sealed value is packed when that makes it smaller; a repeated phrase would pack to nothing).
fn submission(i: usize) -> NewSubmission {
    NewSubmission {
        patient: PatientRef::New(identity(i)),
        answers: common::typed_answers(i),
        signature: common::drawn_signature(i),
        consents: [
            "treatment",
            "marketing_email",
            "marketing_sms",
            "photo_website",
        ]
        .iter()
        .map(|item| ConsentDecision {
            item_id: (*item).into(),
            decision: Decision::Granted,
            text_hash: "sha256:00".into(),
            text_version: "1".into(),
            language: "en".into(),
        })
        .collect(),
        form: intake_kiosk::forms::DefinitionText::of(
            &intake_kiosk::forms::FormDefinition::built_in(),
        ),
        notice_hash: "sha256:notice".into(),
        language: "en".into(),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bench.sqlite3");
    let store = Store::open(&path).expect("open");
    // Submits and look-ups are the kiosk's: measured with the kiosk's page cache.
    store.set_page_cache_for(SyncRole::Kiosk).expect("cache");
    let setup = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: "Bench".into(),
            manager_name: "M".into(),
            manager_passphrase: Passphrase::new("bench passphrase 123"),
            manager_passphrase_again: Passphrase::new("bench passphrase 123"),
            manager_pin: Pin::new("402718"),
            staff: vec![],
        },
        Utc::now(),
    )
    .expect("setup");
    let mut store = setup.store.close(None, Utc::now()).expect("close");

    // 1. Passphrase unlock (PBKDF2-HMAC-SHA256, 600,000 iterations).
    let mut unlocks = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let (o, _) = OpenStore::unlock(store, &Passphrase::new("bench passphrase 123"), Utc::now())
            .expect("unlock");
        unlocks.push(t.elapsed());
        store = o.close(None, Utc::now()).expect("close");
    }
    println!(
        "passphrase unlock: median {:.1} ms (5 runs)",
        ms(percentile(&mut unlocks, 0.5))
    );
    let (mut open, manager_id) =
        OpenStore::unlock(store, &Passphrase::new("bench passphrase 123"), Utc::now())
            .expect("unlock");

    // 2. PIN check.
    let mut pins = Vec::new();
    let mut actor = None;
    for _ in 0..5 {
        let t = Instant::now();
        actor = Some(
            open.sign_in(&manager_id, &Pin::new("402718"), Utc::now())
                .expect("pin"),
        );
        pins.push(t.elapsed());
    }
    let actor = actor.expect("signed in");
    println!(
        "PIN check (sign-in incl. durable counter writes): median {:.1} ms",
        ms(percentile(&mut pins, 0.5))
    );

    // 3. Seal / open throughput, 4 KiB records.
    let vault = Vault::create().expect("vault");
    // Bytes that do not compress, so this measures sealing (a value that LZ4 shrinks is packed
    // first; one repeated byte would measure LZ4 instead).
    let mut rng = common::Rng(0x5a5a_5a5a_1234_5678);
    let record: Vec<u8> = (0..4096).map(|_| rng.below(256) as u8).collect();
    let aad = Aad {
        table: "submissions",
        column: "sealed_answers",
        row_id: "0123456789abcdef0123456789abcdef",
    };
    let n = 100_000;
    let t = Instant::now();
    let mut sealed = Vec::new();
    for _ in 0..n {
        sealed = vault.seal(aad, &record).expect("seal");
    }
    let seal_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..n {
        let _ = vault.open(aad, &sealed).expect("open");
    }
    let open_s = t.elapsed().as_secs_f64();
    println!(
        "seal 4 KiB: {:.0} records/s ({:.0} MB/s); open: {:.0} records/s ({:.0} MB/s)",
        n as f64 / seal_s,
        n as f64 * 4096.0 / seal_s / 1e6,
        n as f64 / open_s,
        n as f64 * 4096.0 / open_s / 1e6
    );

    // 4. Submit latency (validate is in the controller; here seal + durable commit) vs bare insert,
    // taken in turns (a submit, then a bare insert), so that both see the disk as it is at that
    // moment: this machine's fsync time drifts over seconds, and one series after the other
    // measured the drift as much as the submit.
    let rounds = 300;
    let raw_path = dir.path().join("bare.sqlite3");
    let raw = rusqlite::Connection::open(&raw_path).expect("bare");
    raw.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
         CREATE TABLE t (id INTEGER PRIMARY KEY, patient BLOB, answers BLOB, signature BLOB, consents BLOB);",
    )
    .expect("bare schema");
    // The bare insert writes as many bytes as a submit stores (sealed values are packed when
    // that makes them smaller), read from the first submit's rows.
    let stored_sizes = || -> (usize, usize, usize, usize) {
        let stored = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("read-only");
        stored
            .query_row(
                "SELECT length(p.sealed_identity), length(s.sealed_answers),
                        length(s.sealed_signature),
                        (SELECT length(sealed_decisions) FROM consent_records c
                         WHERE c.submission_id = s.id)
                 FROM submissions s JOIN patients p ON p.id = s.patient_id
                 ORDER BY s.rowid DESC LIMIT 1",
                [],
                |r| {
                    let len = |i: usize| r.get::<_, i64>(i).map(|n| n as usize);
                    Ok((len(0)?, len(1)?, len(2)?, len(3)?))
                },
            )
            .expect("stored sizes")
    };
    let mut submits = Vec::new();
    let mut bare = Vec::new();
    let mut sizes = None;
    for i in 0..rounds {
        let s = submission(i);
        let t = Instant::now();
        open.save_submission(&actor, s, Utc::now()).expect("save");
        submits.push(t.elapsed());
        let (patient_len, answers_len, signature_len, consents_len) =
            *sizes.get_or_insert_with(stored_sizes);
        let t = Instant::now();
        let tx = raw.unchecked_transaction().expect("tx");
        tx.execute(
            "INSERT INTO t (patient, answers, signature, consents) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                vec![1u8; patient_len],
                vec![2u8; answers_len],
                vec![3u8; signature_len],
                vec![4u8; consents_len]
            ],
        )
        .expect("insert");
        tx.commit().expect("commit");
        bare.push(t.elapsed());
    }
    let (patient_len, answers_len, signature_len, consents_len) = sizes.expect("one round");
    let (s50, s99) = (
        percentile(&mut submits, 0.5),
        percentile(&mut submits, 0.99),
    );
    let (b50, b99) = (percentile(&mut bare, 0.5), percentile(&mut bare, 0.99));
    let submit_ratio = s50.as_secs_f64() / b50.as_secs_f64();
    println!(
        "submit (seal + durable commit, {rounds} runs): p50 {:.3} ms, p99 {:.3} ms; bare synchronous=FULL insert of the same bytes ({} sealed): p50 {:.3} ms, p99 {:.3} ms; ratio p50 {:.2}x (target <= 1.5x)",
        ms(s50),
        ms(s99),
        patient_len + answers_len + signature_len + consents_len,
        ms(b50),
        ms(b99),
        submit_ratio
    );

    // 5. Returning-patient look-up among 100,000 patients (blind index, plus its audit entry).
    let total = 100_000;
    let t = Instant::now();
    for chunk in (0..total).collect::<Vec<_>>().chunks(10_000) {
        let ids: Vec<PatientIdentity> = chunk.iter().map(|i| identity(*i)).collect();
        open.insert_patients(&actor, &ids, Utc::now())
            .expect("insert");
    }
    println!(
        "inserted {} patients in {:.1} s",
        open.patient_count().expect("count"),
        t.elapsed().as_secs_f64()
    );
    let mut lookups = Vec::new();
    for k in 0..1000 {
        let who = identity((k * 7_919) % total);
        let t = Instant::now();
        let found = open
            .find_returning_patient(&actor, &who, Utc::now())
            .expect("lookup");
        lookups.push(t.elapsed());
        assert!(found.is_some(), "bench data must be found");
    }
    println!(
        "look-up among 100,000 patients (incl. durable audit entry): p50 {:.3} ms, p99 {:.3} ms (target p99 <= 20 ms)",
        ms(percentile(&mut lookups, 0.5)),
        ms(percentile(&mut lookups, 0.99))
    );
    // For scripts comparing runs.
    println!("submit_ratio={submit_ratio:.3}");

    drop(open);
    rotate_10k();
}

/// Figure 6: a data-key rotation of 10,000 submissions (each with its patient, 4 consent
/// events and audit entries): every value re-sealed, every tag and index recomputed, one
/// transaction.
fn rotate_10k() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("rotate.sqlite3")).expect("open");
    let setup = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: "Bench".into(),
            manager_name: "M".into(),
            manager_passphrase: Passphrase::new("bench passphrase 123"),
            manager_passphrase_again: Passphrase::new("bench passphrase 123"),
            manager_pin: Pin::new("402718"),
            staff: vec![],
        },
        Utc::now(),
    )
    .expect("setup");
    let manager = setup.manager();
    let mut open = setup.store;
    for i in 0..10_000 {
        open.save_submission(&manager, submission(1_000_000 + i), Utc::now())
            .expect("save");
    }
    let t = Instant::now();
    let rotation = open
        .rotate_data_key(
            &manager,
            &[Passphrase::new("bench passphrase 123")],
            Utc::now(),
            &mut |_, _| {},
        )
        .expect("rotate");
    let seconds = t.elapsed().as_secs_f64();
    println!(
        "data-key rotation: {} rows and audit entries in {seconds:.2} s (target <= 10 s)",
        rotation.rows
    );
    println!("rotate_10k_submissions_s={seconds:.2}");
}
