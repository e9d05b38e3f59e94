//! Rights at the desk: search without decrypting the register, withdrawal of one consent (history
//! kept), marketing lists of granted patients; rectification with history, erasure (no ciphertext
//! left in the files) and retention on a simulated clock, restriction, the rights-request and
//! breach registers, need-to-know on the record, unusual-access flags, and the access export.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod cli_and_window;
mod consent;
mod erasure;
mod oversight;
mod rectification;
mod requests;
mod settings;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use intake_kiosk::exchange::ExchangeError;
use intake_kiosk::exchange::access::export_patient;
use intake_kiosk::forms::{AnswerValue, Answers, Decision, FormDefinition};
use intake_kiosk::rights::{
    FlagKind, RequestKind, RequestStatus, RetentionPolicy, Risk, report_deadline,
};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{
    Actor, AuditEntry, AuditHead, NewBreach, NewRightsRequest, NewSubmission, OfferedKey,
    OpenStore, Outgoing, PatientRef, Previous, StoreError, UPDATED_AT_KIOSK,
};
use intake_kiosk::vault::Pin;
use serde_json::{Value, json};

/// A desk with its manager, clinician and receptionist signed in.
fn desk_with_staff() -> (Clinic, Actor, Actor, Actor) {
    let mut desk = setup_clinic();
    let manager = sign_in(&mut desk.store, Role::Manager);
    let clinician = sign_in(&mut desk.store, Role::Clinician);
    let reception = sign_in(&mut desk.store, Role::Reception);
    (desk, manager, clinician, reception)
}

/// A kiosk and a desk that knows it as "kiosk-1", each with its manager signed in.
fn kiosk_linked_to_desk() -> (Clinic, Actor, Clinic, Actor) {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k_manager = sign_in(&mut kiosk.store, Role::Manager);
    let d_manager = sign_in(&mut desk.store, Role::Manager);
    desk.store
        .link_kiosk(
            &d_manager,
            OfferedKey {
                kiosk_id: "kiosk-1",
                sign_public: &[7u8; 32],
                comparison_code: "123 456",
            },
            t0(),
        )
        .unwrap();
    // The code the kiosk shows, typed at the desk: until then its bundles are refused.
    desk.store
        .confirm_kiosk(&d_manager, "kiosk-1", "123 456", t0())
        .unwrap();
    (kiosk, k_manager, desk, d_manager)
}

/// A kiosk's audit checkpoint of `length` entries, as a bundle carries it.
fn head(length: u64) -> AuditHead {
    AuditHead {
        length,
        last_tag: "00".repeat(32),
        previous: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the rights tests below.

/// Midday UTC on a day (well inside default opening hours).
fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The patient a submission was saved for (read as the manager, which logs a view).
fn patient_of(store: &OpenStore, manager: &Actor, submission_id: &str) -> String {
    store
        .read_medical(manager, submission_id, t0())
        .expect("read medical")
        .patient_id
}

/// A submission whose consents are treatment plus the given (item, decision) pairs.
fn submission_with(
    given: &str, family: &str, allergy: &str, consents: &[(&str, Decision)],
) -> NewSubmission {
    let mut s = submission(given, family, allergy);
    s.consents = std::iter::once(consent("treatment", Decision::Granted))
        .chain(consents.iter().map(|(item, d)| consent(item, *d)))
        .collect();
    s
}

/// A child's submission: born 10 March 2015.
fn child_submission(given: &str, family: &str) -> NewSubmission {
    let mut s = submission(given, family, "none");
    if let PatientRef::New(identity) = &mut s.patient {
        identity.date_of_birth = "2015-03-10".into();
    }
    s
}

fn text_answer(answers: &Answers, id: &str) -> String {
    match answers.get(id) {
        Some(AnswerValue::Text(t)) => t.clone(),
        _ => panic!("{id} is not a text answer"),
    }
}

/// The kinds of the audit entries about `subject`.
fn audit_kinds(store: &OpenStore, manager: &Actor, subject: &str) -> Vec<String> {
    store
        .audit_entries(manager, Some(subject), None)
        .expect("audit entries")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

fn count_kind(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

/// The last 32 bytes of a sealed blob as it sits in the file (a read-only look from outside the
/// store; the connection is closed before returning).
fn sealed_tail(dir: &tempfile::TempDir, sql: &str, id: &str) -> Vec<u8> {
    let raw = rusqlite::Connection::open_with_flags(
        db_path(dir),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("raw open");
    let blob: Vec<u8> = raw
        .query_row(sql, [id], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql} for {id}: {e}"));
    assert!(blob.len() > 32, "a sealed blob is longer than its tag");
    blob[blob.len() - 32..].to_vec()
}

/// Every sealed consent ledger row of a patient (a row holds the decisions taken together), as
/// tails (a read-only look from outside the store).
fn sealed_ledger_tails(dir: &tempfile::TempDir, patient_id: &str) -> Vec<Vec<u8>> {
    let raw = rusqlite::Connection::open_with_flags(
        db_path(dir),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("raw open");
    let mut stmt = raw
        .prepare("SELECT sealed_decisions FROM consent_records WHERE patient_id = ?1 ORDER BY seq")
        .expect("prepare");
    let blobs: Vec<Vec<u8>> = stmt
        .query_map([patient_id], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(!blobs.is_empty(), "{patient_id} has consent ledger rows");
    blobs
        .into_iter()
        .map(|blob| {
            assert!(blob.len() > 32, "a sealed blob is longer than its tag");
            blob[blob.len() - 32..].to_vec()
        })
        .collect()
}

/// Asserts the audit chain is intact (erasure deletes rows, never audit entries).
/// A time the store gave back (RFC 3339), in UTC.
fn time_of(stored: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stored)
        .expect("an RFC 3339 time")
        .with_timezone(&Utc)
}

/// The audit chain intact, and the whole database as the `verify` command checks it: every
/// row's tag, every reference (an erasure runs without SQLite's checks), every chain.
fn verify_ok(store: &OpenStore) {
    let check = store.verify_audit().expect("verify");
    assert!(
        matches!(check, intake_kiosk::store::ChainCheck::Intact { .. }),
        "{check:?}"
    );
    store
        .verify_everything()
        .expect("the whole database checks");
}

// ---------------------------------------------------------------------------------------------
// 9. Access export.

const FHIR_SCHEMA: &str = include_str!("../fixtures/fhir/fhir.schema.json");

/// The R4 JSON schema's reasons a resource is invalid (empty when valid).
fn r4_errors(resource: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(FHIR_SCHEMA).expect("the R4 schema parses");
    let whole = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft6)
        .build(&schema)
        .expect("the R4 schema compiles");
    if whole.is_valid(resource) {
        return Vec::new();
    }
    // The whole schema's oneOf only says "none matched": check each resource on its own type.
    let mut out = Vec::new();
    let mut targets = vec![resource];
    targets.extend(
        resource["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["resource"]),
    );
    for target in targets {
        let kind = target["resourceType"].as_str().unwrap_or("?");
        let mut one = schema.clone();
        one["oneOf"] = json!([{ "$ref": format!("#/definitions/{kind}") }]);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft6)
            .build(&one)
            .expect("compiles");
        out.extend(
            validator
                .iter_errors(target)
                .take(8)
                .map(|e| format!("{kind} at {}: {e}", e.instance_path())),
        );
    }
    if out.is_empty() {
        out.push("invalid, no detail".into());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 10. Late bundles: the desk goes by when things happened, not by when they arrived.

/// One submission of `all` as a bundle of its own (with the forms it refers to).
fn only(all: &Outgoing, i: usize) -> Outgoing {
    Outgoing {
        submissions: vec![all.submissions[i].clone()],
        forms: all.forms.clone(),
        security: Vec::new(),
    }
}

// ----- the wrong-patient guard and merging duplicates ------------------------------------------

/// The amendments of `patient` that kept old details, as (old email, old postcode, reason).
fn identity_history(
    store: &OpenStore, actor: &Actor, patient: &str,
) -> Vec<(String, String, String)> {
    store
        .amendments(actor, patient, t0())
        .unwrap()
        .into_iter()
        .filter_map(|a| match a.previous {
            Previous::Identity(old) => Some((old.email.clone(), old.postcode.clone(), a.reason)),
            _ => None,
        })
        .collect()
}
