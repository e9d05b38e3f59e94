//! The Bundle's shape, checked field by field on a realistic submission of the built-in form.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;

use super::resources::number_answer;
use super::*;
use crate::forms::{Decision, tr};
use crate::handoff::test_support::{event, fixture};

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn items(response: &Value) -> Vec<&Value> {
    response["item"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["item"].as_array().expect("items"))
        .collect()
}

#[test]
fn link_ids_are_the_definitions_question_ids() {
    let f = fixture();
    let bundle = fhir_bundle(&f.view());
    let response = resources(&bundle, "QuestionnaireResponse")[0];
    let section_ids: Vec<&str> = f.form.sections.iter().map(|s| s.id.as_str()).collect();
    for group in response["item"].as_array().expect("groups") {
        let id = group["linkId"].as_str().expect("group linkId");
        assert!(section_ids.contains(&id), "{id}");
    }
    let link_ids: Vec<&str> = items(response)
        .iter()
        .map(|i| i["linkId"].as_str().expect("linkId"))
        .collect();
    for id in &link_ids {
        assert!(f.form.questions().any(|q| q.id == *id), "{id}");
    }
    assert_eq!(link_ids.len(), 8);
    assert!(!link_ids.contains(&"conditions_detail"), "hidden");
    assert!(!link_ids.contains(&"medications"), "blank");
    assert!(
        !link_ids.contains(&"given_name"),
        "identity goes to Patient"
    );
    assert_eq!(response["questionnaire"], f.form.canonical());
    assert_eq!(response["language"], "fr");
}

#[test]
fn answers_are_typed_and_localised() {
    let f = fixture();
    let bundle = fhir_bundle(&f.view());
    let response = resources(&bundle, "QuestionnaireResponse")[0];
    let item = |id: &str| {
        items(response)
            .into_iter()
            .find(|i| i["linkId"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    assert_eq!(
        item("pregnant")["answer"],
        json!([{ "valueBoolean": false }])
    );
    assert_eq!(item("stress")["answer"], json!([{ "valueInteger": 7 }]));
    assert_eq!(
        item("allergies_detail")["answer"][0]["valueString"],
        "Pénicilline\nLatex"
    );
    let smoking = item("smoking");
    let coding = &smoking["answer"][0]["valueCoding"];
    assert_eq!(
        coding["system"],
        "urn:intake-kiosk:form:aesthetic-intake/choices/smoking"
    );
    assert_eq!(coding["code"], "sometimes");
    let q = f.form.questions().find(|q| q.id == "smoking").expect("q");
    assert_eq!(coding["display"], tr(&q.choices[1].label, "fr"));
    assert_eq!(smoking["text"], tr(&q.label, "fr"));
    let skin = item("skin_conditions");
    let codes: Vec<&str> = skin["answer"]
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| a["valueCoding"]["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["acne", "rosacea"]);
    let number = |n: f64| number_answer(n).map(|a| serde_json::to_value(a).expect("json"));
    assert_eq!(number(2.5), Some(json!({ "valueDecimal": 2.5 })));
    assert_eq!(number(f64::NAN), None);
    assert_eq!(
        number(1e12),
        Some(json!({ "valueDecimal": 1e12 })),
        "too big for FHIR's integer"
    );
}

#[test]
fn every_consent_event_yields_one_consent() {
    let f = fixture();
    let bundle = fhir_bundle(&f.view());
    let consents = resources(&bundle, "Consent");
    assert_eq!(consents.len(), f.consents.len());
    let expect = [
        ("treatment", "active", "permit", "treatment"),
        ("marketing_email", "rejected", "deny", "patient-privacy"),
        ("photo_clinical", "active", "permit", "patient-privacy"),
        ("marketing_sms", "inactive", "deny", "patient-privacy"),
    ];
    for ((event, consent), (item, status, provision, scope)) in
        f.consents.iter().zip(&consents).zip(expect)
    {
        assert_eq!(event.item_id, item);
        assert_eq!(consent["status"], status, "{item}");
        assert_eq!(consent["provision"]["type"], provision, "{item}");
        assert_eq!(consent["provision"]["purpose"][0]["code"], item);
        assert_eq!(consent["scope"]["coding"][0]["code"], scope, "{item}");
        assert_eq!(consent["identifier"][0]["value"], event.id.as_str());
        assert_eq!(consent["dateTime"], event.recorded_at.as_str());
        assert_eq!(
            consent["policy"][0]["uri"],
            format!("urn:intake-kiosk:form:aesthetic-intake/consent/{item}?version=1")
        );
        assert_eq!(consent["extension"][0]["url"], CONSENT_TEXT_HASH_EXTENSION);
        assert_eq!(
            consent["extension"][0]["valueString"],
            event.text_hash.as_str()
        );
        let text = BASE64
            .decode(
                consent["sourceAttachment"]["data"]
                    .as_str()
                    .expect("text attached"),
            )
            .expect("base64");
        let shown = f.form.consents.iter().find(|c| c.id == item).expect("item");
        assert_eq!(String::from_utf8(text).expect("utf-8"), shown.text["fr"]);
    }
}

#[test]
fn text_not_matching_the_hash_is_not_attached() {
    let mut f = fixture();
    let mut stale = event(&f.form, "photo_social", Decision::Granted, 9);
    stale.text_hash = "sha256:00".into();
    f.consents = vec![stale];
    let bundle = fhir_bundle(&f.view());
    let consent = resources(&bundle, "Consent")[0];
    assert!(consent["sourceAttachment"].get("data").is_none());
    assert_eq!(consent["extension"][0]["valueString"], "sha256:00");
}

#[test]
fn patient_signature_and_links() {
    let f = fixture();
    let bundle = fhir_bundle(&f.view());
    assert_eq!(bundle["type"], "transaction");
    let patient = resources(&bundle, "Patient")[0];
    assert_eq!(patient["identifier"][0]["system"], PATIENT_ID_SYSTEM);
    assert_eq!(patient["birthDate"], "1990-04-12");
    assert_eq!(patient["name"][0]["given"][0], "Zoé");
    assert_eq!(patient["address"][0]["postalCode"], "75011");
    assert_eq!(patient["telecom"][1]["value"], "+33 6 12 34 56 78");
    let patient_url = bundle["entry"][0]["fullUrl"].as_str().expect("fullUrl");
    assert_eq!(patient_url, entry_uuid("Patient", f.view().patient_id));
    let response = resources(&bundle, "QuestionnaireResponse")[0];
    assert_eq!(response["subject"]["reference"], patient_url);
    let sig = &response["extension"][0];
    assert_eq!(sig["url"], SIGNATURE_EXTENSION);
    assert_eq!(sig["valueSignature"]["who"]["reference"], patient_url);
    let svg = BASE64
        .decode(sig["valueSignature"]["data"].as_str().expect("data"))
        .expect("base64");
    let svg = String::from_utf8(svg).expect("utf-8");
    assert!(svg.starts_with("<?xml"), "{svg}");
    assert!(svg.contains("d=\"M 10 150 L 11 151"), "{svg}");
    let mut urls: Vec<&str> = bundle["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["fullUrl"].as_str().expect("fullUrl"))
        .collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls.len(), 2 + f.consents.len(), "distinct fullUrls");
    assert_eq!(fhir_bundle(&f.view()), bundle, "deterministic");
}

#[test]
fn empty_identity_fields_are_left_out() {
    let mut f = fixture();
    f.identity.email = " ".into();
    f.identity.phone.clear();
    f.identity.date_of_birth = "12/04/1990".into();
    f.signature.svg_path.clear();
    let bundle = fhir_bundle(&f.view());
    let patient = resources(&bundle, "Patient")[0];
    assert!(patient.get("telecom").is_none());
    assert!(patient.get("birthDate").is_none());
    let response = resources(&bundle, "QuestionnaireResponse")[0];
    assert!(
        response["extension"]
            .as_array()
            .expect("extensions")
            .iter()
            .all(|e| e["url"] != SIGNATURE_EXTENSION)
    );
}

#[test]
fn uuids_are_well_formed_and_distinct() {
    let a = entry_uuid("Patient", "x");
    assert_ne!(a, entry_uuid("Consent", "x"));
    assert_eq!(a.len(), "urn:uuid:".len() + 36);
    assert_eq!(&a["urn:uuid:".len() + 14..][..1], "8", "version 8");
    assert_eq!(percent_encode("a b|c/é"), "a%20b%7Cc%2F%C3%A9");
}

#[test]
fn written_bundle_is_the_value_bundle_byte_for_byte() {
    // The structs list their fields in the order a `Value` object sorts its keys: the bytes
    // written straight from them are those of the Bundle as a tree.
    let mut f = fixture();
    let mut stale = event(&f.form, "photo_social", Decision::Granted, 9);
    stale.text_hash = "sha256:00".into();
    f.consents.push(stale);
    f.answers
        .set("stress", crate::forms::AnswerValue::Number(2.5));
    for language in ["fr", "en", "ar", "xx", ""] {
        let mut view = f.view();
        view.language = language;
        let mut written = Vec::new();
        write_fhir_bundle(&view, &FormFacts::of(view.form), &mut written).expect("written");
        let tree = serde_json::to_vec(&fhir_bundle(&view)).expect("serialised");
        assert_eq!(
            String::from_utf8(written).expect("utf-8"),
            String::from_utf8(tree).expect("utf-8"),
            "{language}"
        );
    }
}
