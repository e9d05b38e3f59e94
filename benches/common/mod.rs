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
