//! Figures for the desk's patient register (prints, never asserts): the register search by name
//! and date of birth on the blind index, and opening a record, among 100,000 patients.
//! `cargo bench --bench desk_register`.
//!
//! Each search and each open appends its durable audit entry (synchronous=FULL), as at the desk:
//! the figures are what a receptionist or clinician waits for, not the bare index probe.

mod common;

use common::{Rng, identity, ms, percentile};

use std::time::Instant;

use chrono::Utc;
use intake_kiosk::forms::{ConsentDecision, Decision, FormDefinition, PatientIdentity, Signature};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{
    ConfirmedPatient, NewSubmission, OpenStore, PatientRef, SetupRequest, Store,
};
use intake_kiosk::vault::{Passphrase, Pin};

const PATIENTS: usize = 100_000;
/// Patients looked up (each gets forms first, as a patient at the desk has).
const LOOKUPS: usize = 1_000;

/// A returning patient's form, about the size of a real one (their date of birth confirmed).
fn visit(patient: ConfirmedPatient, form: &FormDefinition) -> NewSubmission {
    let answers = common::answers();
    NewSubmission {
        patient: PatientRef::Returning {
            patient,
            details: None,
        },
        answers,
        signature: Signature {
            svg_path: "M 10 10 L 20 30 ".repeat(100),
        },
        consents: ["treatment", "marketing_email", "marketing_sms"]
            .iter()
            .map(|item| ConsentDecision {
                item_id: (*item).into(),
                decision: Decision::Granted,
                text_hash: "sha256:00".into(),
                text_version: "1".into(),
                language: "en".into(),
            })
            .collect(),
        form: intake_kiosk::forms::DefinitionText::of(form),
        notice_hash: "sha256:notice".into(),
        language: "en".into(),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("desk.sqlite3");
    let store = Store::open(&path).expect("open");
    let setup = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: "Bench".into(),
            manager_name: "M".into(),
            manager_passphrase: Passphrase::new("bench passphrase 123"),
            manager_passphrase_again: Passphrase::new("bench passphrase 123"),
            manager_pin: Pin::new("402718"),
            staff: vec![
                ("C".into(), Role::Clinician, Pin::new("918273")),
                ("R".into(), Role::Reception, Pin::new("560193")),
            ],
        },
        Utc::now(),
    )
    .expect("setup");
    let manager = setup.manager();
    let mut open = setup.store;
    let staff = open.list_staff(Utc::now()).expect("staff");
    let mut sign_in = |role: Role, pin: &str| {
        let id = staff
            .iter()
            .find(|m| m.role == role)
            .expect("a member of that role")
            .id
            .clone();
        open.sign_in(&id, &Pin::new(pin), Utc::now())
            .expect("sign in")
    };
    let clinician = sign_in(Role::Clinician, "918273");
    let reception = sign_in(Role::Reception, "560193");

    // The register: 100,000 patients in one transaction.
    let identities: Vec<PatientIdentity> = (0..PATIENTS)
        .map(|i| {
            let mut p = identity(i);
            p.phone = format!("+44 7700 9{:05}", i % 100_000);
            p
        })
        .collect();
    let t = Instant::now();
    let ids = open
        .insert_patients(&manager, &identities, Utc::now())
        .expect("insert");
    println!(
        "inserted {} patients in one transaction in {:.1} s",
        open.patient_count().expect("count"),
        t.elapsed().as_secs_f64()
    );

    // The patients looked up have been seen: one or two forms each.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sample: Vec<usize> = Vec::with_capacity(LOOKUPS);
    while sample.len() < LOOKUPS {
        let i = rng.below(PATIENTS);
        if !sample.contains(&i) {
            sample.push(i);
        }
    }
    let form = FormDefinition::built_in();
    let t = Instant::now();
    let mut forms = 0;
    for (k, &i) in sample.iter().enumerate() {
        for _ in 0..(1 + k % 2) {
            let confirmed = open
                .confirm_date_of_birth(&manager, &ids[i], &identities[i].date_of_birth, Utc::now())
                .expect("date of birth check")
                .expect("confirmed");
            open.save_submission(&manager, visit(confirmed, &form), Utc::now())
                .expect("save");
            forms += 1;
        }
    }
    println!(
        "saved {forms} forms for the {LOOKUPS} patients looked up in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    if let Ok(meta) = std::fs::metadata(&path) {
        println!("database file: {:.0} MB", meta.len() as f64 / 1_000_000.0);
    }

    // Register search: name and date of birth, as typed at reception, on the blind index.
    let mut searches = Vec::with_capacity(LOOKUPS);
    let mut found_ids = Vec::with_capacity(LOOKUPS);
    for &i in &sample {
        let who = &identities[i];
        let t = Instant::now();
        // As the desk's register searches: the patients found with their details, one look-up.
        let found = open
            .look_up_patients(
                &reception,
                &who.given_name.to_uppercase(),
                &who.family_name,
                &who.date_of_birth,
                Utc::now(),
            )
            .expect("search");
        searches.push(t.elapsed());
        let first = found.first().map(|p| &p.patient_id);
        assert_eq!(first, Some(&ids[i]), "bench data must be found");
        found_ids.push(found[0].patient_id.clone());
    }

    // Record open: as a clinician (identity, consents, submissions with form version and
    // amendment count) and as reception (no submissions).
    let mut clinician_opens = Vec::with_capacity(LOOKUPS);
    let mut reception_opens = Vec::with_capacity(LOOKUPS);
    let mut listed = 0;
    for id in &found_ids {
        let t = Instant::now();
        let record = open.open_record(&clinician, id, Utc::now()).expect("open");
        clinician_opens.push(t.elapsed());
        listed += record.submissions.map_or(0, |s| s.len());
        let t = Instant::now();
        let record = open.open_record(&reception, id, Utc::now()).expect("open");
        reception_opens.push(t.elapsed());
        assert!(record.submissions.is_none());
    }
    assert_eq!(listed, forms, "every form is listed on its record");

    println!(
        "register search at {} patients ({LOOKUPS} look-ups, incl. durable audit entry): p50 {:.3} ms, p99 {:.3} ms",
        fmt_thousands(PATIENTS),
        ms(percentile(&mut searches, 0.5)),
        ms(percentile(&mut searches, 0.99))
    );
    println!(
        "record open as clinician (identity, consents, 1-2 forms; incl. durable audit entry): p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&mut clinician_opens, 0.5)),
        ms(percentile(&mut clinician_opens, 0.99))
    );
    println!(
        "record open as reception (no forms): p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&mut reception_opens, 0.5)),
        ms(percentile(&mut reception_opens, 0.99))
    );
}

fn fmt_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
