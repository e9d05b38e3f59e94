//! The demo clinic for `--demo`: a throwaway data folder with staff whose PINs the README lists.

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::staff::Role;
use crate::store::{OpenStore, SetupRequest, Store, StoreError};
use crate::vault::{Passphrase, Pin};

pub const DEMO_PASSPHRASE: &str = "demo clinic passphrase";
pub const DEMO_STAFF: [(&str, Role, &str); 3] = [
    ("Maya (manager)", Role::Manager, "402718"),
    ("Chris (clinician)", Role::Clinician, "918273"),
    ("Rita (reception)", Role::Reception, "560193"),
];

/// A fresh folder for the demo under the system temp directory, made here: a random name and
/// this user's only (0700), and never one that is already there — a folder or database planted
/// in the shared temp directory under a name guessed in advance is not used.
pub fn demo_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let name = crate::vault::random_id().map_err(std::io::Error::other)?;
    let dir = std::env::temp_dir().join(format!("intake-kiosk-demo-{name}"));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

/// Creates the demo clinic at `path` and closes it; the caller opens it with the passphrase.
pub fn create_demo_clinic(path: &Path) -> Result<Store, StoreError> {
    set_up_demo(Store::open(path)?)
}

/// The demo staff and clinic in a new store.
fn set_up_demo(store: Store) -> Result<Store, StoreError> {
    let request = SetupRequest {
        clinic_name: "Demo Skin Clinic".into(),
        manager_name: DEMO_STAFF[0].0.into(),
        manager_passphrase: Passphrase::new(DEMO_PASSPHRASE),
        manager_passphrase_again: Passphrase::new(DEMO_PASSPHRASE),
        manager_pin: Pin::new(DEMO_STAFF[0].2),
        staff: DEMO_STAFF[1..]
            .iter()
            .map(|(name, role, pin)| ((*name).to_owned(), *role, Pin::new(*pin)))
            .collect(),
    };
    let result = OpenStore::setup(store, request, Utc::now()).map_err(|e| match e {
        crate::store::SignInError::Store(s) => s,
        other => StoreError::Encoding(other.to_string()),
    })?;
    result.store.close(None, Utc::now())
}

/// A demo back office for `desk window --demo`: the demo staff (same PINs and passphrase), three
/// fictional patients entered at the desk with the built-in form, one rights request past its
/// due date and one breach inside its 72-hour clock, so every part of the desk has something
/// to show. Closed on return.
pub fn create_demo_desk(path: &Path) -> Result<Store, StoreError> {
    use crate::forms::{
        AnswerValue, Answers, ConsentDecision, Decision, FormDefinition, PatientIdentity, Signature,
    };
    use crate::rights::{RequestKind, Risk};
    use crate::store::{NewBreach, NewRightsRequest, NewSubmission, PatientRef};

    let store = set_up_demo(Store::open_for(path, crate::store::SyncRole::Desk)?)?;
    let now = Utc::now();
    let (open, manager) =
        OpenStore::unlock_as_manager(store, &Passphrase::new(DEMO_PASSPHRASE), now)
            .map_err(|f| f.error)?;
    let mut open = open;
    let form = FormDefinition::built_in();
    let patients = [
        ("Ana", "Demo", "1988-04-12", "SW1A 1AA", "penicillin", true),
        ("Ben", "Example", "1975-09-30", "M1 1AE", "none", false),
        ("Chloe", "Sample", "2010-02-05", "LS1 4AP", "latex", false),
    ];
    let mut first = None;
    for (i, (given, family, dob, postcode, allergy, marketing)) in patients.into_iter().enumerate()
    {
        let mut identity = PatientIdentity::default();
        identity.given_name = given.into();
        identity.family_name = family.into();
        identity.date_of_birth = dob.into();
        identity.postcode = postcode.into();
        identity.email = format!("{}@example.invalid", given.to_lowercase());
        identity.phone = format!("07700 90012{i}");
        let mut answers = Answers::default();
        answers.set("allergies_any", AnswerValue::YesNo(allergy != "none"));
        if allergy != "none" {
            answers.set("allergies_detail", AnswerValue::Text(allergy.into()));
        }
        answers.set("pregnant", AnswerValue::YesNo(false));
        let consents = form
            .consents
            .iter()
            .map(|item| ConsentDecision {
                item_id: item.id.clone(),
                decision: if item.required || (marketing && item.id.starts_with("marketing")) {
                    Decision::Granted
                } else {
                    Decision::Refused
                },
                text_hash: form.consent_text_hash(item, "en"),
                text_version: item.version.clone(),
                language: "en".into(),
            })
            .collect();
        let id = open.save_submission(
            &manager,
            NewSubmission {
                patient: PatientRef::New(identity),
                answers,
                signature: Signature {
                    svg_path: "M 40 150 L 120 60 L 200 140 L 300 50".into(),
                },
                consents,
                form: crate::forms::DefinitionText::of(&form),
                notice_hash: form.notice_hash("en"),
                language: "en".into(),
            },
            now,
        )?;
        first.get_or_insert(id);
    }
    let patient = open
        .find_patients(&manager, "Ana", "Demo", "1988-04-12", now)?
        .into_iter()
        .next();
    open.log_rights_request(
        &manager,
        &NewRightsRequest {
            patient_id: patient,
            kind: RequestKind::Access,
            received_on: (now - chrono::Duration::days(40)).date_naive(),
            requester: "Ana Demo (by email)".into(),
            identity_check: "photo ID seen at reception".into(),
            notes: String::new(),
        },
        now,
    )?;
    open.record_breach(
        &manager,
        &NewBreach {
            discovered_at: now - chrono::Duration::hours(20),
            what_happened: "Demo: a printed form left at reception overnight".into(),
            records: first.into_iter().collect(),
            risk: Risk::Risk,
        },
        now,
    )?;
    open.close(Some(&manager), now)
}
