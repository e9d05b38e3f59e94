//! Kiosk → bundle → desk → receipt → kiosk purge, through an exchange folder, with the real
//! stores, keys and files; and every bad input refused with its own error, changing nothing.

mod common;

use chrono::Duration;
use common::*;
use intake_kiosk::exchange::desk_side::{self, BundleOutcome};
use intake_kiosk::exchange::{ExchangeError, kiosk_side};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{Actor, OpenStore};
use intake_kiosk::sync::{
    AuditCheckpoint, BundleParts, BundleWriter, DeskKeys, DeskPublic, EntryKind, ParsedBundle,
    SyncError,
};

struct Pair {
    kiosk: Clinic,
    desk: Clinic,
    k_manager: Actor,
    d_manager: Actor,
    exchange: tempfile::TempDir,
    outbox: tempfile::TempDir,
}

fn paired() -> Pair {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k_manager = sign_in(&mut kiosk.store, Role::Manager);
    let d_manager = sign_in(&mut desk.store, Role::Manager);
    let exchange = tempfile::tempdir().unwrap();
    let (code, _) = kiosk_side::start_pairing(&kiosk.store, &k_manager, t0()).expect("offer");
    let answered = desk_side::answer_pairing(&desk.store, &d_manager, &code, exchange.path(), t0())
        .expect("answer");
    let link = kiosk_side::read_pairing_answer(&kiosk.store, &k_manager, exchange.path(), t0())
        .expect("read answer");
    assert_eq!(
        link.comparison_code, answered.comparison_code,
        "both screens agree"
    );
    assert!(!link.confirmed);
    assert!(matches!(
        kiosk_side::export(
            &kiosk.store,
            &k_manager,
            exchange.path(),
            t0(),
            &mut |_, _| {}
        ),
        Err(ExchangeError::NotConfirmed { .. })
    ));
    kiosk_side::confirm_pairing(&kiosk.store, &k_manager, t0()).expect("confirm");
    Pair {
        kiosk,
        desk,
        k_manager,
        d_manager,
        exchange,
        outbox: tempfile::tempdir().unwrap(),
    }
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
    let before = desk_state(&p.desk.store);
    let again = import(&mut p);
    assert!(matches!(
        refused(&again)[..],
        [ExchangeError::Replayed { .. }]
    ));
    assert_eq!(desk_state(&p.desk.store), before);

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
        },
    };
    let mut writer = BundleWriter::new(parts, &desk, &keys).unwrap();
    writer.add(kind, id, plaintext).unwrap();
    let name = format!("bundle-{}-00000001.ikb", keys.kiosk_id());
    std::fs::write(p.exchange.path().join(name), writer.finish().unwrap()).unwrap();
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
        desk_side::answer_pairing(&desk.store, &d, &code, dir.path(), late),
        Err(ExchangeError::Sync(SyncError::Expired))
    ));
    assert!(desk.store.kiosk_links().unwrap().is_empty());
    // An answer read by the kiosk after expiry is refused too.
    desk_side::answer_pairing(&desk.store, &d, &code, dir.path(), t0()).unwrap();
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

    // Used once: the right answer pairs; reading it again is refused.
    desk_side::answer_pairing(&desk.store, &d, &_new_code, dir.path(), t0()).unwrap();
    kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0()).unwrap();
    assert!(matches!(
        kiosk_side::read_pairing_answer(&kiosk.store, &k, dir.path(), t0()),
        Err(ExchangeError::PairingCodeUsed)
    ));
    // A malformed code is refused with its own message.
    assert!(matches!(
        desk_side::answer_pairing(&desk.store, &d, "IKP1:NOPE", dir.path(), t0()),
        Err(ExchangeError::Sync(SyncError::MalformedText(_)))
    ));
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
    let result = kiosk_side::read_receipts(&p.kiosk.store, &p.k_manager, p.exchange.path(), t0());
    assert!(
        matches!(result, Err(ExchangeError::ReceiptFromUnpairedDesk { .. })),
        "{result:?}"
    );
    assert_eq!(p.kiosk.store.sync_status().unwrap().exported, 1);
}
