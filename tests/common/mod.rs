//! Shared fixtures: a set-up clinic with one of each role, and a sample submission.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use intake_kiosk::forms::{
    AnswerValue, Answers, ConsentDecision, Decision, PatientIdentity, Signature,
};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{Actor, NewSubmission, OpenStore, PatientRef, SetupRequest, Store};
use intake_kiosk::vault::{Passphrase, Pin, RecoveryKey};

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const MANAGER_PIN: &str = "402718";
pub const CLINICIAN_PIN: &str = "918273";
pub const RECEPTION_PIN: &str = "560193";

pub struct Clinic {
    pub store: OpenStore,
    pub manager_id: String,
    pub recovery: RecoveryKey,
    pub dir: tempfile::TempDir,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .expect("valid time")
}

pub fn db_path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("data").join("kiosk.sqlite3")
}

pub fn setup_clinic() -> Clinic {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&db_path(&dir)).expect("open new store");
    let result = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: "Test Skin Clinic".into(),
            manager_name: "Maya Manager".into(),
            manager_passphrase: Passphrase::new(PASSPHRASE),
            manager_passphrase_again: Passphrase::new(PASSPHRASE),
            manager_pin: Pin::new(MANAGER_PIN),
            staff: vec![
                (
                    "Chris Clinician".into(),
                    Role::Clinician,
                    Pin::new(CLINICIAN_PIN),
                ),
                (
                    "Rita Reception".into(),
                    Role::Reception,
                    Pin::new(RECEPTION_PIN),
                ),
            ],
        },
        t0(),
    )
    .expect("setup");
    Clinic {
        store: result.store,
        manager_id: result.manager_id,
        recovery: result.recovery_key,
        dir,
    }
}

pub fn staff_id(store: &OpenStore, role: Role) -> String {
    store
        .list_staff(t0())
        .expect("list staff")
        .into_iter()
        .find(|m| m.role == role)
        .expect("a member of that role")
        .id
}

pub fn sign_in(store: &mut OpenStore, role: Role) -> Actor {
    let pin = match role {
        Role::Manager => MANAGER_PIN,
        Role::Clinician => CLINICIAN_PIN,
        Role::Reception => RECEPTION_PIN,
    };
    let id = staff_id(store, role);
    store.sign_in(&id, &Pin::new(pin), t0()).expect("sign in")
}

pub fn identity(given: &str, family: &str) -> PatientIdentity {
    PatientIdentity {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: "1987-06-15".into(),
        postcode: "SW1A 1AA".into(),
        email: format!("{}@example.org", given.to_lowercase()),
        phone: "+44 7700 900123".into(),
    }
}

pub fn submission(given: &str, family: &str, allergy: &str) -> NewSubmission {
    let mut answers = Answers::default();
    answers.set("allergies", AnswerValue::Text(allergy.into()));
    answers.set("pregnant", AnswerValue::YesNo(false));
    NewSubmission {
        patient: PatientRef::New(identity(given, family)),
        answers,
        signature: Signature {
            svg_path: "M 10 10 L 50 40 L 90 12".into(),
        },
        consents: vec![
            consent("treatment", Decision::Granted),
            consent("marketing_sms", Decision::Refused),
        ],
        form: intake_kiosk::forms::DefinitionText::of(
            &intake_kiosk::forms::FormDefinition::built_in(),
        ),
        notice_hash: "sha256:notice".into(),
        language: "en".into(),
    }
}

/// Ada Lovelace's first form (allergic to latex), saved by `actor` at t0: its id and her patient
/// id.
pub fn save_ada(store: &mut OpenStore, actor: &Actor) -> (String, String) {
    let form = store
        .save_submission(actor, submission("Ada", "Lovelace", "latex"), t0())
        .expect("save");
    let ada = store
        .read_medical(actor, &form, t0())
        .expect("read")
        .patient_id;
    (form, ada)
}

/// A returning patient's reference as the kiosk makes it: only after their date of birth (the
/// one `identity` gives everybody) is confirmed, by the staff member who will save the form.
pub fn returning(store: &OpenStore, actor: &Actor, patient_id: &str) -> PatientRef {
    PatientRef::Returning {
        patient: store
            .confirm_date_of_birth(actor, patient_id, "1987-06-15", t0())
            .expect("date of birth check")
            .expect("the right date of birth is confirmed"),
        details: None,
    }
}

pub fn consent(item: &str, decision: Decision) -> ConsentDecision {
    ConsentDecision {
        item_id: item.into(),
        decision,
        text_hash: format!("sha256:{item}"),
        text_version: "1".into(),
        language: "en".into(),
    }
}

pub fn allergy_of(store: &OpenStore, actor: &Actor, submission_id: &str) -> String {
    let record = store
        .read_medical(actor, submission_id, t0())
        .expect("read medical");
    match record.answers.get("allergies") {
        Some(AnswerValue::Text(t)) => t.clone(),
        _ => panic!("allergies answer missing"),
    }
}

/// Every file under `dir` that contains `needle` (bytes).
pub fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(path);
                }
            }
        }
    }
    hits
}

/// A PNG of `text` as a QR code, as a phone photo of the tablet would give.
pub fn qr_png(text: &str, path: &std::path::Path) {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let width = code.width();
    let scale = 6;
    let quiet = 4;
    let size = ((width + 2 * quiet) * scale) as u32;
    let colors = code.to_colors();
    let img = image::GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < width + quiet
            && my < width + quiet
            && colors[(my - quiet) * width + (mx - quiet)] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    img.save(path).unwrap();
}

/// The one demo folder (`intake-kiosk-demo-<random>`) a `--demo` run made in `tmp`, its TMPDIR.
pub fn the_demo_folder(tmp: &std::path::Path) -> std::path::PathBuf {
    let made: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("intake-kiosk-demo-"))
        })
        .collect();
    let [demo] = made.as_slice() else {
        panic!("one demo folder in {}: {made:?}", tmp.display());
    };
    demo.clone()
}
