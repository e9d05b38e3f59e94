//! Kiosk → bundle → desk → receipt → kiosk purge, through an exchange folder, with the real
//! stores, keys and files; and every bad input refused with its own error, changing nothing.

mod common;

use chrono::Duration;
use common::*;
use intake_kiosk::exchange::desk_side::{self, BundleOutcome, KnownKiosk};
use intake_kiosk::exchange::{ExchangeError, kiosk_side};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{Actor, LinkState, OpenStore, StoreError, Withdrawal};
use intake_kiosk::sync::{
    AuditCheckpoint, BundleParts, BundleWriter, DeskKeys, DeskPublic, EntryKind, KioskKeys,
    PairingOffer, ParsedBundle, SyncError,
};

struct Pair {
    kiosk: Clinic,
    desk: Clinic,
    k_manager: Actor,
    d_manager: Actor,
    exchange: tempfile::TempDir,
    outbox: tempfile::TempDir,
}

/// Pairs `kiosk` with `desk` through `exchange` and confirms it on the kiosk, not yet at the
/// desk (where it waits: nothing is exported until it is confirmed): returns the kiosk id the
/// desk lists and the code the kiosk shows.
fn pair_at_the_kiosk(
    (kiosk, k_manager): (&OpenStore, &Actor), (desk, d_manager): (&OpenStore, &Actor),
    exchange: &std::path::Path,
) -> (String, String) {
    let (code, _) = kiosk_side::start_pairing(kiosk, k_manager, t0()).expect("offer");
    let answered =
        desk_side::answer_pairing(desk, d_manager, &code, exchange, KnownKiosk::Refuse, t0())
            .expect("answer");
    let state = desk
        .kiosk_link(&answered.kiosk_id)
        .unwrap()
        .unwrap()
        .state();
    assert_eq!(state, LinkState::Pending);
    let link = kiosk_side::read_pairing_answer(kiosk, k_manager, exchange, t0()).expect("read");
    assert!(!link.confirmed);
    assert!(matches!(
        kiosk_side::export(kiosk, k_manager, exchange, t0(), &mut |_, _| {}),
        Err(ExchangeError::NotConfirmed { .. })
    ));
    kiosk_side::confirm_pairing(kiosk, k_manager, t0()).expect("confirm");
    (answered.kiosk_id, link.comparison_code)
}

/// Paired and confirmed on the kiosk, but not yet at the desk: returns the code the kiosk shows.
fn paired_at_the_kiosk_only() -> (Pair, String, String) {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k_manager = sign_in(&mut kiosk.store, Role::Manager);
    let d_manager = sign_in(&mut desk.store, Role::Manager);
    let exchange = tempfile::tempdir().unwrap();
    let (kiosk_id, code) = pair_at_the_kiosk(
        (&kiosk.store, &k_manager),
        (&desk.store, &d_manager),
        exchange.path(),
    );
    let pair = Pair {
        kiosk,
        desk,
        k_manager,
        d_manager,
        exchange,
        outbox: tempfile::tempdir().unwrap(),
    };
    (pair, kiosk_id, code)
}

/// The manager types, at the desk, the code the kiosk shows; the desk then shows it too.
fn confirm_at_the_desk(p: &Pair, kiosk_id: &str, kiosk_code: &str) {
    let confirmed = desk_side::confirm_pairing(
        &p.desk.store,
        &p.d_manager,
        Some(kiosk_id),
        kiosk_code,
        p.exchange.path(),
        t0(),
    )
    .expect("confirmed at the desk");
    assert_eq!(confirmed.comparison_code, kiosk_code, "both screens agree");
}

fn paired() -> Pair {
    let (p, kiosk_id, kiosk_code) = paired_at_the_kiosk_only();
    confirm_at_the_desk(&p, &kiosk_id, &kiosk_code);
    p
}

fn save(p: &mut Pair, given: &str, allergy: &str) -> String {
    let clinician = sign_in(&mut p.kiosk.store, Role::Clinician);
    p.kiosk
        .store
        .save_submission(&clinician, submission(given, "Patient", allergy), t0())
        .expect("save")
}

fn export(p: &Pair) -> std::path::PathBuf {
    kiosk_side::export(
        &p.kiosk.store,
        &p.k_manager,
        p.exchange.path(),
        t0(),
        &mut |_, _| {},
    )
    .expect("export")
    .expect("something to export")
    .file
}

fn import(p: &mut Pair) -> Vec<BundleOutcome> {
    desk_side::import_folder(
        &mut p.desk.store,
        &p.d_manager,
        p.exchange.path(),
        p.outbox.path(),
        t0(),
        &mut |_, _, _| {},
    )
    .expect("import folder")
}

fn refused(outcomes: &[BundleOutcome]) -> Vec<&ExchangeError> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            BundleOutcome::Refused { error, .. } => Some(error),
            _ => None,
        })
        .collect()
}

/// The folder imported again: its bundle is refused as a replay and nothing is stored.
fn import_again_changes_nothing(p: &mut Pair) {
    let before = desk_state(&p.desk.store);
    let again = import(p);
    assert!(matches!(
        refused(&again)[..],
        [ExchangeError::Replayed { .. }]
    ));
    assert_eq!(desk_state(&p.desk.store), before);
}

fn desk_state(store: &OpenStore) -> (i64, usize) {
    (
        store.patient_count().unwrap(),
        store.imported_bundles().unwrap().len(),
    )
}

#[test]
fn the_full_round_trip_delivers_once_and_purges_the_kiosk() {
    let mut p = paired();
    let ada = save(&mut p, "Ada", "latex");
    save(&mut p, "Grace", "nickel");
    let bundle = export(&p);
    assert!(bundle.exists());
    let status = p.kiosk.store.sync_status().unwrap();
    assert_eq!((status.pending, status.exported), (0, 2));

    // The kiosk cannot open its own bundle: it holds only the desk's public keys. A key pair it
    // makes up under the desk's id does not open it either.
    let bytes = std::fs::read(&bundle).unwrap();
    let parsed = ParsedBundle::parse(&bytes).unwrap();
    let desk_id = parsed.header().desk_id.clone();
    let kiosk_link = p.desk.store.kiosk_links().unwrap().remove(0);
    let verified = parsed
        .verify(&kiosk_link.sign_public.as_slice().try_into().unwrap())
        .unwrap();
    let impostor = DeskKeys::generate(&desk_id).unwrap();
    assert!(verified.open_entry(0, &impostor).is_err());
    assert!(!bytes.windows(5).any(|w| w == b"latex"));

    let outcomes = import(&mut p);
    let [BundleOutcome::Imported { report, .. }] = outcomes.as_slice() else {
        panic!("expected one import: {outcomes:?}");
    };
    assert_eq!(report.added.len(), 2);
    let clinician = sign_in(&mut p.desk.store, Role::Clinician);
    assert_eq!(allergy_of(&p.desk.store, &clinician, &ada), "latex");
    for ext in ["fhir.json", "json", "html"] {
        assert!(
            p.outbox.path().join(format!("{ada}.{ext}")).exists(),
            "{ext}"
        );
    }
    let fhir: serde_json::Value = serde_json::from_slice(
        &std::fs::read(p.outbox.path().join(format!("{ada}.fhir.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(fhir["resourceType"], "Bundle");

    // Importing the folder again changes nothing: the bundle is refused as a replay.
    import_again_changes_nothing(&mut p);

    // The receipt purges both submissions on the kiosk and tidies the medium.
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("receipts");
    assert_eq!((read.receipts, read.purged), (1, 2));
    let status = p.kiosk.store.sync_status().unwrap();
    assert_eq!(
        (status.pending, status.exported, status.delivered),
        (0, 0, 2)
    );
    assert!(!bundle.exists());
    assert!(
        kiosk_side::export(
            &p.kiosk.store,
            &p.k_manager,
            p.exchange.path(),
            t0(),
            &mut |_, _| {}
        )
        .unwrap()
        .is_none(),
        "nothing left to send"
    );
}

#[test]
fn overlapping_bundles_add_only_what_is_new() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    let first = export(&p);
    let first_copy = std::fs::read(&first).unwrap();
    save(&mut p, "Grace", "nickel");
    export(&p); // bundle 2 carries Ada again (not yet acknowledged) and Grace
    std::fs::remove_file(&first).unwrap();
    let outcomes = import(&mut p);
    let [BundleOutcome::Imported { report, seq: 2, .. }] = outcomes.as_slice() else {
        panic!("{outcomes:?}");
    };
    assert_eq!(report.added.len(), 2);
    // Bundle 1 arrives late: both of its forms are already held.
    std::fs::write(&first, first_copy).unwrap();
    let outcomes = import(&mut p);
    let imported: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            BundleOutcome::Imported { report, seq, .. } => Some((*seq, report.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].0, 1);
    assert_eq!(
        (imported[0].1.added.len(), imported[0].1.duplicates.len()),
        (0, 1)
    );
    assert_eq!(p.desk.store.patient_count().unwrap(), 2);
}

#[test]
fn damaged_bundles_are_refused_and_change_nothing() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    let bundle = export(&p);
    let good = std::fs::read(&bundle).unwrap();
    let before = desk_state(&p.desk.store);

    // A flipped bit anywhere: header, sealed entries, signature. 97 spread positions + the ends.
    let mut positions: Vec<usize> = (0..good.len()).step_by(good.len() / 97 + 1).collect();
    positions.extend([good.len() - 1, good.len() / 2]);
    for at in positions {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        std::fs::write(&bundle, &bad).unwrap();
        let outcomes = import(&mut p);
        assert_eq!(
            refused(&outcomes).len(),
            1,
            "flipped byte {at} was accepted"
        );
        assert_eq!(desk_state(&p.desk.store), before);
    }
    // Truncated.
    std::fs::write(&bundle, &good[..good.len() - 10]).unwrap();
    let outcomes = import(&mut p);
    assert!(matches!(
        refused(&outcomes)[..],
        [ExchangeError::Format {
            error: SyncError::Truncated,
            ..
        }]
    ));
    // Not a bundle at all.
    std::fs::write(&bundle, b"PK\x03\x04 a zip file").unwrap();
    let outcomes = import(&mut p);
    assert!(matches!(
        refused(&outcomes)[..],
        [ExchangeError::Format {
            error: SyncError::BadMagic { .. },
            ..
        }]
    ));
    assert_eq!(desk_state(&p.desk.store), before);

    // The intact file still imports afterwards.
    std::fs::write(&bundle, &good).unwrap();
    assert!(refused(&import(&mut p)).is_empty());
}

/// A bundle the paired kiosk signs, holding one entry: what a kiosk with a bug (or a stolen key)
/// could send.
fn signed_bundle(p: &Pair, kind: EntryKind, id: &str, plaintext: &[u8]) {
    signed_bundle_of(p, &[(kind, id, plaintext)]);
}

/// [`signed_bundle`] with several entries.
fn signed_bundle_of(p: &Pair, entries: &[(EntryKind, &str, &[u8])]) {
    let keys = kiosk_side::kiosk_keys(&p.kiosk.store, &p.k_manager, t0()).unwrap();
    let link = p.kiosk.store.desk_link().unwrap().unwrap();
    let desk = DeskPublic {
        desk_id: link.desk_id,
        kem_public: link.kem_public.as_slice().try_into().unwrap(),
        sign_public: link.sign_public.as_slice().try_into().unwrap(),
    };
    let parts = BundleParts {
        seq: 1,
        created_at: "2026-11-23T09:00:00Z".into(),
        audit_checkpoint: AuditCheckpoint {
            length: 1,
            last_tag: String::new(),
            previous: None,
        },
    };
    let mut writer = BundleWriter::new(parts, &desk, &keys).unwrap();
    for (kind, id, plaintext) in entries {
        writer.add(*kind, id, plaintext).unwrap();
    }
    let name = format!("bundle-{}-00000001.ikb", keys.kiosk_id());
    std::fs::write(
        p.exchange.path().join(name),
        writer.finish().unwrap().as_bytes(),
    )
    .unwrap();
}

#[test]
fn signed_bundles_with_bad_contents_are_refused_saying_what_is_wrong() {
    // Found by the bundle_import fuzz target: these used to read "stored value could not be
    // read: …", as if the desk's own database were damaged.
    let mut p = paired();
    let before = desk_state(&p.desk.store);
    let cases: [(EntryKind, &str, &[u8], &str); 2] = [
        (
            EntryKind::Form,
            "sha256:00",
            br#"{"hash":"sha256:00","definition_json":"{}"}"#,
            "form sha256:00 does not match its hash",
        ),
        (
            EntryKind::SecurityLog,
            "security",
            br#"[{"seq":1,"at":"2026-11-23T08:00:00Z","kind":"printer_jam"}]"#,
            "security event of kind \"printer_jam\"",
        ),
    ];
    for (kind, id, plaintext, says) in cases {
        signed_bundle(&p, kind, id, plaintext);
        let outcomes = import(&mut p);
        let [ExchangeError::BadContent { detail, .. }] = refused(&outcomes)[..] else {
            panic!("expected one refusal for bad content: {outcomes:?}");
        };
        assert!(detail.contains(says), "{detail}");
        let message = refused(&outcomes)[0].to_string();
        assert!(
            message.contains("nothing of this bundle was imported"),
            "{message}"
        );
        assert_eq!(desk_state(&p.desk.store), before);
    }
}

/// A paired kiosk with one form saved, and what it has to send.
fn one_form_to_send() -> (Pair, String, intake_kiosk::store::Outgoing) {
    let mut p = paired();
    let id = save(&mut p, "Ada", "latex");
    let outgoing = p.kiosk.store.outgoing(&p.k_manager).unwrap();
    (p, id, outgoing)
}

/// A paired kiosk with two forms saved (Ada's, Grace's), what it has to send, and its form
/// definition as a bundle entry's plaintext.
fn two_forms_to_send() -> (Pair, intake_kiosk::store::Outgoing, Vec<u8>) {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    save(&mut p, "Grace", "nickel");
    let outgoing = p.kiosk.store.outgoing(&p.k_manager).unwrap();
    let form_json = serde_json::to_vec(&outgoing.forms[0]).unwrap();
    (p, outgoing, form_json)
}

/// Whether `exchange` holds no receipt (the kiosk keeps the forms of a refused bundle).
fn no_receipt_in(exchange: &std::path::Path) -> bool {
    std::fs::read_dir(exchange).unwrap().all(|f| {
        !f.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("receipt-")
    })
}

/// `form` as a compact bundle entry's plaintext.
fn compact_entry(form: &intake_kiosk::store::ExportedSubmission) -> Vec<u8> {
    let mut out = Vec::new();
    intake_kiosk::exchange::submission_entry::write_compact(form, &mut out).unwrap();
    out
}

#[test]
fn a_bundle_from_a_kiosk_still_writing_an_earlier_entry_shape_imports_the_same() {
    // What kiosks wrote before the packed entries: the outbox's JSON of each form (until
    // session 22), then the compact JSON (until session 24).
    for kind in [EntryKind::Submission, EntryKind::CompactSubmission] {
        let (mut p, id, outgoing) = one_form_to_send();
        let form = &outgoing.forms[0];
        let form_json = serde_json::to_vec(form).unwrap();
        let sent = &outgoing.submissions[0];
        let entry = if kind == EntryKind::Submission {
            serde_json::to_vec(sent).unwrap()
        } else {
            let mut out = Vec::new();
            intake_kiosk::exchange::submission_entry::write_compact(sent, &mut out).unwrap();
            out
        };
        signed_bundle_of(
            &p,
            &[
                (EntryKind::Form, &form.hash, &form_json),
                (kind, &id, &entry),
            ],
        );
        let outcomes = import(&mut p);
        assert!(refused(&outcomes).is_empty(), "{kind:?}: {outcomes:?}");
        assert_eq!(p.desk.store.patient_count().unwrap(), 1);
        // The outbox's JSON is that same shape, whichever entry brought the form.
        let handed_on: serde_json::Value = serde_json::from_slice(
            &std::fs::read(p.outbox.path().join(format!("{id}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(handed_on, serde_json::to_value(sent).unwrap());
    }
}

#[test]
fn a_compact_entry_that_would_grow_past_its_limit_is_refused_whole() {
    let (mut p, id, outgoing) = one_form_to_send();
    let form = &outgoing.forms[0];
    let form_json = serde_json::to_vec(form).unwrap();
    let mut compact = Vec::new();
    intake_kiosk::exchange::submission_entry::write_compact(&outgoing.submissions[0], &mut compact)
        .unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&compact).unwrap();
    // One group's time made long and its decisions many: a small entry that would fill memory.
    let group = &mut value["consents"][0];
    group["recorded_at"] = serde_json::Value::String("9".repeat(100_000));
    let one = group["decisions"][0].clone();
    group["decisions"] = serde_json::Value::Array(vec![one; 2_000]);
    let bomb = serde_json::to_vec(&value).unwrap();
    let before = desk_state(&p.desk.store);
    signed_bundle_of(
        &p,
        &[
            (EntryKind::Form, &form.hash, &form_json),
            (EntryKind::CompactSubmission, &id, &bomb),
        ],
    );
    let outcomes = import(&mut p);
    let [ExchangeError::BadContent { detail, .. }] = refused(&outcomes)[..] else {
        panic!("expected one refusal for bad content: {outcomes:?}");
    };
    assert!(detail.contains("would grow to"), "{detail}");
    assert_eq!(desk_state(&p.desk.store), before);
}

#[test]
fn a_bad_form_after_good_ones_leaves_nothing_stored_or_handed_on_wherever_the_definitions_stand() {
    // The desk reads a bundle's forms one at a time as it stores them: a bad one after good
    // ones rolls the good ones back, and nothing of them reaches the outbox. The form
    // definition and the security log come last in these bundles (a kiosk writes them first):
    // read before any form all the same.
    let (mut p, outgoing, form_json) = two_forms_to_send();
    let [first, second] = [0, 1].map(|n| outgoing.submissions[n].submission_id.clone());
    let form = &outgoing.forms[0];
    let [ada, grace] = [0, 1].map(|n| compact_entry(&outgoing.submissions[n]));
    let security = br#"[{"seq":1,"at":"2026-11-23T08:00:00Z","kind":"sign_in_failed"}]"#;
    let before = desk_state(&p.desk.store);
    signed_bundle_of(
        &p,
        &[
            (EntryKind::CompactSubmission, &first, &ada),
            (EntryKind::CompactSubmission, &second, &grace),
            (
                EntryKind::CompactSubmission,
                "third",
                b"{\"not\": \"a form\"}",
            ),
            (EntryKind::Form, &form.hash, &form_json),
            (EntryKind::SecurityLog, "security", security),
        ],
    );
    let outcomes = import(&mut p);
    let [ExchangeError::BadContent { detail, .. }] = refused(&outcomes)[..] else {
        panic!("expected one refusal for bad content: {outcomes:?}");
    };
    assert!(detail.starts_with("submission entry 2:"), "{detail}");
    assert_eq!(desk_state(&p.desk.store), before, "not even the good forms");
    assert_eq!(
        std::fs::read_dir(p.outbox.path()).unwrap().count(),
        0,
        "nothing handed on"
    );
    assert!(
        no_receipt_in(p.exchange.path()),
        "no receipt: the kiosk keeps its forms"
    );

    // The same bundle without the bad form (under the same number: the refused one was not
    // taken) imports whole, both forms handed on.
    signed_bundle_of(
        &p,
        &[
            (EntryKind::CompactSubmission, &first, &ada),
            (EntryKind::CompactSubmission, &second, &grace),
            (EntryKind::Form, &form.hash, &form_json),
            (EntryKind::SecurityLog, "security", security),
        ],
    );
    let outcomes = import(&mut p);
    assert!(refused(&outcomes).is_empty(), "{outcomes:?}");
    assert_eq!(desk_state(&p.desk.store), (2, 1));
    for id in [&first, &second] {
        for ext in ["json", "html", "fhir.json"] {
            assert!(
                p.outbox.path().join(format!("{id}.{ext}")).is_file(),
                "{id}.{ext}"
            );
        }
    }
}

#[test]
fn a_form_id_twice_in_one_bundle_stores_and_hands_on_the_first() {
    let (mut p, outgoing, form_json) = two_forms_to_send();
    let form = &outgoing.forms[0];
    let first = outgoing.submissions[0].clone();
    // Another form's contents under the first one's id.
    let mut again = outgoing.submissions[1].clone();
    again.submission_id = first.submission_id.clone();
    let id = first.submission_id.as_str();
    signed_bundle_of(
        &p,
        &[
            (EntryKind::Form, &form.hash, &form_json),
            (EntryKind::CompactSubmission, id, &compact_entry(&first)),
            (EntryKind::CompactSubmission, id, &compact_entry(&again)),
        ],
    );
    let outcomes = import(&mut p);
    let [BundleOutcome::Imported { report, .. }] = outcomes.as_slice() else {
        panic!("{outcomes:?}");
    };
    assert_eq!(report.added.len(), 1);
    assert_eq!(report.duplicates, vec![id.to_owned()]);
    let handed_on: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.outbox.path().join(format!("{id}.json"))).unwrap())
            .unwrap();
    assert_eq!(handed_on, serde_json::to_value(&first).unwrap());
}

#[test]
fn bundles_from_an_unpaired_or_revoked_kiosk_are_refused() {
    let mut p = paired();
    let mut stranger = paired();
    save(&mut stranger, "Eve", "none");
    let foreign = export(&stranger);
    std::fs::copy(
        &foreign,
        p.exchange.path().join(foreign.file_name().unwrap()),
    )
    .unwrap();
    let outcomes = import(&mut p);
    assert!(matches!(
        refused(&outcomes)[..],
        [ExchangeError::UnknownKiosk { .. }]
    ));

    save(&mut p, "Ada", "latex");
    export(&p);
    let kiosk_id = p.desk.store.kiosk_links().unwrap()[0].kiosk_id.clone();
    p.desk
        .store
        .revoke_kiosk(&p.d_manager, &kiosk_id, t0())
        .unwrap();
    let outcomes = import(&mut p);
    assert_eq!(refused(&outcomes).len(), 2);
    assert_eq!(p.desk.store.patient_count().unwrap(), 0);
}

#[test]
fn pairing_codes_expire_are_used_once_and_cannot_be_forged() {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k = sign_in(&mut kiosk.store, Role::Manager);
    let d = sign_in(&mut desk.store, Role::Manager);
    let dir = tempfile::tempdir().unwrap();

    // Expired: the desk refuses an old code before writing anything.
    let (code, expires) = kiosk_side::start_pairing(&kiosk.store, &k, t0()).unwrap();
    let late = expires + Duration::seconds(1);
    assert!(matches!(
        desk_side::answer_pairing(&desk.store, &d, &code, dir.path(), KnownKiosk::Refuse, late),
        Err(ExchangeError::Sync(SyncError::Expired))
    ));
    assert!(desk.store.kiosk_links().unwrap().is_empty());
    // An answer read by the kiosk after expiry is refused too.
    desk_side::answer_pairing(&desk.store, &d, &code, dir.path(), KnownKiosk::Refuse, t0())
        .unwrap();
    assert!(matches!(
        kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), late),
        Err(ExchangeError::Format {
            error: SyncError::Expired,
            ..
        })
    ));

    // Forged: an answer made for an earlier code does not pass the new code's check.
    let (_new_code, _) = kiosk_side::start_pairing(&kiosk.store, &k, t0()).unwrap();
    assert!(matches!(
        kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0()),
        Err(ExchangeError::Format {
            error: SyncError::Forged,
            ..
        })
    ));
    assert!(kiosk.store.desk_link().unwrap().is_none());

    // Used once: the right answer pairs; reading it again is refused. (The desk knows this kiosk
    // from the first code: the manager pairs the same tablet again by replacing its key.)
    desk_side::answer_pairing(
        &desk.store,
        &d,
        &_new_code,
        dir.path(),
        KnownKiosk::Replace,
        t0(),
    )
    .unwrap();
    let first = kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0()).unwrap();
    // The same answer read again (a second tap) gives the same link and reveals the nonce again;
    // no other answer is taken after it (see the forged-answer test).
    let again = kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0()).unwrap();
    assert_eq!(again.comparison_code, first.comparison_code);
    assert_eq!(again.sign_public, first.sign_public);
    // A malformed code is refused with its own message.
    assert!(matches!(
        desk_side::answer_pairing(
            &desk.store,
            &d,
            "IKP1:NOPE",
            dir.path(),
            KnownKiosk::Refuse,
            t0()
        ),
        Err(ExchangeError::Sync(SyncError::MalformedText(_)))
    ));
}

/// A code withdrawn on the kiosk (shown to the wrong desk, or photographed) pairs nothing, even
/// when a desk had answered it; the earlier, used code does not stand in for it; a new code
/// pairs as before.
#[test]
fn a_withdrawn_pairing_code_pairs_nothing() {
    let (mut p, kiosk_id, _) = paired_at_the_kiosk_only();
    let clinician = sign_in(&mut p.kiosk.store, Role::Clinician);
    let (kiosk, k) = (&p.kiosk.store, &p.k_manager);
    let read = || kiosk_side::read_pairing_answer(kiosk, k, p.exchange.path(), t0());
    let answer = |code: &str| {
        desk_side::answer_pairing(
            &p.desk.store,
            &p.d_manager,
            code,
            p.exchange.path(),
            KnownKiosk::Replace,
            t0(),
        )
        .expect("the desk answers")
    };
    // The first pairing's code is used and confirmed here (its link waits at the desk):
    // nothing is open.
    assert_eq!(
        kiosk.withdraw_pairing_offer(k, t0()).unwrap(),
        Withdrawal::NoneOpen
    );
    let first_link = kiosk.desk_link().unwrap().expect("paired");

    let (code, _) = kiosk_side::start_pairing(kiosk, k, t0()).unwrap();
    assert_eq!(answer(&code).kiosk_id, kiosk_id);
    // A clinician cannot withdraw it; a manager can, once.
    assert!(matches!(
        kiosk.withdraw_pairing_offer(&clinician, t0()),
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        kiosk.withdraw_pairing_offer(k, t0()).unwrap(),
        Withdrawal::Withdrawn(_)
    ));
    assert_eq!(
        kiosk.withdraw_pairing_offer(k, t0()).unwrap(),
        Withdrawal::NoneOpen
    );
    assert!(matches!(read(), Err(ExchangeError::NoPairingStarted)));
    // The link from before is as it was: the desk's answer to the withdrawn code was not taken.
    assert_eq!(kiosk.desk_link().unwrap(), Some(first_link));
    let withdrawals = kiosk
        .audit_entries(k, None, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "pairing_cancelled")
        .count();
    assert_eq!(withdrawals, 1);

    let (code, _) = kiosk_side::start_pairing(kiosk, k, t0()).unwrap();
    answer(&code);
    let link = read().expect("a new code pairs");
    assert!(!link.confirmed);
    // Too late now: its answer was read, and the pairing waits for the codes.
    assert_eq!(
        kiosk.withdraw_pairing_offer(k, t0()).unwrap(),
        Withdrawal::Answered(link.desk_id)
    );
    assert_eq!(kiosk.desk_link().unwrap().map(|l| l.confirmed), Some(false));
}

#[test]
fn receipts_from_another_desk_change_nothing() {
    let mut p = paired();
    let mut other = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    // The other desk imports p's kiosk's bundle? It cannot (not paired), so forge the situation:
    // the other pair's desk signs a receipt for its own kiosk, renamed for p's kiosk.
    save(&mut other, "Eve", "none");
    export(&other);
    import(&mut other);
    let receipt = std::fs::read_dir(other.exchange.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("receipt-"))
        .unwrap()
        .path();
    let kiosk_id = p.desk.store.kiosk_links().unwrap()[0].kiosk_id.clone();
    std::fs::copy(
        &receipt,
        p.exchange
            .path()
            .join(format!("receipt-{kiosk_id}-00000001.ikr")),
    )
    .unwrap();
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("the folder is read; the receipt is refused on its own");
    assert_eq!((read.receipts, read.purged), (0, 0));
    let unpaired = ExchangeError::ReceiptFromUnpairedDesk {
        file: format!("receipt-{kiosk_id}-00000001.ikr"),
    };
    assert_eq!(
        read.refused,
        [(
            format!("receipt-{kiosk_id}-00000001.ikr"),
            unpaired.to_string()
        )]
    );
    assert_eq!(p.kiosk.store.sync_status().unwrap().exported, 1);
}

/// A kiosk that revoked its desk (a desk computer stolen, say) seals nothing to it again, even
/// with the desk's row put back from an older copy of the kiosk's database (its tag sound).
#[test]
fn a_revoked_desks_row_put_back_from_an_older_copy_gets_no_forms() {
    let mut p = paired();
    save(&mut p, "Ada", "none");
    let path = db_path(&p.kiosk.dir);
    let before = p.kiosk.dir.path().join("before-revocation.sqlite3");
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("VACUUM INTO ?1", [before.to_str().unwrap()])
        .unwrap();
    p.kiosk.store.revoke_desk(&p.k_manager, t0()).unwrap();
    raw.execute("ATTACH DATABASE ?1 AS older", [before.to_str().unwrap()])
        .unwrap();
    raw.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM main.desk_link;
         INSERT INTO main.desk_link SELECT * FROM older.desk_link;",
    )
    .unwrap();
    match kiosk_side::export(
        &p.kiosk.store,
        &p.k_manager,
        p.exchange.path(),
        t0(),
        &mut |_, _| {},
    ) {
        Err(ExchangeError::Store(StoreError::Tampered { table, .. })) => {
            assert_eq!(table, "desk_link")
        }
        other => panic!("not refused: {:?}", other.map(|e| e.is_some())),
    }
    let bundles = std::fs::read_dir(p.exchange.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".ikb"))
        .count();
    assert_eq!(bundles, 0, "nothing sealed to the revoked desk");
}

fn kiosk_id(p: &Pair) -> String {
    p.desk.store.kiosk_links().unwrap()[0].kiosk_id.clone()
}

/// Whoever saw the pairing QR code (a photo of the tablet, a saved screenshot) and can write the
/// exchange folder can answer the kiosk with keys of their own. The comparison code is what must
/// catch that, and it can only if the stranger cannot make it match: it is taken over the
/// kiosk's pairing nonce as well as the keys, and the QR code carries only the nonce's hash, so
/// the same keys pair under another code each time (over the keys alone a stranger could try keys
/// until the kiosk's code was the desk's), a stranger's answer shows a code the desk refuses, and
/// a nonce planted for the desk is refused.
#[test]
fn a_stranger_who_saw_the_qr_code_cannot_make_the_codes_match() {
    use intake_kiosk::sync::PairingAnswer;
    // Two pairings of the same tablet with the same desk (the same keys): two codes.
    let (first, kiosk_id, first_code) = paired_at_the_kiosk_only();
    let (kiosk, desk) = (first.kiosk, first.desk);
    let (k_manager, d_manager) = (first.k_manager, first.d_manager);
    let exchange = first.exchange;
    kiosk.store.revoke_desk(&k_manager, t0()).unwrap();
    let (qr, _) = kiosk_side::start_pairing(&kiosk.store, &k_manager, t0()).unwrap();
    desk_side::answer_pairing(
        &desk.store,
        &d_manager,
        &qr,
        exchange.path(),
        KnownKiosk::Replace,
        t0(),
    )
    .unwrap();
    // The stranger: the QR code's text, and the real answer's place in the folder.
    let seen = PairingOffer::parse(&qr).unwrap();
    let stranger = DeskKeys::generate(&intake_kiosk::sync::random_id().unwrap()).unwrap();
    let forged = PairingAnswer::for_offer(&seen, &stranger.public(), t0().timestamp())
        .seal(&seen)
        .unwrap();
    let answer_file = exchange.path().join(format!("pair-{kiosk_id}.ikpa"));
    let genuine = std::fs::read(&answer_file).unwrap();
    std::fs::write(&answer_file, &forged).unwrap();
    let fooled = kiosk_side::read_pairing_answer(&kiosk.store, &k_manager, exchange.path(), t0())
        .expect("the MAC holds: the stranger had the secret");
    assert_eq!(fooled.sign_public, stranger.public().sign_public.to_vec());
    // The code the fooled tablet shows is not the desk's: refused, the kiosk left waiting.
    assert!(matches!(
        desk_side::confirm_pairing(
            &desk.store,
            &d_manager,
            Some(&kiosk_id),
            &fooled.comparison_code,
            exchange.path(),
            t0()
        ),
        Err(ExchangeError::Store(
            StoreError::ComparisonCodeMismatch { .. }
        ))
    ));
    // And the tablet takes no other answer now (the genuine one put back): start again.
    std::fs::write(&answer_file, &genuine).unwrap();
    assert!(matches!(
        kiosk_side::read_pairing_answer(&kiosk.store, &k_manager, exchange.path(), t0()),
        Err(ExchangeError::PairingCodeUsed)
    ));

    // Start again, honestly this time: the same keys, a new nonce, another code.
    kiosk.store.revoke_desk(&k_manager, t0()).unwrap();
    let (qr, _) = kiosk_side::start_pairing(&kiosk.store, &k_manager, t0()).unwrap();
    desk_side::answer_pairing(
        &desk.store,
        &d_manager,
        &qr,
        exchange.path(),
        KnownKiosk::Replace,
        t0(),
    )
    .unwrap();
    let link =
        kiosk_side::read_pairing_answer(&kiosk.store, &k_manager, exchange.path(), t0()).unwrap();
    assert_ne!(
        link.comparison_code, first_code,
        "the same keys, another code"
    );
    // A nonce planted for the desk (the QR code's secret, or any other) is refused.
    let reveal = exchange.path().join(format!("pair-reveal-{kiosk_id}.ikpr"));
    let genuine_reveal = std::fs::read(&reveal).unwrap();
    let planted = intake_kiosk::sync::PairingReveal {
        kiosk_id: kiosk_id.clone(),
        nonce: *PairingOffer::parse(&qr).unwrap().secret,
    };
    std::fs::write(&reveal, planted.to_text().unwrap()).unwrap();
    assert!(matches!(
        desk_side::confirm_pairing(
            &desk.store,
            &d_manager,
            Some(&kiosk_id),
            &link.comparison_code,
            exchange.path(),
            t0()
        ),
        Err(ExchangeError::RevealMismatch { .. })
    ));
    std::fs::write(&reveal, genuine_reveal).unwrap();
    let confirmed = desk_side::confirm_pairing(
        &desk.store,
        &d_manager,
        Some(&kiosk_id),
        &link.comparison_code,
        exchange.path(),
        t0(),
    )
    .expect("the genuine nonce, the code the tablet shows");
    assert_eq!(confirmed.comparison_code, link.comparison_code);
}

#[test]
fn a_forged_pairing_code_with_a_known_kiosk_id_does_not_take_the_kiosk_over() {
    let mut p = paired();
    let id = kiosk_id(&p);
    let before = p.desk.store.kiosk_link(&id).unwrap().unwrap();
    let answer_file = p.exchange.path().join(format!("pair-{id}.ikpa"));
    let answer_before = std::fs::read(&answer_file).unwrap();
    // The attacker read the id off a bundle's file name and makes a key pair and a pairing code
    // of their own under it.
    let forger = KioskKeys::generate(&id).unwrap();
    let forged = PairingOffer::new(&forger, (t0() + Duration::minutes(10)).timestamp())
        .unwrap()
        .to_text()
        .unwrap();

    let refused_pairing = desk_side::answer_pairing(
        &p.desk.store,
        &p.d_manager,
        &forged,
        p.exchange.path(),
        KnownKiosk::Refuse,
        t0(),
    );
    assert!(
        matches!(
            refused_pairing,
            Err(ExchangeError::Store(StoreError::KioskAlreadyPaired { .. }))
        ),
        "{refused_pairing:?}"
    );
    assert_eq!(
        p.desk.store.kiosk_link(&id).unwrap().unwrap(),
        before,
        "the link is unchanged"
    );
    assert_eq!(
        std::fs::read(&answer_file).unwrap(),
        answer_before,
        "no answer was written for the forger"
    );
    // The real kiosk goes on delivering.
    save(&mut p, "Ada", "latex");
    export(&p);
    let outcomes = import(&mut p);
    assert!(refused(&outcomes).is_empty());
    assert_eq!(desk_state(&p.desk.store), (1, 1));

    // Even a manager talked into --replace does not hand the kiosk over: the forger's key waits
    // for a code that only the clinic's tablet can show, and the tablet shows none for it.
    let replaced = desk_side::answer_pairing(
        &p.desk.store,
        &p.d_manager,
        &forged,
        p.exchange.path(),
        KnownKiosk::Replace,
        t0(),
    )
    .expect("a manager's explicit replacement");
    assert!(replaced.replaced);
    let link = p.desk.store.kiosk_link(&id).unwrap().unwrap();
    assert_eq!(link.state(), LinkState::Pending);
    assert_eq!(link.paired_at, before.paired_at, "the first pairing stays");
    assert!(link.key_replaced_at.is_some());
    assert!(
        p.desk
            .store
            .audit_entries(&p.d_manager, None, None)
            .unwrap()
            .iter()
            .any(|e| e.kind == "paired"
                && e.subject
                    .starts_with(&format!("replaced:{id}:old key sha256:"))),
        "the replacement is logged with the old key's fingerprint"
    );
    // The tablet cannot read an answer made for the forger's code.
    assert!(
        kiosk_side::read_pairing_answer(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
            .is_err()
    );
    // The code the tablet showed when it paired is not the forger's code, and what the tablet
    // revealed then does not belong to the forged QR code the desk scanned.
    assert!(matches!(
        desk_side::confirm_pairing(
            &p.desk.store,
            &p.d_manager,
            Some(&id),
            &before.comparison_code,
            p.exchange.path(),
            t0()
        ),
        Err(ExchangeError::RevealMismatch { .. })
    ));
    assert_eq!(
        p.desk.store.kiosk_link(&id).unwrap().unwrap().state(),
        LinkState::Pending
    );
    // While it waits, nothing from that id is imported (the old bundle still in the folder and
    // the new one alike).
    save(&mut p, "Grace", "nickel");
    export(&p);
    let outcomes = import(&mut p);
    assert!(
        outcomes.len() == 2
            && refused(&outcomes)
                .iter()
                .all(|e| matches!(e, ExchangeError::KioskNotConfirmed { .. })),
        "{outcomes:?}"
    );
    assert_eq!(desk_state(&p.desk.store), (1, 1));
}

#[test]
fn a_revoked_kiosk_stays_revoked_with_or_without_replace() {
    let mut p = paired();
    let id = kiosk_id(&p);
    p.desk.store.revoke_kiosk(&p.d_manager, &id, t0()).unwrap();
    let revoked = p.desk.store.kiosk_link(&id).unwrap().unwrap();
    assert_eq!(revoked.state(), LinkState::Revoked);
    let answer_file = p.exchange.path().join(format!("pair-{id}.ikpa"));
    std::fs::remove_file(&answer_file).unwrap();

    // The stolen tablet (its own keys and id) starts pairing again; so does a forger with its id.
    let (stolen, _) = kiosk_side::start_pairing(&p.kiosk.store, &p.k_manager, t0()).unwrap();
    let forged = PairingOffer::new(
        &KioskKeys::generate(&id).unwrap(),
        (t0() + Duration::minutes(10)).timestamp(),
    )
    .unwrap()
    .to_text()
    .unwrap();
    for code in [&stolen, &forged] {
        for known in [KnownKiosk::Refuse, KnownKiosk::Replace] {
            let refused_pairing = desk_side::answer_pairing(
                &p.desk.store,
                &p.d_manager,
                code,
                p.exchange.path(),
                known,
                t0(),
            );
            match refused_pairing {
                Err(ExchangeError::Store(e @ StoreError::KioskRevoked { .. })) => {
                    assert!(e.to_string().contains("new kiosk id"), "{e}")
                }
                other => panic!("{known:?}: {other:?}"),
            }
        }
    }
    assert_eq!(
        p.desk.store.kiosk_link(&id).unwrap().unwrap(),
        revoked,
        "still revoked, same key"
    );
    assert!(!answer_file.exists(), "no answer was written");
    assert!(matches!(
        desk_side::confirm_pairing(
            &p.desk.store,
            &p.d_manager,
            Some(&id),
            &revoked.comparison_code,
            p.exchange.path(),
            t0()
        ),
        Err(ExchangeError::Store(StoreError::KioskRevoked { .. }))
    ));
    // Its bundles stay refused.
    save(&mut p, "Ada", "latex");
    export(&p);
    assert!(matches!(
        refused(&import(&mut p))[..],
        [ExchangeError::UnknownKiosk { .. }]
    ));
    assert_eq!(desk_state(&p.desk.store), (0, 0));

    // A re-installed tablet (a new data folder) makes a new id and pairs as a new kiosk.
    let mut fresh = setup_clinic();
    let fresh_manager = sign_in(&mut fresh.store, Role::Manager);
    let (fresh_id, _) = pair_at_the_kiosk(
        (&fresh.store, &fresh_manager),
        (&p.desk.store, &p.d_manager),
        p.exchange.path(),
    );
    assert_ne!(fresh_id, id);
}

/// A kiosk the desk revoked (a tablet thought lost, then found; a slip on the wrong line) keeps
/// forms the desk never took: they are not stranded. Given a new kiosk id on the tablet (old keys
/// gone, its desk link revoked with them), it pairs as a new kiosk and every form the desk has
/// not acknowledged goes out again, the desk taking each once; the old id stays revoked.
#[test]
fn a_revoked_kiosk_given_a_new_id_pairs_again_and_its_forms_arrive_once() {
    let mut p = paired();
    let old_id = kiosk_id(&p);
    save(&mut p, "Ada", "latex");
    export(&p);
    assert!(refused(&import(&mut p)).is_empty());
    // Bundle 1's receipt is not read before the revocation: Ada's form is still on the tablet.
    save(&mut p, "Ben", "none");
    export(&p);
    p.desk
        .store
        .revoke_kiosk(&p.d_manager, &old_id, t0())
        .unwrap();
    // Bundle 1 (imported; its receipt unread) and bundle 2, both from a revoked kiosk now.
    assert!(matches!(
        refused(&import(&mut p))[..],
        [
            ExchangeError::UnknownKiosk { .. },
            ExchangeError::UnknownKiosk { .. }
        ]
    ));
    assert_eq!(desk_state(&p.desk.store), (1, 1), "Ben's form is stranded");

    // Only a manager gives the tablet a new id.
    let clinician = sign_in(&mut p.kiosk.store, Role::Clinician);
    assert!(matches!(
        kiosk_side::new_kiosk_id(&p.kiosk.store, &clinician, t0()),
        Err(ExchangeError::Store(StoreError::Forbidden))
    ));
    let (old, new) = kiosk_side::new_kiosk_id(&p.kiosk.store, &p.k_manager, t0()).unwrap();
    assert_eq!(old.as_deref(), Some(old_id.as_str()));
    assert_ne!(new, old_id);
    let status = p.kiosk.store.sync_status().unwrap();
    assert_eq!(status.own_id.as_deref(), Some(new.as_str()));
    assert!(status.desk.is_none(), "the desk link went with the old id");
    assert_eq!(status.exported, 2, "both forms still wait for a receipt");
    assert!(matches!(
        kiosk_side::export(
            &p.kiosk.store,
            &p.k_manager,
            p.exchange.path(),
            t0(),
            &mut |_, _| {}
        ),
        Err(ExchangeError::NotPaired)
    ));
    let subject = format!("sync_identity:kiosk:renewed:{old_id}");
    let logged = p
        .kiosk
        .store
        .audit_entries(&p.k_manager, Some(&subject), None);
    assert_eq!(logged.unwrap().len(), 1, "logged with the old id");

    // Paired again: the desk sees a kiosk it does not know, no --replace needed.
    let (again, code) = pair_at_the_kiosk(
        (&p.kiosk.store, &p.k_manager),
        (&p.desk.store, &p.d_manager),
        p.exchange.path(),
    );
    assert_eq!(again, new, "a new kiosk to the desk");
    confirm_at_the_desk(&p, &again, &code);

    // The old id's bundles left in the folder stay refused; the new one brings Ben once, Ada
    // is held already.
    export(&p);
    let outcomes = import(&mut p);
    let added: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            BundleOutcome::Imported {
                kiosk_id, report, ..
            } => Some((
                kiosk_id.clone(),
                report.added.len(),
                report.duplicates.len(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(added, [(new.clone(), 1, 1)], "{outcomes:?}");
    let from_old_id = |e: &ExchangeError| matches!(e, ExchangeError::UnknownKiosk { kiosk_id, .. } if *kiosk_id == old_id);
    let refusals = refused(&outcomes);
    assert!(
        refusals.len() == 2 && refusals.iter().all(|e| from_old_id(e)),
        "{outcomes:?}"
    );
    assert_eq!(p.desk.store.patient_count().unwrap(), 2);
    assert_eq!(
        p.desk.store.kiosk_link(&old_id).unwrap().unwrap().state(),
        LinkState::Revoked
    );
    // The receipt under the new id lets both forms go from the tablet.
    let read =
        kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0()).unwrap();
    assert_eq!((read.receipts, read.purged), (1, 2), "{read:?}");
    let status = p.kiosk.store.sync_status().unwrap();
    assert_eq!(
        (status.pending, status.exported, status.delivered),
        (0, 0, 2)
    );
    p.kiosk.store.verify_everything().expect("kiosk sound");
    p.desk.store.verify_everything().expect("desk sound");
}

/// A kiosk's file put back from an older copy (or a tablet restored from a backup) and used
/// since holds another log than the one the desk saw. Until session 59 the desk noticed only a
/// log shorter than before or one of the same length with another last tag: once the older copy
/// had written more entries than the desk had seen, its bundles were taken. Each bundle now
/// carries where its log stood at the kiosk's previous bundle, read from the log as it is: the
/// desk, holding that bundle, refuses another history and flags the kiosk.
#[test]
fn a_kiosk_put_back_from_an_older_copy_is_refused_even_once_its_log_is_longer() {
    let mut p = paired();
    let id = kiosk_id(&p);
    save(&mut p, "Ada", "latex");
    export(&p);
    let backups = tempfile::tempdir().unwrap();
    let older = p
        .kiosk
        .store
        .backup_into(backups.path(), "kiosk", t0())
        .unwrap()
        .file;
    save(&mut p, "Ben", "none");
    export(&p);
    // The genuine kiosk's bundles, each carrying the one before: both taken.
    assert!(refused(&import(&mut p)).is_empty());
    assert_eq!(desk_state(&p.desk.store), (2, 2));
    for file in std::fs::read_dir(p.exchange.path()).unwrap() {
        std::fs::remove_file(file.unwrap().path()).unwrap();
    }

    // The older copy takes the tablet's place and is used: a form, and more entries in its log
    // than the desk has seen.
    let copy = p.kiosk.dir.path().join("older.sqlite3");
    std::fs::copy(&older, &copy).unwrap();
    let (store, _) = OpenStore::unlock(
        intake_kiosk::store::Store::open(&copy).unwrap(),
        &intake_kiosk::vault::Passphrase::new(PASSPHRASE),
        t0(),
    )
    .unwrap();
    p.kiosk.store = store;
    p.k_manager = sign_in(&mut p.kiosk.store, Role::Manager);
    save(&mut p, "Cai", "none");
    for _ in 0..40 {
        sign_in(&mut p.kiosk.store, Role::Clinician);
    }
    let longer = p.kiosk.store.audit_head().unwrap().length;
    let seen = p.desk.store.kiosk_link(&id).unwrap().unwrap().audit_length;
    assert!(longer > seen, "{longer} entries against {seen} seen");
    // Its next bundle takes a number the desk holds another bundle under: refused as such.
    export(&p);
    assert!(matches!(
        refused(&import(&mut p))[..],
        [ExchangeError::BundleNumberReused { .. }]
    ));
    // The one after it names that bundle as its previous one, with a log the desk never saw
    // there: another history, refused, the kiosk flagged.
    for file in std::fs::read_dir(p.exchange.path()).unwrap() {
        std::fs::remove_file(file.unwrap().path()).unwrap();
    }
    export(&p);
    let outcomes = import(&mut p);
    assert!(
        matches!(
            refused(&outcomes)[..],
            [ExchangeError::Store(StoreError::AuditForked { .. })]
        ),
        "{outcomes:?}"
    );
    assert_eq!(desk_state(&p.desk.store), (2, 2), "nothing of it taken");
    let link = p.desk.store.kiosk_link(&id).unwrap().unwrap();
    assert!(link.audit_fork_at.is_some(), "flagged for a manager");
}

/// A bundle on the medium whose forms the kiosk could not note (its database refused the write:
/// here a trigger, as a full disk or a crash would) still has its number: the desk takes that
/// file, and the kiosk's next bundle — a new number, naming that one as its previous, with the
/// log as it was — is taken too, its forms once. Had the number been given out again, the desk
/// would refuse that bundle and read the one after it as another history.
#[test]
fn a_bundle_written_but_not_noted_keeps_its_number_and_the_next_one_is_taken() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    save(&mut p, "Ben", "none");
    let raw = rusqlite::Connection::open(db_path(&p.kiosk.dir)).unwrap();
    raw.execute_batch(
        "CREATE TRIGGER refuse_marks BEFORE INSERT ON export_marks
         BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
    )
    .unwrap();
    let failed = kiosk_side::export(
        &p.kiosk.store,
        &p.k_manager,
        p.exchange.path(),
        t0(),
        &mut |_, _| {},
    );
    assert!(failed.is_err(), "the forms were not noted");
    raw.execute_batch("DROP TRIGGER refuse_marks").unwrap();
    let second = format!("bundle-{}-00000002.ikb", kiosk_id(&p));
    assert!(
        p.exchange.path().join(second).exists(),
        "bundle 2 is on the medium"
    );
    assert!(refused(&import(&mut p)).is_empty());
    assert_eq!(desk_state(&p.desk.store), (2, 2));

    assert_eq!(p.kiosk.store.next_bundle_seq().unwrap(), 3);
    export(&p);
    let outcomes = import(&mut p);
    let taken: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            BundleOutcome::Imported { seq, report, .. } => {
                Some((*seq, report.added.len(), report.duplicates.len()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(taken, [(3, 0, 2)], "{outcomes:?}");
    assert!(
        p.desk.store.kiosk_links().unwrap()[0]
            .audit_fork_at
            .is_none(),
        "one history"
    );
    let read =
        kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0()).unwrap();
    assert_eq!(read.purged, 2, "{read:?}");
}

#[test]
fn bundles_from_a_pairing_not_confirmed_at_the_desk_are_refused_until_the_kiosks_code_is_typed() {
    let (mut p, id, kiosk_code) = paired_at_the_kiosk_only();
    save(&mut p, "Ada", "latex");
    export(&p);
    let outcomes = import(&mut p);
    match &refused(&outcomes)[..] {
        [e @ ExchangeError::KioskNotConfirmed { kiosk_id, .. }] => {
            assert_eq!(kiosk_id, &id);
            assert!(e.to_string().contains("confirm"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(desk_state(&p.desk.store), (0, 0));
    // The store refuses it too, whoever calls it.
    assert!(matches!(
        p.desk.store.import_bundle(
            &p.d_manager,
            &id,
            1,
            &intake_kiosk::store::AuditHead {
                length: 1,
                last_tag: String::new(),
                previous: None,
            },
            "h",
            &p.kiosk.store.outgoing(&p.k_manager).unwrap(),
            t0()
        ),
        Err(StoreError::KioskNotConfirmed { .. })
    ));

    // A wrong code: still waiting, still refused, and the attempt is logged.
    assert!(matches!(
        desk_side::confirm_pairing(
            &p.desk.store,
            &p.d_manager,
            None,
            "000 000",
            p.exchange.path(),
            t0()
        ),
        Err(ExchangeError::Store(
            StoreError::ComparisonCodeMismatch { .. }
        ))
    ));
    assert!(
        p.desk
            .store
            .audit_entries(&p.d_manager, Some(&format!("code-mismatch:{id}")), None)
            .unwrap()
            .len()
            == 1
    );
    assert_eq!(refused(&import(&mut p)).len(), 1);
    assert_eq!(desk_state(&p.desk.store), (0, 0));

    // The code the kiosk shows, as typed (without the space): confirmed, and the bundle imports.
    let confirmed = desk_side::confirm_pairing(
        &p.desk.store,
        &p.d_manager,
        None,
        &kiosk_code.replace(' ', ""),
        p.exchange.path(),
        t0(),
    )
    .unwrap();
    assert_eq!(confirmed.kiosk_id, id);
    assert!(refused(&import(&mut p)).is_empty());
    assert_eq!(desk_state(&p.desk.store), (1, 1));
}

#[test]
fn a_bundle_with_a_form_dated_in_the_future_or_before_the_pairing_is_refused_whole() {
    // The kiosk's clock jumped a day ahead for one form; the other is fine.
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    let clinician = sign_in(&mut p.kiosk.store, Role::Clinician);
    p.kiosk
        .store
        .save_submission(
            &clinician,
            submission("Grace", "Patient", "nickel"),
            t0() + Duration::days(1),
        )
        .unwrap();
    export(&p);
    let outcomes = import(&mut p);
    match &refused(&outcomes)[..] {
        [e @ ExchangeError::BadTimes { .. }] => {
            let text = e.to_string();
            assert!(
                text.contains("after this desk's clock") && text.contains("nothing of this bundle"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(desk_state(&p.desk.store), (0, 0), "not even the good form");
    assert!(
        no_receipt_in(p.exchange.path()),
        "no receipt: the kiosk keeps both forms"
    );
    // Within the allowed skew it is the same bundle content that imports.
    let outcomes = desk_side::import_folder(
        &mut p.desk.store,
        &p.d_manager,
        p.exchange.path(),
        p.outbox.path(),
        t0() + Duration::days(1) - intake_kiosk::store::KIOSK_CLOCK_SKEW + Duration::seconds(1),
        &mut |_, _, _| {},
    )
    .unwrap();
    assert!(refused(&outcomes).is_empty());
    assert_eq!(desk_state(&p.desk.store), (2, 1));

    // A reset clock: a form dated a year before the kiosk was paired.
    let (p, outcomes) = a_form_from_before_the_pairing(Duration::days(365));
    match &refused(&outcomes)[..] {
        [e @ ExchangeError::BadTimes { .. }] => {
            assert!(
                e.to_string()
                    .contains("30 days before the kiosk was paired"),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(desk_state(&p.desk.store), (0, 0));

    // A kiosk that took a form the week before it was paired (the back office set up later):
    // the form comes in with the rest (it used to block every bundle of its kiosk for ever).
    let (p, outcomes) = a_form_from_before_the_pairing(Duration::days(7));
    assert!(refused(&outcomes).is_empty(), "{outcomes:?}");
    assert_eq!(desk_state(&p.desk.store).0, 2);
}

/// A paired kiosk with a form dated `before` its pairing and one of now, both exported, and
/// what importing them did.
fn a_form_from_before_the_pairing(before: Duration) -> (Pair, Vec<BundleOutcome>) {
    let mut p = paired();
    let clinician = sign_in(&mut p.kiosk.store, Role::Clinician);
    p.kiosk
        .store
        .save_submission(
            &clinician,
            submission("Ada", "Patient", "latex"),
            t0() - before,
        )
        .unwrap();
    save(&mut p, "Grace", "nickel");
    export(&p);
    let outcomes = import(&mut p);
    (p, outcomes)
}

// ---------------------------------------------------------------------------------------------
// Whoever can write the exchange folder plants links, FIFOs and oversize files in it.

#[test]
fn links_planted_in_the_exchange_folder_are_replaced_never_followed() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    let kiosk = kiosk_id(&p);
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("clinic-notes.txt");
    std::fs::write(&victim, b"the clinic's own file").unwrap();
    let bundle_name = format!("bundle-{kiosk}-00000001.ikb");
    let receipt_name = format!("receipt-{kiosk}-00000001.ikr");
    // Under the final names, and under the temporary name the app used to write through.
    for name in [
        bundle_name.clone(),
        format!(".{bundle_name}.partial"),
        receipt_name.clone(),
        format!(".{receipt_name}.partial"),
    ] {
        std::os::unix::fs::symlink(&victim, p.exchange.path().join(name)).unwrap();
    }

    let bundle = export(&p);
    assert_eq!(bundle, p.exchange.path().join(&bundle_name));
    let outcomes = import(&mut p);
    assert!(refused(&outcomes).is_empty(), "{outcomes:?}");
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        b"the clinic's own file",
        "the link's target is untouched"
    );
    for name in [&bundle_name, &receipt_name] {
        let written = std::fs::symlink_metadata(p.exchange.path().join(name)).unwrap();
        assert!(written.is_file(), "{name} is a file of its own now");
    }
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("the real receipt is read");
    assert_eq!(read.purged, 1);
}

#[test]
fn a_fifo_named_like_a_bundle_is_refused_at_once_and_the_other_bundles_import() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    let kiosk = kiosk_id(&p);
    let fifo_name = format!("bundle-{kiosk}-00000000.ikb"); // sorts first
    let fifo = p.exchange.path().join(&fifo_name);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::create_dir(
        p.exchange
            .path()
            .join(format!("bundle-{kiosk}-00000009.ikb")),
    )
    .unwrap();

    // Only should the import hang on the FIFO: a writer opens and closes it, so the read ends
    // and the test fails on its assertions instead of hanging the suite.
    let (finished, wait) = std::sync::mpsc::channel::<()>();
    let unblock = fifo.clone();
    let watchdog = std::thread::spawn(move || {
        if wait
            .recv_timeout(std::time::Duration::from_secs(60))
            .is_err()
        {
            let _ = std::fs::OpenOptions::new().write(true).open(unblock);
        }
    });
    let outcomes = import(&mut p);
    finished.send(()).unwrap();
    watchdog.join().unwrap();

    let mut refusals = Vec::new();
    let mut imported = Vec::new();
    for outcome in &outcomes {
        match outcome {
            BundleOutcome::Refused { file, error } => refusals.push((file.clone(), error)),
            BundleOutcome::Imported { seq, .. } => imported.push(*seq),
        }
    }
    assert_eq!(imported, [1], "the real bundle imports");
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert_eq!(refusals[0].0, fifo_name);
    assert!(
        matches!(
            refusals[0].1,
            ExchangeError::NotRegularFile {
                found: "a named pipe (FIFO)",
                ..
            }
        ),
        "{}",
        refusals[0].1
    );
    assert!(refusals[0].1.to_string().contains(&fifo_name));
    assert!(matches!(
        refusals[1].1,
        ExchangeError::NotRegularFile {
            found: "a folder",
            ..
        }
    ));
    assert_eq!(p.desk.store.patient_count().unwrap(), 1);
}

#[test]
fn an_oversize_pairing_answer_is_refused_unread() {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k = sign_in(&mut kiosk.store, Role::Manager);
    let d = sign_in(&mut desk.store, Role::Manager);
    let dir = tempfile::tempdir().unwrap();
    let (code, _) = kiosk_side::start_pairing(&kiosk.store, &k, t0()).unwrap();
    let answer =
        desk_side::answer_pairing(&desk.store, &d, &code, dir.path(), KnownKiosk::Refuse, t0())
            .unwrap()
            .file;
    let good = std::fs::read(&answer).unwrap();

    // The real answer with 5 KiB after it, then a sparse 4 GiB file: neither is read.
    let mut padded = good.clone();
    padded.resize(5 * 1024, 0);
    std::fs::write(&answer, &padded).unwrap();
    let result = kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0());
    assert!(
        matches!(result, Err(ExchangeError::TooLarge { ref path, .. }) if *path == answer),
        "{result:?}"
    );
    std::fs::File::create(&answer)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    assert!(matches!(
        kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0()),
        Err(ExchangeError::TooLarge { .. })
    ));
    assert!(kiosk.store.desk_link().unwrap().is_none());

    // The answer as the desk wrote it still pairs.
    std::fs::write(&answer, &good).unwrap();
    kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0()).expect("pairs");
}

#[test]
fn a_link_named_like_a_receipt_is_refused_and_purges_nothing() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    import(&mut p);
    let receipt = p
        .exchange
        .path()
        .join(format!("receipt-{}-00000001.ikr", kiosk_id(&p)));
    // The desk's genuine receipt, moved out and linked back under its name.
    let elsewhere = tempfile::tempdir().unwrap();
    let moved = elsewhere.path().join("receipt.ikr");
    std::fs::rename(&receipt, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &receipt).unwrap();

    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("the folder is read; the link is refused on its own");
    let link = ExchangeError::NotRegularFile {
        path: receipt.clone(),
        found: "a symbolic link",
    };
    assert_eq!(read.refused.len(), 1);
    assert_eq!(read.refused[0].1, link.to_string());
    assert_eq!(read.purged, 0);
    assert_eq!(p.kiosk.store.sync_status().unwrap().exported, 1);

    std::fs::remove_file(&receipt).unwrap();
    std::fs::rename(&moved, &receipt).unwrap();
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("the file itself is read");
    assert_eq!(read.purged, 1);
}

#[test]
fn a_planted_receipt_keeps_no_delivered_form_on_the_kiosk() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    import(&mut p);
    // Sorted before the genuine one: a pipe (which must not hang the read), a cut file.
    let id = kiosk_id(&p);
    let pipe = p.exchange.path().join(format!("receipt-{id}-00000000.ikr"));
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(
        p.exchange
            .path()
            .join(format!("receipt-{id}-00000000a.ikr")),
        b"IKR",
    )
    .unwrap();
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("receipts");
    assert_eq!(
        (read.receipts, read.purged),
        (1, 1),
        "the genuine one applied"
    );
    assert_eq!(read.refused.len(), 2, "{:?}", read.refused);
    assert_eq!(p.kiosk.store.sync_status().unwrap().exported, 0);
}

#[test]
fn a_purge_beside_another_open_window_says_old_copies_remain() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    import(&mut p);
    // The kiosk's database is open in another program, in the middle of a read.
    let window = rusqlite::Connection::open_with_flags(
        db_path(&p.kiosk.dir),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    window.execute_batch("BEGIN").unwrap();
    let _: i64 = window
        .query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))
        .unwrap();
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("receipts");
    assert_eq!((read.purged, read.old_copies_remain), (1, true));
    window.execute_batch("COMMIT").unwrap();
    drop(window);
    assert_eq!(
        p.kiosk.store.store().checkpoint().unwrap(),
        intake_kiosk::store::WalCheckpoint::Truncated
    );
}

#[test]
fn an_outbox_that_cannot_take_files_stops_the_import_before_anything_is_stored() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    let not_a_folder = p.outbox.path().join("emr");
    std::fs::write(&not_a_folder, b"a file where the outbox should be").unwrap();
    let missing_share = p.outbox.path().join("not-mounted").join("outbox");
    for outbox in [&not_a_folder, &missing_share] {
        let result = desk_side::import_folder(
            &mut p.desk.store,
            &p.d_manager,
            p.exchange.path(),
            outbox,
            t0(),
            &mut |_, _, _| {},
        );
        assert!(result.is_err(), "{}", outbox.display());
        assert!(!missing_share.exists(), "a whole missing path is not made");
        assert_eq!(desk_state(&p.desk.store).0, 0, "nothing stored");
        assert!(p.desk.store.imported_bundles().unwrap().is_empty());
    }
    // With an outbox that works, the same bundle goes in, and is handed on.
    let outcomes = import(&mut p);
    assert!(refused(&outcomes).is_empty());
    assert_eq!(desk_state(&p.desk.store).0, 1);
    assert!(std::fs::read_dir(p.outbox.path()).unwrap().any(|f| {
        f.unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".fhir.json")
    }));
}

/// An outbox that takes the check but not a bundle's forms (a full disk; here a folder planted
/// under one form's name): the bundle is refused and nothing of it is stored, no receipt goes to
/// the kiosk (which keeps the form), and once the outbox takes files again the next import brings
/// the form in and hands it on (it used to be stored and acknowledged, never handed on, and
/// refused as "already imported" for ever after).
#[test]
fn forms_the_outbox_does_not_take_are_not_stored_or_acknowledged() {
    let mut p = paired();
    let ada = save(&mut p, "Ada", "latex");
    export(&p);
    let in_the_way = p.outbox.path().join(format!("{ada}.fhir.json"));
    std::fs::create_dir(&in_the_way).unwrap();
    std::fs::write(in_the_way.join("x"), b"x").unwrap();
    let outcomes = import(&mut p);
    let [BundleOutcome::Refused { error, .. }] = outcomes.as_slice() else {
        panic!("expected the bundle refused: {outcomes:?}");
    };
    assert!(
        matches!(error, ExchangeError::NotHandedOn { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("the kiosk keeps them"),
        "{error}"
    );
    assert_eq!(desk_state(&p.desk.store).0, 0, "nothing stored");
    assert!(p.desk.store.imported_bundles().unwrap().is_empty());
    let receipts = std::fs::read_dir(p.exchange.path())
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("receipt-")
        })
        .count();
    assert_eq!(receipts, 0, "no receipt for forms not handed on");
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("receipts");
    assert_eq!(read.purged, 0);
    assert_eq!(p.kiosk.store.sync_status().unwrap().exported, 1);

    // The outbox fixed: the same bundle goes in, handed on and acknowledged.
    std::fs::remove_dir_all(&in_the_way).unwrap();
    let outcomes = import(&mut p);
    assert!(refused(&outcomes).is_empty(), "{outcomes:?}");
    assert_eq!(desk_state(&p.desk.store).0, 1);
    assert!(in_the_way.is_file());
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("receipts");
    assert_eq!(read.purged, 1);
}

/// The outbox's plain patient files must not land on the shared medium: an outbox that is the
/// exchange folder, lies inside it, or holds it (by a link too) is refused before anything is
/// read or stored.
#[test]
fn an_outbox_on_the_exchange_medium_is_refused() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    export(&p);
    let inside = p.exchange.path().join("emr");
    std::fs::create_dir(&inside).unwrap();
    let link = p.outbox.path().join("to-usb");
    std::os::unix::fs::symlink(p.exchange.path(), &link).unwrap();
    for outbox in [p.exchange.path(), inside.as_path(), link.as_path()] {
        let refused = desk_side::import_folder(
            &mut p.desk.store,
            &p.d_manager,
            p.exchange.path(),
            outbox,
            t0(),
            &mut |_, _, _| {},
        )
        .err()
        .unwrap_or_else(|| panic!("{} was taken", outbox.display()));
        assert!(
            matches!(refused, ExchangeError::OutboxInExchange { .. }),
            "{refused:?}"
        );
        assert_eq!(desk_state(&p.desk.store).0, 0, "nothing stored");
    }
    assert!(!inside.join("not-yet").exists());
    let refused_new = desk_side::import_folder(
        &mut p.desk.store,
        &p.d_manager,
        p.exchange.path(),
        &inside.join("not-yet"),
        t0(),
        &mut |_, _, _| {},
    );
    assert!(matches!(
        refused_new,
        Err(ExchangeError::OutboxInExchange { .. })
    ));
    assert!(
        !inside.join("not-yet").exists(),
        "a refused outbox is not made on the medium"
    );
    let outcomes = import(&mut p);
    assert!(refused(&outcomes).is_empty());
}

#[test]
fn an_exchange_folder_under_a_missing_path_is_not_made() {
    let mut p = paired();
    save(&mut p, "Ada", "latex");
    let usb = p.exchange.path().join("not-mounted").join("usb");
    let result = kiosk_side::export(&p.kiosk.store, &p.k_manager, &usb, t0(), &mut |_, _| {});
    assert!(result.is_err());
    assert!(!usb.exists());
}

#[test]
fn a_receipt_that_cannot_be_written_leaves_the_bundle_imported_and_the_next_import_writes_it() {
    let mut p = paired();
    let ada = save(&mut p, "Ada", "latex");
    let bundle = export(&p);
    let kiosk_id = kiosk_id(&p);
    // Something in the receipt's place that it cannot replace (as a full medium would refuse
    // it): the forms are stored and handed on all the same, and the outcome says so.
    let receipt = p
        .exchange
        .path()
        .join(format!("receipt-{kiosk_id}-00000001.ikr"));
    std::fs::create_dir(&receipt).unwrap();
    std::fs::write(receipt.join("in the way"), b"x").unwrap();
    let outcomes = import(&mut p);
    let [
        BundleOutcome::Imported {
            report,
            receipt_error: Some(_),
            ..
        },
    ] = outcomes.as_slice()
    else {
        panic!("expected one import without its receipt: {outcomes:?}");
    };
    assert_eq!(report.added.len(), 1);
    assert!(p.outbox.path().join(format!("{ada}.fhir.json")).exists());
    // The kiosk has no receipt, so it keeps the form.
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("receipts");
    assert_eq!(read.purged, 0);
    assert_eq!(p.kiosk.store.sync_status().unwrap().exported, 1);

    // Once the folder can take it, the next import writes the receipt of the bundle it already
    // holds (and stores nothing again); the kiosk then lets the form go.
    std::fs::remove_dir_all(&receipt).unwrap();
    import_again_changes_nothing(&mut p);
    assert!(receipt.is_file());
    let read = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0())
        .expect("receipts");
    assert_eq!((read.receipts, read.purged), (1, 1));
    assert!(!bundle.exists());
}
