//! A real store (a desk's or a kiosk's), set up once per process in a temporary folder: setting
//! one up derives keys from a passphrase and PIN (PBKDF2), far too slow for every run, so a
//! target keeps its store for [`RUNS_PER_STORE`] runs and then starts a fresh one (so the
//! database stays small and the runs stay fast).
//!
//! Folders go to `/dev/shm` when there is one: every commit and exchange file is fsynced, which
//! on a disk would cost more than the code under test.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use intake_kiosk::forms::{
    AnswerValue, Answers, ConsentDecision, Decision, FormDefinition, PatientIdentity, Signature,
};
use intake_kiosk::store::{Actor, NewSubmission, OpenStore, PatientRef, SetupRequest, Store};
use intake_kiosk::vault::{Passphrase, Pin, RecoveryKey};

/// Whether to say what each run did (`INTAKE_KIOSK_FUZZ_VERBOSE=1`), to check that seeds reach
/// as deep as meant: e.g. `INTAKE_KIOSK_FUZZ_VERBOSE=1 fuzz/target/debug/bundle_import
/// fuzz/corpus/bundle_import/*`.
pub fn verbose() -> bool {
    static VERBOSE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("INTAKE_KIOSK_FUZZ_VERBOSE").is_some())
}

/// Runs before a target sets up a fresh store.
pub const RUNS_PER_STORE: u64 = 1024;

const PASSPHRASE: &str = "fuzzing passphrase, not a secret";
const MANAGER_PIN: &str = "402718";

/// The clock every store call is given: fixed, so a run does not depend on the day.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .expect("a valid time")
}

/// `t0` plus `seconds`, or `None` outside chrono's range.
pub fn t0_plus(seconds: i64) -> Option<DateTime<Utc>> {
    t0().checked_add_signed(chrono::Duration::try_seconds(seconds)?)
}

/// A set-up store with its manager signed in, and a folder for its exchange files.
pub struct Place {
    pub store: OpenStore,
    pub manager: Actor,
    pub recovery_key: RecoveryKey,
    /// Runs since this store was set up.
    pub runs: u64,
    dir: tempfile::TempDir,
}

impl Place {
    /// A fresh installation (one manager, no other staff). Panics if setup fails: that is the
    /// harness broken, not a finding.
    pub fn set_up() -> Place {
        let dir = scratch_dir();
        let store = Store::open(&dir.path().join("store.sqlite3")).expect("a new store opens");
        let setup = OpenStore::setup(
            store,
            SetupRequest {
                clinic_name: "Fuzz Clinic".into(),
                manager_name: "Maya Manager".into(),
                manager_passphrase: Passphrase::new(PASSPHRASE),
                manager_passphrase_again: Passphrase::new(PASSPHRASE),
                manager_pin: Pin::new(MANAGER_PIN),
                staff: Vec::new(),
            },
            t0(),
        )
        .unwrap_or_else(|e| panic!("setting up a store: {e}"));
        let manager = setup.manager();
        Place {
            store: setup.store,
            manager,
            recovery_key: setup.recovery_key,
            runs: 0,
            dir,
        }
    }

    /// A folder of this place's (created on first use).
    pub fn folder(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).expect("a scratch folder");
        path
    }

    /// Whether it is time for a fresh store.
    pub fn worn_out(&self) -> bool {
        self.runs >= RUNS_PER_STORE
    }
}

/// A temporary folder, on tmpfs when there is one; removed when dropped. libFuzzer ends a run
/// with `exit`, which drops no thread-local, so the folders of processes that are gone are
/// removed here (their names carry the process id).
pub fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let parent = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    remove_stale(&parent);
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .tempdir_in(&parent)
        .expect("a temporary folder")
}

const PREFIX: &str = "intake-kiosk-fuzz-";

/// Removes the scratch folders in `parent` left by processes that no longer run.
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes every file in `dir` (what one run left in an exchange folder or outbox).
pub fn empty(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A completed form as a kiosk saves it: the built-in form, one answer of each common kind, a
/// signature and two consent decisions.
pub fn submission(given: &str, family: &str) -> NewSubmission {
    let mut answers = Answers::default();
    answers.set("allergies_any", AnswerValue::YesNo(true));
    answers.set("allergies_detail", AnswerValue::Text("latex".into()));
    let form = FormDefinition::built_in();
    NewSubmission {
        patient: PatientRef::New(PatientIdentity {
            given_name: given.into(),
            family_name: family.into(),
            date_of_birth: "1987-06-15".into(),
            postcode: "SW1A 1AA".into(),
            email: format!("{}@example.org", given.to_lowercase()),
            phone: "+44 7700 900123".into(),
        }),
        answers,
        signature: Signature {
            svg_path: "M 10 10 L 50 40 L 90 12".into(),
        },
        consents: vec![
            consent("treatment", Decision::Granted),
            consent("marketing_sms", Decision::Refused),
        ],
        form: intake_kiosk::forms::DefinitionText::of(&form),
        notice_hash: "sha256:notice".into(),
        language: "en".into(),
    }
}

fn consent(item: &str, decision: Decision) -> ConsentDecision {
    ConsentDecision {
        item_id: item.into(),
        decision,
        text_hash: format!("sha256:{item}"),
        text_version: "1".into(),
        language: "en".into(),
    }
}
