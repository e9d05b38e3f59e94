//! What the benches share: percentiles, and the synthetic patients and answers they store.
#![allow(dead_code)]

use std::time::Duration;

use intake_kiosk::forms::{AnswerValue, Answers, PatientIdentity};

pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Patient `i` of a synthetic register (no phone: each bench sets the one it needs).
pub fn identity(i: usize) -> PatientIdentity {
    let mut p = PatientIdentity::default();
    p.given_name = format!("Given{i}");
    p.family_name = format!("Family{}", i * 7919 % 100_003);
    p.date_of_birth = format!("19{:02}-{:02}-{:02}", 40 + i % 60, 1 + i % 12, 1 + i % 28);
    p.postcode = format!("AB{} {}CD", i % 100, i % 10);
    p.email = format!("p{i}@example.org");
    p
}

/// Medical answers about the size of a real form's.
pub fn answers() -> Answers {
    let mut answers = Answers::default();
    answers.set(
        "allergies_detail",
        AnswerValue::Text("penicillin: hives; latex: itching ".repeat(20)),
    );
    answers.set(
        "medications",
        AnswerValue::Text("isotretinoin 20 mg daily; vitamin D ".repeat(20)),
    );
    answers.set("pregnant", AnswerValue::YesNo(false));
    answers
}

/// Patient `i`'s answers as typed, not pasted: the sizes of [`answers`] (about 1,400 bytes of text)
/// but words drawn at random, so they compress as prose does rather than as one phrase repeated.
pub fn typed_answers(i: usize) -> Answers {
    const WORDS: [&str; 24] = [
        "penicillin",
        "hives",
        "latex",
        "itching",
        "rash",
        "after",
        "swelling",
        "mild",
        "severe",
        "since",
        "childhood",
        "ibuprofen",
        "isotretinoin",
        "20",
        "mg",
        "daily",
        "vitamin",
        "D",
        "retinol",
        "cream",
        "twice",
        "weekly",
        "stopped",
        "2023",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
    let mut text = |len: usize| {
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            out.push_str(WORDS[rng.below(WORDS.len())]);
            out.push_str(if rng.below(6) == 0 { "; " } else { " " });
        }
        out
    };
    let mut answers = Answers::default();
    answers.set("allergies_detail", AnswerValue::Text(text(680)));
    answers.set("medications", AnswerValue::Text(text(740)));
    answers.set("pregnant", AnswerValue::YesNo(false));
    answers
}

/// Patient `i`'s signature as a pen draws it: a path of about 1,600 bytes whose points wander
/// (one decimal place, as the signature pad records them), unlike a repeated segment.
pub fn drawn_signature(i: usize) -> intake_kiosk::forms::Signature {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ (i as u64 + 1));
    let (mut x, mut y) = (40.0_f64, 60.0_f64);
    let mut svg_path = format!("M {x:.1} {y:.1}");
    while svg_path.len() < 1_600 {
        x = (x + rng.below(90) as f64 / 10.0 - 3.0).clamp(0.0, 600.0);
        y = (y + rng.below(100) as f64 / 10.0 - 5.0).clamp(0.0, 200.0);
        if rng.below(40) == 0 {
            svg_path.push_str(&format!(" M {x:.1} {y:.1}"));
        } else {
            svg_path.push_str(&format!(" L {x:.1} {y:.1}"));
        }
    }
    intake_kiosk::forms::Signature { svg_path }
}

/// A new clinic's store at `dir/name`, made for `side` (its page size): a manager (PIN 402718)
/// and a clinician (PIN 918273).
pub fn clinic(
    dir: &std::path::Path, name: &str, side: intake_kiosk::store::SyncRole,
) -> (intake_kiosk::store::OpenStore, intake_kiosk::store::Actor) {
    use intake_kiosk::store::{OpenStore, SetupRequest, Store};
    use intake_kiosk::vault::{Passphrase, Pin};
    let store = Store::open_for(&dir.join(name), side).expect("open");
    let result = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: "Bench Clinic".into(),
            manager_name: "Maya".into(),
            manager_passphrase: Passphrase::new(PASSPHRASE),
            manager_passphrase_again: Passphrase::new(PASSPHRASE),
            manager_pin: Pin::new("402718"),
            staff: vec![(
                "Chris".into(),
                intake_kiosk::staff::Role::Clinician,
                Pin::new("918273"),
            )],
        },
        chrono::Utc::now(),
    )
    .expect("setup");
    let manager = result.manager();
    (result.store, manager)
}

/// The managers' passphrase of [`clinic`].
pub const PASSPHRASE: &str = "bench passphrase 123";

/// Pairs `kiosk` with `desk` through the exchange folder, both sides confirmed.
pub fn pair(
    kiosk: &intake_kiosk::store::OpenStore, k_manager: &intake_kiosk::store::Actor,
    desk: &intake_kiosk::store::OpenStore, d_manager: &intake_kiosk::store::Actor,
    exchange: &std::path::Path,
) {
    use chrono::Utc;
    use intake_kiosk::exchange::{desk_side, kiosk_side};
    let (code, _) = kiosk_side::start_pairing(kiosk, k_manager, Utc::now()).expect("offer");
    let answered = desk_side::answer_pairing(
        desk,
        d_manager,
        &code,
        exchange,
        desk_side::KnownKiosk::Refuse,
        Utc::now(),
    )
    .expect("answer");
    let link =
        kiosk_side::read_pairing_answer(kiosk, k_manager, exchange, Utc::now()).expect("read");
    desk_side::confirm_pairing(
        desk,
        d_manager,
        Some(&answered.kiosk_id),
        &link.comparison_code,
        exchange,
        Utc::now(),
    )
    .expect("desk confirms");
    kiosk_side::confirm_pairing(kiosk, k_manager, Utc::now()).expect("kiosk confirms");
}

/// A new patient's form of about a real one's size: treatment granted, everything else refused.
pub fn new_patient_form(
    identity: PatientIdentity, form: &intake_kiosk::forms::FormDefinition,
) -> intake_kiosk::store::NewSubmission {
    use intake_kiosk::forms::{ConsentDecision, Decision, Signature};
    intake_kiosk::store::NewSubmission {
        patient: intake_kiosk::store::PatientRef::New(identity),
        answers: answers(),
        signature: Signature {
            svg_path: "M 10 10 L 20 30 ".repeat(100),
        },
        consents: form
            .consents
            .iter()
            .map(|item| ConsentDecision {
                item_id: item.id.clone(),
                decision: if item.id == intake_kiosk::forms::TREATMENT_CONSENT {
                    Decision::Granted
                } else {
                    Decision::Refused
                },
                text_hash: form.consent_text_hash(item, "en"),
                text_version: item.version.clone(),
                language: "en".into(),
            })
            .collect(),
        form: intake_kiosk::forms::DefinitionText::of(form),
        notice_hash: form.notice_hash("en"),
        language: "en".into(),
    }
}

/// xorshift64*: a fixed, dependency-free sequence of look-ups.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

/// CPU time this process has used so far, user and system, in seconds (Linux; zero elsewhere).
pub fn cpu_secs() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) closed by ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat(5), 11 and 12 after the name; 100 ticks/s.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// A memory figure of this process from `/proc/self/status` (`VmRSS`, `VmHWM`…), in KiB (Linux;
/// zero elsewhere).
#[allow(dead_code)]
pub fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Starts this process's peak resident memory (`VmHWM`) again from what it holds now (Linux).
#[allow(dead_code)]
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
