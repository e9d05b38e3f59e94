use super::*;
use crate::forms::{AnswerValue, Answers, ConsentEvent, Decision, PatientIdentity, Signature};
use crate::packing;
use crate::store::SealedRun;
use crate::vault::Opened;
use zeroize::Zeroizing;

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
        packed: Default::default(),
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

/// The compact entry (kind 4, written until session 24) of `s`.
fn compact(s: &ExportedSubmission) -> Vec<u8> {
    let mut out = Vec::new();
    write_compact(s, &mut out).expect("write");
    out
}

/// A value as a kiosk's store keeps it: packed when `packed` (as a long one is), as it is
/// otherwise.
fn stored(json: Vec<u8>, packed: bool) -> Opened {
    if packed {
        let mut out = Vec::new();
        packing::pack_into(&mut out, &json);
        Opened::Packed(Zeroizing::new(out))
    } else {
        Opened::Plain(Zeroizing::new(json))
    }
}

/// `s` as a kiosk's store hands it on: each value and consent run as [`stored`].
fn as_stored(
    s: &ExportedSubmission, packed: bool,
) -> ExportedSubmission<Opened, Opened, Vec<SealedRun>> {
    let runs = consent_runs::runs(&s.consents)
        .map(|run| SealedRun {
            patient_id: run[0].patient_id.clone(),
            submission_id: run[0].submission_id.clone(),
            recorded_at: run[0].recorded_at.clone(),
            value: stored(
                serde_json::to_vec(&RunValue::of(run)).expect("json"),
                packed,
            ),
        })
        .collect();
    ExportedSubmission {
        version: s.version,
        submission_id: s.submission_id.clone(),
        kiosk_patient_id: s.kiosk_patient_id.clone(),
        identity: s.identity.clone(),
        answers: stored(serde_json::to_vec(&s.answers).expect("json"), packed),
        signature: stored(serde_json::to_vec(&s.signature).expect("json"), packed),
        consents: runs,
        form_hash: s.form_hash.clone(),
        notice_hash: s.notice_hash.clone(),
        language: s.language.clone(),
        submitted_at: s.submitted_at.clone(),
        packed: Default::default(),
    }
}

/// The packed entry (kind 5, written until session 38) of `s`.
fn packed_entry(s: &ExportedSubmission, packed: bool) -> Vec<u8> {
    let stored = as_stored(s, packed);
    let mut json = Vec::new();
    compact_json(
        &stored,
        None::<&()>,
        None::<&()>,
        groups(&s.consents),
        &mut json,
    )
    .expect("json");
    let mut out = Vec::new();
    write_json(&json, &mut out);
    write_part(&stored.answers, &mut out);
    write_part(&stored.signature, &mut out);
    out
}

/// The plaintext of a value as stored.
fn plaintext(value: &Opened) -> Vec<u8> {
    match value {
        Opened::Plain(json) => json.to_vec(),
        Opened::Packed(packed) => packing::unpack(packed, 1 << 20).expect("unpacks").to_vec(),
    }
}

/// The runs entry (kind 6, written now) of `s`.
fn runs_entry(s: &ExportedSubmission, packed: bool) -> Vec<u8> {
    let (mut scratch, mut out) = (Vec::new(), Vec::new());
    write(&as_stored(s, packed), &mut scratch, &mut out).expect("write");
    out
}

/// The JSON part of a packed or runs entry, and the rest after it.
fn json_part(entry: &[u8]) -> (Vec<u8>, &[u8]) {
    let len = u32::from_le_bytes(entry[..4].try_into().unwrap()) as usize;
    let json = packing::unpack(&entry[4..4 + len], 1 << 20).expect("unpacks");
    (json.to_vec(), &entry[4 + len..])
}

/// A packed or runs entry of `json` (packed here) followed by `rest`.
fn with_json(json: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_json(json, &mut out);
    out.extend_from_slice(rest);
    out
}

/// A part (see the module) holding `json` as it is.
fn plain_part(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_part(&Opened::Plain(Zeroizing::new(json.to_vec())), &mut out);
    out
}

#[test]
fn a_form_comes_back_the_same_from_its_packed_entry_its_packed_values_kept() {
    let sent = form(nine());
    for packed in [true, false] {
        let bytes = packed_entry(&sent, packed);
        let back = read(EntryKind::PackedSubmission, &bytes).expect("read");
        assert_eq!(plain_json(&back), plain_json(&sent));
        // Kept as the kiosk packed them, and they unpack to the values read.
        let Opened::Packed(answers) = as_stored(&sent, true).answers else {
            unreachable!()
        };
        match (&back.packed.answers, packed) {
            (Some(kept), true) => assert_eq!(kept.as_bytes(), answers.as_slice()),
            (None, false) => {}
            _ => panic!("packed answers kept: {packed}"),
        }
        assert_eq!(back.packed.signature.is_some(), packed);
        // Nothing of the values in the JSON part; a kind read as another is refused.
        assert!(read(EntryKind::CompactSubmission, &bytes).is_err());
        assert!(read(EntryKind::PackedSubmission, &compact(&sent)).is_err());
    }
}

#[test]
fn a_packed_or_runs_entry_cut_short_lengthened_or_bit_flipped_is_refused_without_panic() {
    let sent = form(nine());
    for (kind, bytes, last) in [
        (
            EntryKind::PackedSubmission,
            packed_entry(&sent, true),
            "signature",
        ),
        (
            EntryKind::RunsSubmission,
            runs_entry(&sent, true),
            "consent run",
        ),
    ] {
        for len in 0..bytes.len() {
            assert!(read(kind, &bytes[..len]).is_err(), "{kind:?} cut at {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(read(kind, &longer), Err(EntryError::Framing(part)) if part == last));
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x80;
            // Refused, or (a changed literal) read as other text: never a panic.
            let _ = read(kind, &bad);
        }
    }
}

#[test]
fn a_packed_entry_with_its_values_also_in_the_json_or_declaring_too_much_is_refused() {
    let sent = form(nine());
    // The values inside the JSON part as well.
    let out = packed_entry(&sent, true);
    let mut json = Vec::new();
    write_compact(&sent, &mut json).expect("json");
    let mut doubled = Vec::new();
    let mut packed_json = Vec::new();
    packing::pack_into(&mut packed_json, &json);
    doubled.extend_from_slice(&u32::try_from(packed_json.len()).unwrap().to_le_bytes());
    doubled.extend_from_slice(&packed_json);
    let first_len = u32::from_le_bytes(out[..4].try_into().unwrap()) as usize;
    doubled.extend_from_slice(&out[4 + first_len..]);
    assert!(matches!(
        read(EntryKind::PackedSubmission, &doubled),
        Err(EntryError::Misplaced(_))
    ));
    // Answers declaring more than an entry may hold: refused before they are unpacked.
    let mut bomb = out[..4 + first_len].to_vec();
    let mut claim = u32::try_from(MAX_ENTRY_PLAINTEXT)
        .unwrap()
        .to_le_bytes()
        .to_vec();
    claim.extend_from_slice(&[0x1f, b'a', 0xff, 0xff, 0xff]);
    bomb.push(2);
    bomb.extend_from_slice(&u32::try_from(claim.len()).unwrap().to_le_bytes());
    bomb.extend_from_slice(&claim);
    assert!(matches!(
        read(EntryKind::PackedSubmission, &bomb),
        Err(EntryError::Unpack("answers"))
    ));
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

#[test]
fn a_form_comes_back_the_same_from_its_runs_entry_every_value_kept_as_the_kiosk_sealed_it() {
    let mut varied = nine();
    // A second run (a later time) and a third (no signature): each its own value.
    varied[4].recorded_at = "2026-12-02T09:31:00+00:00".into();
    varied[7].signature_ref = None;
    for sent in [form(nine()), form(varied), form(Vec::new())] {
        for packed in [true, false] {
            let bytes = runs_entry(&sent, packed);
            let back = read(EntryKind::RunsSubmission, &bytes).expect("read");
            assert_eq!(plain_json(&back), plain_json(&sent));
            let stored = as_stored(&sent, packed);
            assert_eq!(back.packed.runs.len(), stored.consents.len());
            for (kept, run) in back.packed.runs.iter().zip(&stored.consents) {
                let value: RunValue<String> =
                    serde_json::from_slice(&plaintext(&run.value)).expect("value");
                assert_eq!(kept.decisions, value.decisions.len());
                match (&kept.packed, &run.value) {
                    (Some(kept), Opened::Packed(bytes)) => {
                        assert_eq!(kept.as_bytes(), bytes.as_slice())
                    }
                    (None, Opened::Plain(_)) => {}
                    _ => panic!("kept as it came: packed {packed}"),
                }
            }
            assert_eq!(back.packed.answers.is_some(), packed);
            // Each kind is read as its own shape only (without decisions, the two are the same).
            if !sent.consents.is_empty() {
                assert!(read(EntryKind::PackedSubmission, &bytes).is_err());
                assert!(read(EntryKind::RunsSubmission, &packed_entry(&sent, packed)).is_err());
            }
        }
    }
}

#[test]
fn a_run_of_no_decisions_an_unknown_field_or_a_run_declaring_too_much_is_refused() {
    let sent = form(nine());
    let bytes = runs_entry(&sent, false);
    let (json, rest) = json_part(&bytes);
    // The answers and signature parts, then the one run's value.
    let answers_end = 1 + 4 + u32::from_le_bytes(rest[1..5].try_into().unwrap()) as usize;
    let signature_end = answers_end
        + 1
        + 4
        + u32::from_le_bytes(rest[answers_end + 1..answers_end + 5].try_into().unwrap()) as usize;
    let values = &rest[..signature_end];
    let with_run = |run: &[u8]| with_json(&json, &[values, run].concat());
    // As written, read.
    let run = serde_json::to_vec(&RunValue::of(&sent.consents)).expect("json");
    assert!(read(EntryKind::RunsSubmission, &with_run(&plain_part(&run))).is_ok());
    // No decisions.
    let empty = br#"{"device_id":"d","signature_ref":null,"decisions":[]}"#;
    assert!(matches!(
        read(EntryKind::RunsSubmission, &with_run(&plain_part(empty))),
        Err(EntryError::EmptyRun)
    ));
    // A field the value does not have.
    let mut value: serde_json::Value = serde_json::from_slice(&run).expect("value");
    value["extra"] = serde_json::Value::Bool(true);
    let extra = serde_json::to_vec(&value).expect("json");
    assert!(matches!(
        read(EntryKind::RunsSubmission, &with_run(&plain_part(&extra))),
        Err(EntryError::Json(_))
    ));
    // The JSON listing a run with no value after it.
    assert!(matches!(
        read(EntryKind::RunsSubmission, &with_run(&[])),
        Err(EntryError::Framing("consent run"))
    ));
    // A packed value declaring more than an entry may hold: refused before it is unpacked.
    let mut claim = u32::try_from(MAX_ENTRY_PLAINTEXT)
        .unwrap()
        .to_le_bytes()
        .to_vec();
    claim.extend_from_slice(&[0x1f, b'a', 0xff, 0xff, 0xff]);
    let mut bomb = vec![PART_PACKED];
    bomb.extend_from_slice(&u32::try_from(claim.len()).unwrap().to_le_bytes());
    bomb.extend_from_slice(&claim);
    assert!(matches!(
        read(EntryKind::RunsSubmission, &with_run(&bomb)),
        Err(EntryError::Unpack("consent run"))
    ));
}

#[test]
fn a_runs_entry_whose_decisions_would_fill_memory_is_refused() {
    // One long time in the JSON, shared by many short decisions in the run's value.
    let long = "x".repeat(200_000);
    let mut sent = form(Vec::new());
    let mut events = nine();
    for e in &mut events {
        e.recorded_at = long.clone();
    }
    let tiny: Vec<ConsentEvent> = (0..1_000)
        .map(|n| {
            let mut e = events[0].clone();
            e.id = n.to_string();
            e.item_id = "i".into();
            e.text_hash = "h".into();
            e.text_version = "1".into();
            e
        })
        .collect();
    sent.consents = tiny;
    let bytes = runs_entry(&sent, true);
    match read(EntryKind::RunsSubmission, &bytes) {
        Err(EntryError::Expands { would, size }) => assert!(would > size * MAX_EXPANSION),
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("expanded"),
    }
}

#[test]
fn text_that_is_not_utf8_is_refused_and_every_script_is_read() {
    let mut sent = form(nine());
    sent.identity.given_name = "Zoë 李 محمد 👩🏽\u{200d}⚕️".into();
    sent.answers
        .set("allergies_detail", AnswerValue::Text("Ærø — 花粉".into()));
    let entry = runs_entry(&sent, false);
    let back = read(EntryKind::RunsSubmission, &entry).expect("read");
    assert_eq!(plain_json(&back), plain_json(&sent));

    // A byte of the name in the JSON part made one UTF-8 never holds.
    let (json, rest) = json_part(&entry);
    let at = json
        .windows(3)
        .position(|w| w == b"Zo\xc3")
        .expect("the name");
    let mut bad = json.clone();
    bad[at + 1] = 0xff;
    assert!(matches!(
        read(EntryKind::RunsSubmission, &with_json(&bad, rest)),
        Err(EntryError::NotUtf8)
    ));
    // The answers part (kept as it is, not packed) likewise.
    let answers_len = u32::from_le_bytes(rest[1..5].try_into().unwrap()) as usize;
    let mut after_answers = plain_part(b"{\"allergies_detail\":{\"text\":\"\xe8\x8a\"}}");
    after_answers.extend_from_slice(&rest[5 + answers_len..]);
    assert!(matches!(
        read(EntryKind::RunsSubmission, &with_json(&json, &after_answers)),
        Err(EntryError::NotUtf8)
    ));
}
