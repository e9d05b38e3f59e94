//! Writes the committed seed corpus, `fuzz/corpus/<target>/seed-*`, a few small valid inputs per
//! target (replacing the old seeds; what the fuzzers added to the folders, not committed, stays).
//! Run it again after a format change:
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example seed_corpus [TARGET…]
//! ```
//!
//! With targets named, only their seeds are written again.
//!
//! The submissions, forms and consent events in the bundle seeds are what a real kiosk store
//! exports (set up here, with the built-in form), with their random ids replaced by `@N` ids so
//! each fuzz run gets fresh ones. Binary seeds (a bundle, a receipt, a pairing answer) are made
//! with fresh random keys, so they differ byte for byte from one generation to the next.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use intake_kiosk::exchange::submission_entry;
use intake_kiosk::forms::FormDefinition;
use intake_kiosk::store::{ExportedSubmission, SecurityEvent};
use intake_kiosk::sync::{
    AuditCheckpoint, BundleParts, BundleWriter, DeskKeys, EntryKind, KioskKeys, PairingAnswer,
    PairingOffer, Receipt, random_id,
};
use intake_kiosk_fuzz::places::{Place, submission, t0};
use intake_kiosk_fuzz::{FIXED_OFFER, FIXED_OFFER_NOW};
use serde_json::Value;

type Seeds = Vec<(&'static str, Vec<u8>)>;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let kiosk = KioskData::export();
    let targets: Vec<(&str, Seeds)> = vec![
        ("bundle_import", bundle_import(&kiosk)),
        ("receipt_apply", receipt_apply()),
        ("pairing_link", pairing_link()),
        ("bundle", bundle(&kiosk)),
        ("receipt", receipt()),
        ("pairing_answer", pairing_answer()),
        ("qr_payload", qr_payload()),
        (
            "recovery_key",
            vec![("printed", kiosk.recovery_key.clone().into_bytes())],
        ),
        ("form_definition", form_definition()),
        ("submission_entry", submission_entry(&kiosk)),
        ("qr_picture", qr_picture()),
    ];
    let only: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = only.iter().find(|t| !targets.iter().any(|(n, _)| n == *t)) {
        panic!("no fuzz target is called {unknown:?}");
    }
    let mut total = 0;
    for (target, seeds) in targets {
        if !only.is_empty() && !only.iter().any(|t| t == target) {
            continue;
        }
        let dir = root.join(target);
        remove_seeds(&dir);
        for (name, bytes) in seeds {
            total += bytes.len();
            std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("writing a seed");
        }
    }
    println!("seed corpus written to {} ({total} bytes)", root.display());
}

fn remove_seeds(dir: &Path) {
    std::fs::create_dir_all(dir).expect("a corpus folder");
    for entry in std::fs::read_dir(dir).expect("the corpus folder").flatten() {
        if entry.file_name().to_string_lossy().starts_with("seed-") {
            std::fs::remove_file(entry.path()).expect("removing an old seed");
        }
    }
}

/// What a real kiosk exports, as the JSON lines a bundle script carries.
struct KioskData {
    form_hash: String,
    form_json: String,
    /// Two submissions (Ada and Grace), ids rewritten to `s1-@N`… (see [`KioskData::export`]).
    submissions: Vec<String>,
    /// The same two as compact entries (the shape kiosks wrote until session 24).
    compact: Vec<String>,
    /// The same two as the entries kiosks write now (binary: values and consent runs as the
    /// kiosk's store sealed them), ids as the store made them.
    entries: Vec<Vec<u8>>,
    security_json: String,
    recovery_key: String,
}

impl KioskData {
    fn export() -> KioskData {
        let mut place = Place::set_up();
        let form = small_form();
        for (given, family) in [("Ada", "Lovelace"), ("Grace", "Hopper")] {
            let mut new = submission(given, family);
            new.form = intake_kiosk::forms::DefinitionText::of(&form);
            place
                .store
                .save_submission(&place.manager, new, t0())
                .expect("saving a submission");
        }
        let outgoing = place
            .store
            .outgoing(&place.manager)
            .expect("the kiosk's outgoing");
        let form = outgoing.forms.first().expect("the built-in form");
        let mut entries = Vec::new();
        place
            .store
            .each_outgoing(&place.manager, &mut |s| {
                let (mut json, mut entry) = (Vec::new(), Vec::new());
                submission_entry::write(&s, &mut json, &mut entry).expect("an entry");
                entries.push(entry);
                Ok::<(), intake_kiosk::store::StoreError>(())
            })
            .expect("the kiosk's outgoing, as sealed");
        let (submissions, compact) = outgoing
            .submissions
            .iter()
            .enumerate()
            .map(|(i, s)| (with_fresh_ids(s, i + 1), compact_with_fresh_ids(s, i + 1)))
            .unzip();
        let security = vec![
            SecurityEvent {
                seq: 7,
                at: "2026-11-23T08:30:00Z".into(),
                kind: "sign_in_failed".into(),
            },
            SecurityEvent {
                seq: 8,
                at: "2026-11-23T08:31:00+00:00".into(),
                kind: "locked_out".into(),
            },
        ];
        KioskData {
            form_hash: form.hash.clone(),
            form_json: serde_json::to_string(form).expect("form JSON"),
            submissions,
            compact,
            entries,
            security_json: serde_json::to_string(&security).expect("security JSON"),
            recovery_key: place.recovery_key.to_printable().as_str().to_owned(),
        }
    }

    /// The entry lines of a bundle with the form, the security log and the given submissions.
    fn entries(&self, submissions: &[usize]) -> String {
        let mut out = format!("form {}\n{}\n", self.form_hash, self.form_json);
        let _ = writeln!(out, "security security\n{}", self.security_json);
        for &i in submissions {
            let json = &self.submissions[i];
            let _ = writeln!(out, "submission s{}-@N\n{json}", i + 1);
        }
        out
    }
}

/// The built-in form cut down to English, the sections with the identity and the allergy
/// questions the seeds answer, and the consents they decide: a few KiB instead of 25, so the fuzzer's mutations
/// land on the submissions more often.
fn small_form() -> FormDefinition {
    let mut form: Value =
        serde_json::from_str(&FormDefinition::built_in().canonical_json()).expect("form JSON");
    english_only(&mut form);
    form["languages"] = Value::from(vec!["en"]);
    if let Some(sections) = form["sections"].as_array_mut() {
        sections.retain(|s| {
            let text = s.to_string();
            text.contains("\"given_name\"") || text.contains("\"allergies_any\"")
        });
    }
    if let Some(consents) = form["consents"].as_array_mut() {
        consents.retain(|c| matches!(c["id"].as_str(), Some("treatment" | "marketing_sms")));
    }
    let text = serde_json::to_string(&form).expect("form JSON");
    FormDefinition::parse(&text).unwrap_or_else(|problems| {
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("the cut-down form fails its checks: {problems:?}")
    })
}

/// Keeps only the English text of every translated string (`{"en": …, "fr": …}`).
fn english_only(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("en") && map.keys().all(|k| k.len() == 2) {
                map.retain(|k, _| k == "en");
            }
            map.values_mut().for_each(english_only);
        }
        Value::Array(items) => items.iter_mut().for_each(english_only),
        _ => {}
    }
}

/// The submission's JSON with its random ids (submission, kiosk patient, consent events) made
/// `s<n>-@N`, `p<n>-@N`, `c<n><k>-@N`: fresh in every fuzz run (the desk holds what it stored).
fn with_fresh_ids(s: &ExportedSubmission, n: usize) -> String {
    fresh_ids(serde_json::to_string(s).expect("submission JSON"), s, n)
}

/// [`with_fresh_ids`] for the compact entry of the submission.
fn compact_with_fresh_ids(s: &ExportedSubmission, n: usize) -> String {
    let mut bytes = Vec::new();
    intake_kiosk::exchange::submission_entry::write_compact(s, &mut bytes).expect("compact entry");
    fresh_ids(String::from_utf8(bytes).expect("UTF-8"), s, n)
}

/// `json` (of `s`) with `s`'s random ids replaced (see [`with_fresh_ids`]).
fn fresh_ids(mut json: String, s: &ExportedSubmission, n: usize) -> String {
    json = json.replace(&s.submission_id, &format!("s{n}-@N"));
    json = json.replace(&s.kiosk_patient_id, &format!("p{n}-@N"));
    for (k, event) in s.consents.iter().enumerate() {
        json = json.replace(&event.id, &format!("c{n}{k}-@N"));
    }
    json
}

const TAG: &str = "5f2c0a9e5f2c0a9e5f2c0a9e5f2c0a9e5f2c0a9e5f2c0a9e5f2c0a9e5f2c0a9e";

fn bundle_import(kiosk: &KioskData) -> Seeds {
    let one = format!(
        "bundle 1 5 {TAG}\ncreated 2026-11-23T08:59:00Z\n{}",
        kiosk.entries(&[0, 1])
    );
    // The shape kiosks write now, beside the earlier one in the same bundle.
    let compact = format!(
        "bundle 1 5 {TAG}\ncreated 2026-11-23T08:59:00Z\n{}compact s1-@N\n{}\n",
        kiosk.entries(&[1]),
        kiosk.compact[0]
    );
    // A later bundle first, then a late older one with a shorter audit chain (both stored).
    let two = format!(
        "bundle 2 9 {TAG}\n{}bundle 1 4 {TAG}\n{}",
        kiosk.entries(&[0]),
        kiosk.entries(&[1])
    );
    // The chain cut short from one bundle to the next: the second is refused.
    let rolled_back = format!(
        "bundle 1 10 {TAG}\nsecurity security\n{}\nbundle 2 3\nsecurity security\n{}\n",
        kiosk.security_json, kiosk.security_json
    );
    // A submission under another entry id (refused), then the same bundle number done right.
    let mislabelled = format!(
        "bundle 1 0\nform {}\n{}\nsubmission s9-@N\n{}\nbundle 1 0\n{}",
        kiosk.form_hash,
        kiosk.form_json,
        kiosk.submissions[0],
        kiosk.entries(&[0])
    );
    // A submission whose form the bundle does not carry, and a torn security log.
    let missing_form = format!(
        "bundle 3 1 00ff\nsubmission s1-@N\n{}\nsecurity security\n[{{\"seq\":1,\"at\":\"2026-11-23T08:30:00Z\"\n",
        kiosk.submissions[0]
    );
    vec![
        ("one-bundle", one.into_bytes()),
        ("compact-entries", compact.into_bytes()),
        ("late-older-bundle", two.into_bytes()),
        ("audit-rolled-back", rolled_back.into_bytes()),
        ("mislabelled-then-right", mislabelled.into_bytes()),
        ("missing-form", missing_form.into_bytes()),
    ]
}

fn receipt_apply() -> Seeds {
    let other_id = random_id().expect("an id");
    vec![
        ("all-three", b"seq 1\nid @0\nid @1\nid @2\n".to_vec()),
        (
            "one-and-unknown",
            b"seq 1\nid @1\nid not-exported\nreceived 2026-11-24T10:00:00+01:00\n".to_vec(),
        ),
        ("impostor", b"signer impostor\nseq 1\nid @0\n".to_vec()),
        (
            "foreign-desk",
            format!("desk {other_id}\nseq 1\nid @0\n").into_bytes(),
        ),
        (
            "other-kiosk",
            format!("kiosk {other_id}\nseq 1\nid @0\n").into_bytes(),
        ),
        (
            "two-receipts",
            b"seq 1\nid @0\nreceipt\nseq 2\nid @0\nid @2\n".to_vec(),
        ),
    ]
}

fn pairing_link() -> Seeds {
    let other_id = random_id().expect("an id");
    let other = DeskKeys::generate(&other_id).expect("desk keys").public();
    vec![
        ("real-desk", b"desk real\ncreated 1795424400\n".to_vec()),
        ("expired", b"desk real\nat 601\n".to_vec()),
        (
            "other-desk",
            format!(
                "desk {other_id}\nkem {}\nsign {}\nat 599\n",
                hex(&other.kem_public),
                hex(&other.sign_public)
            )
            .into_bytes(),
        ),
        // An all-zero X25519 key: the kiosk's export to it must be refused, not sealed.
        (
            "zero-kem-key",
            format!("desk {other_id}\nkem {}\n", hex(&[0; 32])).into_bytes(),
        ),
    ]
}

/// A submission entry as each kind (the first byte, see the target): the two forms as kiosks
/// write them now, and the first as a compact entry and as the outbox's JSON.
fn submission_entry(kiosk: &KioskData) -> Seeds {
    let with_kind = |kind: u8, bytes: &[u8]| [&[kind][..], bytes].concat();
    vec![
        ("runs-ada", with_kind(6, &kiosk.entries[0])),
        ("runs-grace", with_kind(6, &kiosk.entries[1])),
        ("compact", with_kind(4, kiosk.compact[0].as_bytes())),
        ("plain", with_kind(2, kiosk.submissions[0].as_bytes())),
    ]
}

/// A real bundle from a fresh kiosk to a fresh desk: the form, the security log, a submission.
fn bundle(kiosk: &KioskData) -> Seeds {
    let keys = KioskKeys::generate(&random_id().expect("an id")).expect("kiosk keys");
    let desk = DeskKeys::generate(&random_id().expect("an id")).expect("desk keys");
    let parts = BundleParts {
        seq: 1,
        created_at: "2026-11-23T08:59:00Z".into(),
        audit_checkpoint: AuditCheckpoint {
            length: 5,
            last_tag: TAG.into(),
            previous: None,
        },
    };
    let mut writer = BundleWriter::new(parts, &desk.public(), &keys).expect("a writer");
    writer
        .add(
            EntryKind::Form,
            &kiosk.form_hash,
            kiosk.form_json.as_bytes(),
        )
        .expect("form entry");
    writer
        .add(
            EntryKind::SecurityLog,
            "security",
            kiosk.security_json.as_bytes(),
        )
        .expect("security entry");
    writer
        .add(
            EntryKind::Submission,
            "s1-0",
            kiosk.submissions[0].as_bytes(),
        )
        .expect("submission entry");
    let empty = BundleWriter::new(
        BundleParts {
            seq: 2,
            created_at: "2026-11-23T09:00:00+01:00".into(),
            audit_checkpoint: AuditCheckpoint {
                length: 0,
                last_tag: String::new(),
                previous: None,
            },
        },
        &desk.public(),
        &keys,
    )
    .expect("a writer");
    vec![
        (
            "three-entries",
            writer.finish().expect("a bundle").into_vec(),
        ),
        ("no-entries", empty.finish().expect("a bundle").into_vec()),
    ]
}

fn receipt() -> Seeds {
    let desk = DeskKeys::generate(&random_id().expect("an id")).expect("desk keys");
    let receipt = Receipt {
        desk_id: desk.desk_id().to_owned(),
        kiosk_id: random_id().expect("an id"),
        bundle_seq: 3,
        submission_ids: vec!["3f1c2b7a9d8e4f60a1b2c3d4e5f60718".into(), "s2-0".into()],
        received_at: "2026-11-23T09:00:00Z".into(),
    };
    vec![("two-submissions", receipt.sign(&desk).expect("a receipt"))]
}

/// Answers to the target's fixed offer, so the MAC holds and the seeds reach the expiry check.
fn pairing_answer() -> Seeds {
    let offer = PairingOffer::parse(FIXED_OFFER).expect("the fixed offer");
    let desk = DeskKeys::generate(&random_id().expect("an id")).expect("desk keys");
    let answer = PairingAnswer::for_offer(&offer, &desk.public(), FIXED_OFFER_NOW);
    let sealed = answer.seal(&offer).expect("an answer");
    assert!(PairingAnswer::open(&sealed, &offer, FIXED_OFFER_NOW).is_ok());
    vec![("fresh-answer", sealed)]
}

/// Pictures as a manager gives them for a kiosk's QR code: the fixed offer's code drawn 3
/// pixels a square, as PNG and as JPEG, the same shrunk to 2.5 pixels a square (read only by the
/// enlarged search), a small picture of noise, and text that is not a picture.
fn qr_picture() -> Seeds {
    let code = qrcode::QrCode::new(FIXED_OFFER.as_bytes()).expect("a QR code");
    let width = code.width() as u32;
    let colors = code.to_colors();
    let (scale, quiet) = (3, 4);
    let side = (width + 2 * quiet) * scale;
    let drawn = image::GrayImage::from_fn(side, side, |x, y| {
        let module = |v: u32| (v / scale).checked_sub(quiet).filter(|m| *m < width);
        let dark = matches!((module(x), module(y)), (Some(mx), Some(my))
            if colors[(my * width + mx) as usize] == qrcode::Color::Dark);
        image::Luma([if dark { 20 } else { 235 }])
    });
    let shrunk_side = side * 5 / 6;
    let shrunk = image::imageops::resize(
        &drawn,
        shrunk_side,
        shrunk_side,
        image::imageops::FilterType::Triangle,
    );
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let noise = image::GrayImage::from_fn(48, 48, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        image::Luma([(state >> 56) as u8])
    });
    let encoded = |picture: &image::GrayImage, format| {
        let mut bytes = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut bytes, format).expect("a picture");
        bytes.into_inner()
    };
    vec![
        ("code-png", encoded(&drawn, image::ImageFormat::Png)),
        ("code-jpeg", encoded(&drawn, image::ImageFormat::Jpeg)),
        ("shrunk-png", encoded(&shrunk, image::ImageFormat::Png)),
        ("noise-png", encoded(&noise, image::ImageFormat::Png)),
        ("text", FIXED_OFFER.as_bytes().to_vec()),
    ]
}

fn qr_payload() -> Seeds {
    let keys = KioskKeys::generate(&random_id().expect("an id")).expect("kiosk keys");
    let offer = PairingOffer::new(&keys, t0().timestamp() + 600).expect("an offer");
    vec![
        ("fixed-offer", FIXED_OFFER.as_bytes().to_vec()),
        (
            "fresh-offer",
            offer.to_text().expect("offer text").as_bytes().to_vec(),
        ),
    ]
}

fn form_definition() -> Seeds {
    vec![
        (
            "built-in",
            FormDefinition::built_in().canonical_json().into_bytes(),
        ),
        ("cut-down", small_form().canonical_json().into_bytes()),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
