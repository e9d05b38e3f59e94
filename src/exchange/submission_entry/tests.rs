use super::*;
use crate::forms::{AnswerValue, Answers, ConsentEvent, Decision, PatientIdentity, Signature};

const SUB: &str = "5eed0000000000000000000000000001";
const PATIENT: &str = "ba5e0000000000000000000000000001";
const AT: &str = "2026-12-02T09:30:00+00:00";

fn event(n: usize, item: &str, decision: Decision) -> ConsentEvent {
    ConsentEvent {
        id: format!("{n:032x}"),
        patient_id: PATIENT.into(),
        submission_id: Some(SUB.into()),
        item_id: item.into(),
        decision,
        text_hash: format!("sha256:{n:064x}"),
        text_version: "3".into(),
        language: "en".into(),
        recorded_at: AT.into(),
        device_id: "kiosk-7f3a".into(),
        signature_ref: Some(SUB.into()),
    }
}

/// A form as a kiosk exports it: nine decisions taken together.
fn form(consents: Vec<ConsentEvent>) -> ExportedSubmission {
    let mut identity = PatientIdentity::default();
    identity.given_name = "Zoë".into();
    identity.family_name = "O'Brien-Łukasz".into();
    identity.date_of_birth = "1990-02-03".into();
    let mut answers = Answers::default();
    answers.set(
        "allergies_detail",
        AnswerValue::Text("penicillin \"hives\"\n".into()),
    );
    answers.set("pregnant", AnswerValue::YesNo(false));
    ExportedSubmission {
        version: EXPORT_VERSION,
        submission_id: SUB.into(),
        kiosk_patient_id: PATIENT.into(),
        identity,
        answers,
        signature: Signature {
            svg_path: "M 10 10 L 20 30".into(),
        },
        consents,
        form_hash: "sha256:aa".into(),
        notice_hash: "sha256:bb".into(),
        language: "en".into(),
        submitted_at: AT.into(),
    }
}

fn nine() -> Vec<ConsentEvent> {
    [
        "treatment",
        "marketing_email",
        "marketing_sms",
        "marketing_whatsapp",
        "photos_clinical",
        "photos_website",
        "photos_social",
        "photos_print",
        "photos_training",
    ]
    .iter()
    .enumerate()
    .map(|(n, item)| {
        let decision = if n == 0 {
            Decision::Granted
        } else {
            Decision::Refused
        };
        event(n, item, decision)
    })
    .collect()
}

/// The outbox's JSON of a submission: what must come back the same.
fn plain_json(s: &ExportedSubmission) -> String {
    serde_json::to_string(s).expect("json")
}

fn compact(s: &ExportedSubmission) -> Vec<u8> {
    let mut out = Vec::new();
    write(s, &mut out).expect("write");
    out
}

#[test]
fn a_form_comes_back_the_same_from_its_compact_entry() {
    let sent = form(nine());
    let bytes = compact(&sent);
    let back = read(EntryKind::CompactSubmission, &bytes).expect("read");
    assert_eq!(plain_json(&back), plain_json(&sent));
}

#[test]
fn a_compact_entry_says_what_its_decisions_share_once() {
    let sent = form(nine());
    let (compact, plain) = (compact(&sent).len(), plain_json(&sent).len());
    assert!(
        compact * 10 < plain * 7,
        "compact {compact} bytes, plain {plain}"
    );
    let text = String::from_utf8(self::compact(&sent)).expect("utf-8");
    assert_eq!(text.matches("kiosk-7f3a").count(), 1, "{text}");
}

#[test]
fn decisions_that_differ_keep_their_own_values_and_their_order() {
    let mut events = nine();
    // A later decision, one in another language, one without a signature, one of another
    // patient or form (the desk refuses those, but the entry must not change them), and the
    // first shape again after them.
    events[2].recorded_at = "2026-12-02T09:31:00+00:00".into();
    events[3].language = "fr".into();
    events[4].signature_ref = None;
    events[5].submission_id = None;
    events[6].patient_id = "another".into();
    events[7].device_id = "kiosk-other".into();
    let sent = form(events);
    let back = read(EntryKind::CompactSubmission, &compact(&sent)).expect("read");
    assert_eq!(plain_json(&back), plain_json(&sent));
    let no_consents = form(Vec::new());
    let back = read(EntryKind::CompactSubmission, &compact(&no_consents)).expect("read");
    assert_eq!(plain_json(&back), plain_json(&no_consents));
}

#[test]
fn the_earlier_shape_is_still_read() {
    let sent = form(nine());
    let back = read(EntryKind::Submission, plain_json(&sent).as_bytes()).expect("read");
    assert_eq!(plain_json(&back), plain_json(&sent));
    assert!(matches!(
        read(EntryKind::Form, plain_json(&sent).as_bytes()),
        Err(EntryError::NotASubmission(EntryKind::Form))
    ));
    // Each kind is read as its own shape only.
    assert!(read(EntryKind::CompactSubmission, plain_json(&sent).as_bytes()).is_err());
    assert!(read(EntryKind::Submission, &compact(&sent)).is_err());
}

#[test]
fn an_entry_whose_shared_values_would_fill_memory_is_refused() {
    // One long shared value and many short decisions: 200 KB that would become 200 MB.
    let long = "x".repeat(200_000);
    let decisions: Vec<String> = (0..1_000)
        .map(|n| {
            format!(
                r#"{{"id":"{n}","item_id":"i","decision":"granted","text_hash":"h","text_version":"1","language":"en"}}"#
            )
        })
        .collect();
    let mut sent = serde_json::to_value(
        serde_json::from_slice::<serde_json::Value>(&compact(&form(Vec::new()))).expect("json"),
    )
    .expect("value");
    sent["consents"] = serde_json::from_str(&format!(
        r#"[{{"patient_id":"p","submission_id":null,"recorded_at":"{long}","device_id":"d","signature_ref":null,"decisions":[{}]}}]"#,
        decisions.join(",")
    ))
    .expect("group");
    let bytes = serde_json::to_vec(&sent).expect("bytes");
    match read(EntryKind::CompactSubmission, &bytes) {
        Err(EntryError::Expands { would, size }) => {
            assert_eq!(size, bytes.len());
            assert!(would > size * MAX_EXPANSION);
        }
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("expanded"),
    }
}

#[test]
fn many_tiny_decisions_are_weighed_by_what_they_become_not_by_their_bytes() {
    // Each decision written as an array of empty values (serde reads a struct from one), the
    // shared values empty: 29 bytes that become a whole event each.
    let tiny = r#"["","","granted","","",""]"#;
    let entry = |n: usize| {
        let mut value: serde_json::Value =
            serde_json::from_slice(&compact(&form(Vec::new()))).expect("json");
        value["consents"] = serde_json::from_str(&format!(
            r#"[{{"patient_id":"","submission_id":null,"recorded_at":"","device_id":"","signature_ref":null,"decisions":[{}]}}]"#,
            vec![tiny; n].join(",")
        ))
        .expect("group");
        serde_json::to_vec(&value).expect("bytes")
    };
    let bytes = entry(2_000);
    assert!(
        matches!(read(EntryKind::CompactSubmission, &bytes), Err(EntryError::Expands { size, .. }) if size == bytes.len()),
        "2,000 tiny decisions"
    );
    assert!(matches!(
        read(EntryKind::CompactSubmission, &entry(MAX_DECISIONS + 1)),
        Err(EntryError::TooManyDecisions(n)) if n == MAX_DECISIONS + 1
    ));
    // A handful of them in an otherwise ordinary entry is still read.
    assert_eq!(
        read(EntryKind::CompactSubmission, &entry(3))
            .expect("read")
            .consents
            .len(),
        3
    );
}

#[test]
fn a_form_of_very_many_decisions_and_no_answers_is_still_read() {
    let events: Vec<ConsentEvent> = (0..1_000)
        .map(|n| event(n, &format!("photo_use_{n}"), Decision::Refused))
        .collect();
    let mut sent = form(events);
    sent.answers = Answers::default();
    sent.signature = Signature::default();
    let back = read(EntryKind::CompactSubmission, &compact(&sent)).expect("read");
    assert_eq!(plain_json(&back), plain_json(&sent));
}

#[test]
fn an_unknown_field_is_refused() {
    let mut value: serde_json::Value =
        serde_json::from_slice(&compact(&form(nine()))).expect("json");
    value["consents"][0]["extra"] = serde_json::Value::Bool(true);
    let bytes = serde_json::to_vec(&value).expect("bytes");
    assert!(read(EntryKind::CompactSubmission, &bytes).is_err());
}
