//! One submission as an HL7 FHIR R4 (4.0.1) transaction Bundle: a Patient, a
//! QuestionnaireResponse with the patient's signature, and one Consent per consent event.
//!
//! Shape, and why:
//! - `type` is `transaction` and every entry is a conditional create (`ifNoneExist` on the
//!   kiosk's identifier), so a records system can post the Bundle as it is, a returning patient
//!   is not created twice, and sending the same submission again changes nothing. Entries are
//!   linked by `urn:uuid:` fullUrls derived from the kiosk's ids ([`entry_uuid`]): the same
//!   submission always gives the same Bundle.
//! - Identifiers carry the kiosk's pseudonymous ids under [`PATIENT_ID_SYSTEM`],
//!   [`SUBMISSION_ID_SYSTEM`] and [`CONSENT_EVENT_ID_SYSTEM`]; `meta.source` names the kiosk.
//! - Consent status: granted → `active`, refused → `rejected`, withdrawn → `inactive`; the
//!   provision is `permit` only for granted and `deny` otherwise, so neither field read alone can
//!   be taken for a permission the patient did not give.
//! - The exact consent text hash (`sha256:<hex>`, as the kiosk records it) goes in an extension
//!   on the Consent ([`CONSENT_TEXT_HASH_EXTENSION`]), not in `sourceAttachment.hash`: R4 defines
//!   `Attachment.hash` as the base64 SHA-1 of the attachment's data, and the kiosk's hash is a
//!   SHA-256 over version, language, title and text. `sourceAttachment` holds the text itself
//!   (title, language, data) when the form still has the text that hash names — as the form
//!   defines it, the hashed form, so a `{clinic}` placeholder stands for the clinic's name.
//! - Only what the patient gave is written: blank strings, an unparseable date of birth and
//!   unanswered or hidden questions are left out rather than sent empty (R4 forbids empty values).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};

use super::SubmissionView;
use crate::forms::definition::Choice;
use crate::forms::identity::parse_date_of_birth;
use crate::forms::{AnswerValue, ConsentEvent, Decision, Question, tr};

/// Identifier system of the kiosk's pseudonymous patient id (random, 128-bit, clinic-local).
pub const PATIENT_ID_SYSTEM: &str = "urn:intake-kiosk:patient-id";
/// Identifier system of a submission id (the QuestionnaireResponse and the Bundle).
pub const SUBMISSION_ID_SYSTEM: &str = "urn:intake-kiosk:submission-id";
/// Identifier system of a consent event id (one Consent each).
pub const CONSENT_EVENT_ID_SYSTEM: &str = "urn:intake-kiosk:consent-event-id";
/// Extension on Consent: the kiosk's hash of the exact consent text shown (valueString,
/// `sha256:<hex>` over version, language, title and text; see `FormDefinition::consent_text_hash`).
pub const CONSENT_TEXT_HASH_EXTENSION: &str =
    "urn:intake-kiosk:fhir:StructureDefinition:consent-text-hash";
/// Extension on QuestionnaireResponse: the hash of the privacy notice shown (valueString).
pub const NOTICE_HASH_EXTENSION: &str =
    "urn:intake-kiosk:fhir:StructureDefinition:privacy-notice-hash";
/// Extension on QuestionnaireResponse: the content hash of the exact form definition filled.
pub const FORM_HASH_EXTENSION: &str =
    "urn:intake-kiosk:fhir:StructureDefinition:form-definition-hash";
/// HL7's standard extension for a QuestionnaireResponse's signature.
pub const SIGNATURE_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/questionnaireresponse-signature";
const CONSENT_SCOPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const LOINC: &str = "http://loinc.org";
const SIGNATURE_TYPE_SYSTEM: &str = "urn:iso-astm:E1762-95:2013";
const BCP47: &str = "urn:ietf:bcp:47";

/// The Bundle for one submission (see the module documentation for its shape).
pub fn fhir_bundle(view: &SubmissionView) -> Value {
    let patient_url = entry_uuid("Patient", view.patient_id);
    let mut entries = vec![entry(
        &patient_url,
        patient(view),
        "Patient",
        PATIENT_ID_SYSTEM,
        view.patient_id,
    )];
    entries.push(entry(
        &entry_uuid("QuestionnaireResponse", view.submission_id),
        questionnaire_response(view, &patient_url),
        "QuestionnaireResponse",
        SUBMISSION_ID_SYSTEM,
        view.submission_id,
    ));
    for event in view.consents {
        entries.push(entry(
            &entry_uuid("Consent", &event.id),
            consent(view, event, &patient_url),
            "Consent",
            CONSENT_EVENT_ID_SYSTEM,
            &event.id,
        ));
    }
    json!({
        "resourceType": "Bundle",
        "identifier": { "system": SUBMISSION_ID_SYSTEM, "value": view.submission_id },
        "type": "transaction",
        "timestamp": view.submitted_at,
        "entry": entries,
    })
}

/// `urn:uuid:` for a resource of `kind` with the kiosk id `id`: the first 128 bits of
/// SHA-256("intake-kiosk/handoff" ␟ kind ␟ id), marked as an RFC 9562 version 8 UUID.
pub fn entry_uuid(kind: &str, id: &str) -> String {
    let digest = crate::vault::sha256(format!("intake-kiosk/handoff\x1f{kind}\x1f{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A transaction entry that creates `resource` unless one with the same identifier exists.
fn entry(full_url: &str, resource: Value, kind: &str, system: &str, id: &str) -> Value {
    json!({
        "fullUrl": full_url,
        "resource": resource,
        "request": {
            "method": "POST",
            "url": kind,
            "ifNoneExist": format!("identifier={}|{}", percent_encode(system), percent_encode(id)),
        },
    })
}

/// `text` fit for a FHIR string: trimmed, without control characters other than tab and line
/// breaks; `None` when nothing is left.
fn fhir_string(text: &str) -> Option<String> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| clean.to_owned())
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `:`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn reference(url: &str) -> Value {
    json!({ "reference": url })
}

fn string_extension(url: &str, value: &str) -> Value {
    json!({ "url": url, "valueString": value })
}

fn kiosk_meta(kiosk_id: &str) -> Value {
    json!({ "source": format!("urn:intake-kiosk:kiosk:{}", percent_encode(kiosk_id)) })
}

fn patient(view: &SubmissionView) -> Value {
    let who = view.identity;
    let mut patient = Map::new();
    patient.insert("resourceType".into(), json!("Patient"));
    patient.insert(
        "identifier".into(),
        json!([{ "use": "secondary", "system": PATIENT_ID_SYSTEM, "value": view.patient_id }]),
    );
    let mut name = Map::new();
    if let Some(text) = fhir_string(&who.display_name()) {
        name.insert("text".into(), json!(text));
    }
    if let Some(family) = fhir_string(&who.family_name) {
        name.insert("family".into(), json!(family));
    }
    if let Some(given) = fhir_string(&who.given_name) {
        name.insert("given".into(), json!([given]));
    }
    if !name.is_empty() {
        name.insert("use".into(), json!("official"));
        patient.insert("name".into(), json!([name]));
    }
    let telecom: Vec<Value> = [("email", &who.email), ("phone", &who.phone)]
        .into_iter()
        .filter_map(|(system, value)| {
            fhir_string(value).map(|v| json!({ "system": system, "value": v }))
        })
        .collect();
    if !telecom.is_empty() {
        patient.insert("telecom".into(), json!(telecom));
    }
    if let Ok(born) = parse_date_of_birth(&who.date_of_birth) {
        patient.insert("birthDate".into(), json!(born.to_string()));
    }
    if let Some(postcode) = fhir_string(&who.postcode) {
        patient.insert("address".into(), json!([{ "postalCode": postcode }]));
    }
    if let Some(language) = language_code(view.language) {
        patient.insert(
            "communication".into(),
            json!([{
                "language": { "coding": [{ "system": BCP47, "code": language }] },
                "preferred": true,
            }]),
        );
    }
    Value::Object(patient)
}

/// `language` when it can be a FHIR code (no whitespace, not empty).
fn language_code(language: &str) -> Option<&str> {
    (!language.is_empty() && !language.chars().any(char::is_whitespace)).then_some(language)
}

fn questionnaire_response(view: &SubmissionView, patient_url: &str) -> Value {
    let lang = view.language;
    let mut response = Map::new();
    response.insert("resourceType".into(), json!("QuestionnaireResponse"));
    response.insert("meta".into(), kiosk_meta(view.kiosk_id));
    if let Some(code) = language_code(lang) {
        response.insert("language".into(), json!(code));
    }
    let mut extensions = Vec::new();
    if !view.signature.is_empty() {
        extensions.push(signature_extension(view, patient_url));
    }
    if let Some(hash) = fhir_string(view.notice_hash) {
        extensions.push(string_extension(NOTICE_HASH_EXTENSION, &hash));
    }
    extensions.push(string_extension(
        FORM_HASH_EXTENSION,
        &view.form.content_hash(),
    ));
    response.insert("extension".into(), json!(extensions));
    response.insert(
        "identifier".into(),
        json!({ "system": SUBMISSION_ID_SYSTEM, "value": view.submission_id }),
    );
    response.insert("questionnaire".into(), json!(view.form.canonical()));
    let status = if view.amended { "amended" } else { "completed" };
    response.insert("status".into(), json!(status));
    response.insert("subject".into(), reference(patient_url));
    response.insert("authored".into(), json!(view.submitted_at));
    response.insert("author".into(), reference(patient_url));
    response.insert("source".into(), reference(patient_url));
    let form_url = view.form_url();
    let groups: Vec<Value> = view
        .answered_sections()
        .iter()
        .filter_map(|s| {
            let items: Vec<Value> = s
                .answered
                .iter()
                .filter_map(|(q, a)| question_item(&form_url, q, a, lang))
                .collect();
            if items.is_empty() {
                return None;
            }
            let mut group = Map::new();
            group.insert("linkId".into(), json!(s.section.id));
            if let Some(title) = fhir_string(tr(&s.section.title, lang)) {
                group.insert("text".into(), json!(title));
            }
            group.insert("item".into(), json!(items));
            Some(Value::Object(group))
        })
        .collect();
    if !groups.is_empty() {
        response.insert("item".into(), json!(groups));
    }
    Value::Object(response)
}

/// The standard signature extension: the drawn signature as an SVG document.
fn signature_extension(view: &SubmissionView, patient_url: &str) -> Value {
    let svg = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        super::signature_svg(view.signature)
    );
    json!({
        "url": SIGNATURE_EXTENSION,
        "valueSignature": {
            "type": [{
                "system": SIGNATURE_TYPE_SYSTEM,
                "code": "1.2.840.10065.1.12.1.7",
                "display": "Consent Signature",
            }],
            "when": view.submitted_at,
            "who": reference(patient_url),
            "sigFormat": "image/svg+xml",
            "data": BASE64.encode(svg.as_bytes()),
        },
    })
}

/// One answered question; `None` when its answer holds nothing FHIR can carry.
fn question_item(form_url: &str, q: &Question, answer: &AnswerValue, lang: &str) -> Option<Value> {
    let answers: Vec<Value> = match answer {
        AnswerValue::Text(t) => fhir_string(t)
            .map(|t| json!({ "valueString": t }))
            .into_iter()
            .collect(),
        AnswerValue::YesNo(b) => vec![json!({ "valueBoolean": b })],
        AnswerValue::Choice(c) => vec![json!({ "valueCoding": coding(form_url, q, c, lang) })],
        AnswerValue::Choices(cs) => cs
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| json!({ "valueCoding": coding(form_url, q, c, lang) }))
            .collect(),
        AnswerValue::Date(d) => match parse_date_of_birth(d) {
            Ok(date) => vec![json!({ "valueDate": date.to_string() })],
            // Not a date after all (validation should have caught it): kept as typed.
            Err(_) => fhir_string(d)
                .map(|t| json!({ "valueString": t }))
                .into_iter()
                .collect(),
        },
        AnswerValue::Number(n) => number_answer(*n).into_iter().collect(),
    };
    if answers.is_empty() {
        return None;
    }
    let mut item = Map::new();
    item.insert("linkId".into(), json!(q.id));
    if let Some(label) = fhir_string(tr(&q.label, lang)) {
        item.insert("text".into(), json!(label));
    }
    item.insert("answer".into(), json!(answers));
    Some(Value::Object(item))
}

/// Whole numbers as `valueInteger` (while they fit FHIR's 32-bit integer), others as
/// `valueDecimal`; not-a-number and infinities have no FHIR form and are left out.
fn number_answer(n: f64) -> Option<Value> {
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX) {
        // Exact: whole and within i32's range, both checked just above.
        let whole = n as i32;
        return Some(json!({ "valueInteger": whole }));
    }
    Some(json!({ "valueDecimal": n }))
}

/// The coding of choice `choice_id` of `q`: system `<form url>/choices/<question id>`.
fn coding(form_url: &str, q: &Question, choice_id: &str, lang: &str) -> Value {
    let mut coding = Map::new();
    coding.insert(
        "system".into(),
        json!(format!("{form_url}/choices/{}", percent_encode(&q.id))),
    );
    coding.insert("code".into(), json!(choice_id.trim()));
    let display = q
        .choices
        .iter()
        .find(|c: &&Choice| c.id == choice_id)
        .and_then(|c| fhir_string(tr(&c.label, lang)));
    if let Some(display) = display {
        coding.insert("display".into(), json!(display));
    }
    Value::Object(coding)
}

fn consent(view: &SubmissionView, event: &ConsentEvent, patient_url: &str) -> Value {
    let form_url = view.form_url();
    let item = view.form.consents.iter().find(|c| c.id == event.item_id);
    let title = item.and_then(|c| fhir_string(tr(&c.title, &event.language)));
    let (status, provision) = match event.decision {
        Decision::Granted => ("active", "permit"),
        Decision::Refused => ("rejected", "deny"),
        Decision::Withdrawn => ("inactive", "deny"),
    };
    let scope = if event.item_id == crate::forms::TREATMENT_CONSENT {
        ("treatment", "Treatment")
    } else {
        ("patient-privacy", "Privacy Consent")
    };
    let mut consent = Map::new();
    consent.insert("resourceType".into(), json!("Consent"));
    consent.insert("meta".into(), kiosk_meta(&event.device_id));
    if let Some(code) = language_code(&event.language) {
        consent.insert("language".into(), json!(code));
    }
    if let Some(hash) = fhir_string(&event.text_hash) {
        consent.insert(
            "extension".into(),
            json!([string_extension(CONSENT_TEXT_HASH_EXTENSION, &hash)]),
        );
    }
    consent.insert(
        "identifier".into(),
        json!([{ "system": CONSENT_EVENT_ID_SYSTEM, "value": event.id }]),
    );
    consent.insert("status".into(), json!(status));
    consent.insert(
        "scope".into(),
        json!({ "coding": [{ "system": CONSENT_SCOPE_SYSTEM, "code": scope.0, "display": scope.1 }] }),
    );
    consent.insert(
        "category".into(),
        json!([{ "coding": [{ "system": LOINC, "code": "59284-0", "display": "Consent Document" }] }]),
    );
    consent.insert("patient".into(), reference(patient_url));
    if fhir_string(&event.recorded_at).is_some() {
        consent.insert("dateTime".into(), json!(event.recorded_at.trim()));
    }
    consent.insert("performer".into(), json!([reference(patient_url)]));
    // The exact text, when the form still has the text the recorded hash names.
    let mut attachment = Map::new();
    if let Some(code) = language_code(&event.language) {
        attachment.insert("language".into(), json!(code));
    }
    if let Some(item) = item.filter(|c| {
        c.version == event.text_version
            && view.form.consent_text_hash(c, &event.language) == event.text_hash
    }) && let Some(text) = fhir_string(tr(&item.text, &event.language))
    {
        attachment.insert("contentType".into(), json!("text/plain; charset=utf-8"));
        attachment.insert("data".into(), json!(BASE64.encode(text.as_bytes())));
    }
    if let Some(title) = &title {
        attachment.insert("title".into(), json!(title));
    }
    if attachment.contains_key("data") || attachment.contains_key("title") {
        consent.insert("sourceAttachment".into(), Value::Object(attachment));
    }
    let item_id = percent_encode(&event.item_id);
    consent.insert(
        "policy".into(),
        json!([{
            "uri": format!(
                "{form_url}/consent/{item_id}?version={}",
                percent_encode(&event.text_version)
            ),
        }]),
    );
    let mut purpose = Map::new();
    purpose.insert("system".into(), json!(format!("{form_url}/consent")));
    purpose.insert("code".into(), json!(event.item_id));
    if let Some(title) = title {
        purpose.insert("display".into(), json!(title));
    }
    consent.insert(
        "provision".into(),
        json!({ "type": provision, "purpose": [purpose] }),
    );
    Value::Object(consent)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{event, fixture};
    use super::*;

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
        assert_eq!(number_answer(2.5), Some(json!({ "valueDecimal": 2.5 })));
        assert_eq!(number_answer(f64::NAN), None);
        assert_eq!(
            number_answer(1e12),
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
}
