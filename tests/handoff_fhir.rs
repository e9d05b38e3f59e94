//! The FHIR hand-off checked against HL7's R4 JSON schema (`tests/fixtures/fhir/fhir.schema.json`,
//! CC0; see the README there), offline, with the `jsonschema` crate: a realistic submission of the
//! built-in form in every language is valid R4, and every deliberately broken variant in
//! `fixtures/fhir/must_fail.json` is rejected, so the check can fail.
//!
//! The schema is compiled once per test binary (about a second in a debug build).

use std::collections::BTreeSet;
use std::sync::LazyLock;
use std::time::Instant;

use intake_kiosk::forms::{
    AnswerValue, Answers, ConsentEvent, Decision, FormDefinition, PatientIdentity, Question,
    Signature,
};
use intake_kiosk::handoff::{SubmissionView, fhir_bundle};
use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

const SCHEMA: &str = include_str!("fixtures/fhir/fhir.schema.json");
const MUST_FAIL: &str = include_str!("fixtures/fhir/must_fail.json");

fn schema_json() -> Value {
    serde_json::from_str(SCHEMA).expect("the R4 schema parses")
}

/// The whole R4 schema: any resource, checked against its `resourceType`'s definition.
static FHIR_R4: LazyLock<Validator> = LazyLock::new(|| {
    let started = Instant::now();
    let validator = jsonschema::options()
        .with_draft(Draft::Draft6)
        .build(&schema_json())
        .expect("the R4 schema compiles");
    eprintln!("R4 JSON schema compiled in {:.2?}", started.elapsed());
    validator
});

/// Why `resource` fails: the whole schema's `oneOf` only says "none matched", so on failure the
/// resource (and each entry of a Bundle) is checked again against its own type's definition.
fn explain(resource: &Value) -> String {
    let mut out = String::new();
    let mut targets = vec![resource];
    if let Some(entries) = resource["entry"].as_array() {
        targets.extend(entries.iter().map(|e| &e["resource"]));
    }
    for target in targets {
        let kind = target["resourceType"].as_str().unwrap_or("?");
        let mut schema = schema_json();
        schema["oneOf"] = json!([{ "$ref": format!("#/definitions/{kind}") }]);
        let Ok(one_type) = jsonschema::options()
            .with_draft(Draft::Draft6)
            .build(&schema)
        else {
            out.push_str(&format!("\n{kind}: not an R4 resource type"));
            continue;
        };
        for error in one_type.iter_errors(target).take(8) {
            out.push_str(&format!("\n{kind} at {}: {error}", error.instance_path()));
        }
    }
    out
}

fn assert_valid_r4(resource: &Value) {
    assert!(
        FHIR_R4.is_valid(resource),
        "not valid FHIR R4:{}",
        explain(resource)
    );
}

/// What R4 requires and the JSON schema cannot say: every QuestionnaireResponse item has a
/// linkId (a primitive, which JSON may also carry as `_linkId`), and every reference names an
/// entry of the Bundle (fullUrls unique). Returns the first problem.
fn our_checks(bundle: &Value) -> Result<(), String> {
    let entries = bundle["entry"].as_array().ok_or("no entries")?;
    let mut full_urls = BTreeSet::new();
    for e in entries {
        let url = e["fullUrl"].as_str().ok_or("entry without fullUrl")?;
        if !url.starts_with("urn:uuid:") || !full_urls.insert(url) {
            return Err(format!("bad or repeated fullUrl {url}"));
        }
        if e["request"]["url"] != e["resource"]["resourceType"] {
            return Err(format!("request.url of {url} is not its resource type"));
        }
    }
    fn walk(value: &Value, full_urls: &BTreeSet<&str>) -> Result<(), String> {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("reference")
                    && !full_urls.contains(r.as_str())
                {
                    return Err(format!("reference {r} resolves to no entry"));
                }
                if let Some(Value::Array(items)) = map.get("item") {
                    for item in items {
                        if item["linkId"].as_str().is_none_or(str::is_empty) {
                            return Err(format!("item without linkId: {item}"));
                        }
                    }
                }
                map.values().try_for_each(|v| walk(v, full_urls))
            }
            Value::Array(values) => values.iter().try_for_each(|v| walk(v, full_urls)),
            _ => Ok(()),
        }
    }
    walk(bundle, &full_urls)
}

struct Submission {
    form: FormDefinition,
    identity: PatientIdentity,
    answers: Answers,
    signature: Signature,
    consents: Vec<ConsentEvent>,
    notice_hash: String,
    language: String,
}

impl Submission {
    fn view(&self) -> SubmissionView<'_> {
        SubmissionView {
            submission_id: "9d2c6e0b4a8f41d7b3e5c1a09f7d6b52",
            patient_id: "3a7f0c9e1b5d48e2a6c4f0b8d2e1a937",
            kiosk_id: "Treatment room 2",
            submitted_at: "2026-11-23T10:15:30.123456789+00:00",
            language: &self.language,
            identity: &self.identity,
            answers: &self.answers,
            signature: &self.signature,
            consents: &self.consents,
            form: &self.form,
            notice_hash: &self.notice_hash,
            amended: false,
        }
    }
}

/// The built-in form plus a date and a decimal question (the built-in one asks for no date but
/// the birth date, which goes to the Patient), filled in completely in `language`.
fn submission(language: &str) -> Submission {
    let mut form = FormDefinition::built_in();
    let extra: Vec<Question> = serde_json::from_value(json!([
        { "id": "last_treatment_on", "kind": "date",
          "label": { "en": "Date of your last treatment", "fr": "Date de votre dernier soin" } },
        { "id": "weight_kg", "kind": "number", "min": 20, "max": 300,
          "label": { "en": "Weight (kg)", "fr": "Poids (kg)" } }
    ]))
    .expect("extra questions");
    form.sections
        .iter_mut()
        .find(|s| s.id == "medical")
        .expect("medical section")
        .questions
        .extend(extra);

    let mut identity = PatientIdentity::default();
    identity.given_name = "Ana María".into();
    identity.family_name = "Núñez-O'Neill".into();
    identity.date_of_birth = "1988-02-29".into();
    identity.postcode = "SW1A 1AA".into();
    identity.email = "ana@example.org".into();
    identity.phone = "+44 20 7946 0958".into();

    let mut answers = Answers::default();
    answers.set("conditions_any", AnswerValue::YesNo(true));
    answers.set(
        "conditions_detail",
        AnswerValue::Text("Type 1 diabetes\n<controlled> & stable".into()),
    );
    answers.set(
        "skin_conditions",
        AnswerValue::Choices(vec!["eczema".into(), "cold_sores".into()]),
    );
    answers.set("pregnant", AnswerValue::YesNo(false));
    answers.set("past_treatments", AnswerValue::Text("Botox 2025".into()));
    answers.set("last_treatment_on", AnswerValue::Date("2025-09-01".into()));
    answers.set("weight_kg", AnswerValue::Number(63.5));
    answers.set("allergies_any", AnswerValue::YesNo(false));
    answers.set(
        "medications",
        AnswerValue::Text("Isotretinoin 20 mg".into()),
    );
    answers.set("smoking", AnswerValue::Choice("never".into()));
    answers.set("alcohol", AnswerValue::Choice("sometimes".into()));
    answers.set("sun_exposure", AnswerValue::Choice("daily".into()));
    answers.set("stress", AnswerValue::Number(4.0));
    answers.set("gp_name", AnswerValue::Text("Dr Patel".into()));
    answers.set("gp_practice", AnswerValue::Text("Marylebone Health".into()));

    let signature = Signature {
        svg_path: "M 20 150 L 21 151 L 60 90 L 110 160 L 170 80 M 200 120 L 201 121".into(),
    };
    let decisions = [
        ("treatment", Decision::Granted),
        ("marketing_email", Decision::Granted),
        ("marketing_sms", Decision::Refused),
        ("marketing_whatsapp", Decision::Refused),
        ("photo_clinical", Decision::Granted),
        ("photo_website", Decision::Refused),
        ("photo_social", Decision::Refused),
        ("photo_print", Decision::Refused),
        // Withdrawn later at the desk: a new event, the earlier grant stays in the ledger.
        ("marketing_email", Decision::Withdrawn),
    ];
    let consents = decisions
        .iter()
        .enumerate()
        .map(|(n, (item, decision))| {
            let shown = form
                .consents
                .iter()
                .find(|c| c.id == *item)
                .expect("built-in item");
            ConsentEvent {
                id: format!("c0ffee{n:02}"),
                patient_id: "3a7f0c9e1b5d48e2a6c4f0b8d2e1a937".into(),
                submission_id: Some("9d2c6e0b4a8f41d7b3e5c1a09f7d6b52".into()),
                item_id: (*item).into(),
                decision: *decision,
                text_hash: form.consent_text_hash(shown, language),
                text_version: shown.version.clone(),
                language: language.into(),
                recorded_at: format!("2026-11-23T10:15:{:02}+00:00", 10 + n),
                device_id: "Treatment room 2".into(),
                signature_ref: Some("9d2c6e0b4a8f41d7b3e5c1a09f7d6b52".into()),
            }
        })
        .collect();
    let notice_hash = form.notice_hash(language);
    Submission {
        form,
        identity,
        answers,
        signature,
        consents,
        notice_hash,
        language: language.into(),
    }
}

#[test]
fn bundle_of_a_full_submission_is_valid_r4_in_every_language() {
    for language in ["en", "fr", "es", "de", "pl", "ro", "pt", "ar"] {
        let s = submission(language);
        let bundle = fhir_bundle(&s.view());
        let started = Instant::now();
        assert_valid_r4(&bundle);
        for entry in bundle["entry"].as_array().expect("entries") {
            assert_valid_r4(&entry["resource"]);
        }
        eprintln!("{language}: bundle validated in {:.2?}", started.elapsed());
        our_checks(&bundle).unwrap_or_else(|e| panic!("{language}: {e}"));

        // Every answer kind made it, typed.
        let response = &bundle["entry"][1]["resource"];
        let answers: Vec<&Value> = response["item"]
            .as_array()
            .expect("groups")
            .iter()
            .flat_map(|g| g["item"].as_array().expect("items"))
            .flat_map(|i| i["answer"].as_array().expect("answers"))
            .collect();
        for kind in [
            "valueString",
            "valueBoolean",
            "valueCoding",
            "valueDate",
            "valueDecimal",
            "valueInteger",
        ] {
            assert!(
                answers.iter().any(|a| a.get(kind).is_some()),
                "{language}: no {kind}"
            );
        }
        let consents = bundle["entry"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Consent")
            .count();
        assert_eq!(
            consents,
            s.consents.len(),
            "{language}: one Consent per event"
        );
    }
}

#[test]
fn a_minimal_submission_is_valid_r4_too() {
    // Nothing optional: no contact details, no signature, no answers, no consents.
    let mut s = submission("en");
    s.identity.email.clear();
    s.identity.phone.clear();
    s.answers.clear();
    s.signature.svg_path.clear();
    s.consents.clear();
    let bundle = fhir_bundle(&s.view());
    assert_valid_r4(&bundle);
    our_checks(&bundle).expect("invariants");
    assert!(bundle["entry"][1]["resource"].get("item").is_none());
}

#[test]
fn every_broken_variant_is_rejected() {
    let valid = fhir_bundle(&submission("fr").view());
    assert_valid_r4(&valid);
    our_checks(&valid).expect("the unbroken bundle passes our checks");
    let cases: Vec<Value> = serde_json::from_str(MUST_FAIL).expect("must_fail.json parses");
    assert!(cases.len() >= 10);
    for case in &cases {
        let why = case["why"].as_str().expect("why");
        let pointer = case["pointer"].as_str().expect("pointer");
        let mut broken = valid.clone();
        let (parent, key) = pointer.rsplit_once('/').expect("pointer with a parent");
        let target = broken
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("{pointer} no longer points into the bundle ({why})"));
        if case["remove"] == true {
            let removed = target.as_object_mut().and_then(|o| o.remove(key));
            assert!(removed.is_some(), "{pointer}: nothing to remove ({why})");
        } else {
            let object = target.as_object_mut().expect("object");
            object.insert(key.to_owned(), case["set"].clone());
        }
        assert_ne!(broken, valid, "{why}: nothing changed");
        if case["check"] == "ours" {
            assert!(
                FHIR_R4.is_valid(&broken),
                "{why}: the schema now catches this; drop \"check\": \"ours\""
            );
            assert!(our_checks(&broken).is_err(), "accepted: {why}");
        } else {
            assert!(!FHIR_R4.is_valid(&broken), "accepted by the schema: {why}");
        }
    }
}
