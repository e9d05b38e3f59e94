//! The R4 resources of a hand-off Bundle as typed values, and how each is filled from a
//! submission. They are serialised straight to JSON: no `serde_json::Value` tree is built.
//!
//! Invariant: every struct lists its fields in the byte order of their JSON names. A
//! `serde_json::Value` object keeps its keys sorted, so the bytes written here are those of the
//! Bundle as a `Value` (`fhir_bundle`), whichever way a caller takes it.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;

use super::{
    CONSENT_EVENT_ID_SYSTEM, CONSENT_TEXT_HASH_EXTENSION, FORM_HASH_EXTENSION, FormFacts,
    NOTICE_HASH_EXTENSION, PATIENT_ID_SYSTEM, SIGNATURE_EXTENSION, SUBMISSION_ID_SYSTEM,
    fhir_string, language_code, percent_encode,
};
use crate::forms::identity::parse_date_of_birth;
use crate::forms::{AnswerValue, ConsentEvent, Decision, Question, tr};
use crate::handoff::SubmissionView;

const CONSENT_SCOPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const LOINC: &str = "http://loinc.org";
const SIGNATURE_TYPE_SYSTEM: &str = "urn:iso-astm:E1762-95:2013";
const BCP47: &str = "urn:ietf:bcp:47";

type Text<'a> = Cow<'a, str>;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Bundle<'a> {
    pub entry: Vec<Entry<'a>>,
    pub identifier: Identifier<'a>,
    pub resource_type: &'static str,
    pub timestamp: &'a str,
    pub r#type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Entry<'a> {
    pub full_url: String,
    pub request: Request,
    pub resource: Resource<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Request {
    pub if_none_exist: String,
    pub method: &'static str,
    pub url: &'static str,
}

#[derive(Serialize)]
#[serde(untagged)]
/// Boxed: the variants differ in size by hundreds of bytes, and entries travel in vectors.
pub(super) enum Resource<'a> {
    Patient(Box<Patient<'a>>),
    QuestionnaireResponse(Box<QuestionnaireResponse<'a>>),
    Consent(Box<Consent<'a>>),
}

#[derive(Serialize)]
pub(super) struct Identifier<'a> {
    pub system: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#use: Option<&'static str>,
    pub value: &'a str,
}

#[derive(Serialize)]
struct Reference<'a> {
    reference: &'a str,
}

#[derive(Serialize)]
struct Meta {
    source: String,
}

fn kiosk_meta(kiosk_id: &str) -> Meta {
    Meta {
        source: format!("urn:intake-kiosk:kiosk:{}", percent_encode(kiosk_id)),
    }
}

#[derive(Debug, PartialEq, Serialize)]
pub(super) struct Coding<'a> {
    code: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<Text<'a>>,
    system: Text<'a>,
}

#[derive(Serialize)]
struct CodeableConcept<'a> {
    coding: [Coding<'a>; 1],
}

fn concept(
    system: &'static str, code: &'static str, display: &'static str,
) -> CodeableConcept<'static> {
    CodeableConcept {
        coding: [Coding {
            code: code.into(),
            display: Some(display.into()),
            system: system.into(),
        }],
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Extension<'a> {
    url: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_signature: Option<SignatureValue<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_string: Option<Text<'a>>,
}

fn string_extension<'a>(url: &'static str, value: Text<'a>) -> Extension<'a> {
    Extension {
        url,
        value_signature: None,
        value_string: Some(value),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignatureValue<'a> {
    data: String,
    sig_format: &'static str,
    r#type: [Coding<'static>; 1],
    when: &'a str,
    who: Reference<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Patient<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<[PostalCode<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    communication: Option<[Communication<'a>; 1]>,
    identifier: [Identifier<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<[HumanName<'a>; 1]>,
    resource_type: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    telecom: Vec<ContactPoint<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostalCode<'a> {
    postal_code: Text<'a>,
}

#[derive(Serialize)]
struct Communication<'a> {
    language: CodeableConcept<'a>,
    preferred: bool,
}

#[derive(Serialize)]
struct HumanName<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    family: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    given: Option<[Text<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    r#use: &'static str,
}

#[derive(Serialize)]
struct ContactPoint<'a> {
    system: &'static str,
    value: Text<'a>,
}

pub(super) fn patient<'a>(view: &SubmissionView<'a>) -> Patient<'a> {
    let who = view.identity;
    let name = HumanName {
        family: fhir_string(&who.family_name),
        given: fhir_string(&who.given_name).map(|given| [given]),
        text: fhir_string(&who.display_name()).map(Cow::into_owned),
        r#use: "official",
    };
    let has_name = name.family.is_some() || name.given.is_some() || name.text.is_some();
    Patient {
        address: fhir_string(&who.postcode).map(|postal_code| [PostalCode { postal_code }]),
        birth_date: parse_date_of_birth(&who.date_of_birth)
            .ok()
            .map(|born| born.to_string()),
        communication: language_code(view.language).map(|code| {
            [Communication {
                language: CodeableConcept {
                    coding: [Coding {
                        code: code.into(),
                        display: None,
                        system: BCP47.into(),
                    }],
                },
                preferred: true,
            }]
        }),
        identifier: [Identifier {
            system: PATIENT_ID_SYSTEM,
            r#use: Some("secondary"),
            value: view.patient_id,
        }],
        name: has_name.then_some([name]),
        resource_type: "Patient",
        telecom: [("email", &who.email), ("phone", &who.phone)]
            .into_iter()
            .filter_map(|(system, value)| {
                fhir_string(value).map(|value| ContactPoint { system, value })
            })
            .collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct QuestionnaireResponse<'a> {
    author: Reference<'a>,
    authored: &'a str,
    extension: Vec<Extension<'a>>,
    identifier: Identifier<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    item: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    meta: Meta,
    questionnaire: &'a str,
    resource_type: &'static str,
    source: Reference<'a>,
    status: &'static str,
    subject: Reference<'a>,
}

/// A FHIR item: a section holds items, a question holds answers (the other list stays empty and
/// out of the JSON).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    answer: Vec<Answer<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    item: Vec<Item<'a>>,
    link_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Text<'a>>,
}

/// One answer: a one-key object named after the value's type.
#[derive(Debug, PartialEq, Serialize)]
pub(super) enum Answer<'a> {
    #[serde(rename = "valueBoolean")]
    Boolean(bool),
    #[serde(rename = "valueCoding")]
    Coding(Coding<'a>),
    #[serde(rename = "valueDate")]
    Date(String),
    #[serde(rename = "valueDecimal")]
    Decimal(f64),
    #[serde(rename = "valueInteger")]
    Integer(i32),
    #[serde(rename = "valueString")]
    String(Text<'a>),
}

pub(super) fn questionnaire_response<'a>(
    view: &SubmissionView<'a>, facts: &'a FormFacts, patient_url: &'a str,
) -> QuestionnaireResponse<'a> {
    let lang = view.language;
    let mut extension = Vec::with_capacity(3);
    if !view.signature.is_empty() {
        extension.push(signature_extension(view, patient_url));
    }
    if let Some(hash) = fhir_string(view.notice_hash) {
        extension.push(string_extension(NOTICE_HASH_EXTENSION, hash));
    }
    extension.push(string_extension(
        FORM_HASH_EXTENSION,
        facts.content_hash.as_str().into(),
    ));
    let item = view
        .answered_sections()
        .into_iter()
        .filter_map(|s| {
            let items: Vec<Item> = s
                .answered
                .iter()
                .filter_map(|&(q, a)| question_item(&facts.url, q, a, lang))
                .collect();
            (!items.is_empty()).then(|| Item {
                answer: Vec::new(),
                item: items,
                link_id: &s.section.id,
                text: fhir_string(tr(&s.section.title, lang)),
            })
        })
        .collect();
    QuestionnaireResponse {
        author: Reference {
            reference: patient_url,
        },
        authored: view.submitted_at,
        extension,
        identifier: Identifier {
            system: SUBMISSION_ID_SYSTEM,
            r#use: None,
            value: view.submission_id,
        },
        item,
        language: language_code(lang),
        meta: kiosk_meta(view.kiosk_id),
        questionnaire: &facts.canonical,
        resource_type: "QuestionnaireResponse",
        source: Reference {
            reference: patient_url,
        },
        status: if view.amended { "amended" } else { "completed" },
        subject: Reference {
            reference: patient_url,
        },
    }
}

/// The standard signature extension: the drawn signature as an SVG document.
fn signature_extension<'a>(view: &SubmissionView<'a>, patient_url: &'a str) -> Extension<'a> {
    let svg = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        crate::handoff::signature_svg(view.signature)
    );
    Extension {
        url: SIGNATURE_EXTENSION,
        value_signature: Some(SignatureValue {
            data: BASE64.encode(svg.as_bytes()),
            sig_format: "image/svg+xml",
            r#type: [Coding {
                code: "1.2.840.10065.1.12.1.7".into(),
                display: Some("Consent Signature".into()),
                system: SIGNATURE_TYPE_SYSTEM.into(),
            }],
            when: view.submitted_at,
            who: Reference {
                reference: patient_url,
            },
        }),
        value_string: None,
    }
}

/// One answered question; `None` when its answer holds nothing FHIR can carry.
fn question_item<'a>(
    form_url: &str, q: &'a Question, answer: &'a AnswerValue, lang: &str,
) -> Option<Item<'a>> {
    let answers: Vec<Answer> = match answer {
        AnswerValue::Text(t) => fhir_string(t).map(Answer::String).into_iter().collect(),
        AnswerValue::YesNo(b) => vec![Answer::Boolean(*b)],
        AnswerValue::Choice(c) => vec![Answer::Coding(coding(form_url, q, c, lang))],
        AnswerValue::Choices(cs) => cs
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| Answer::Coding(coding(form_url, q, c, lang)))
            .collect(),
        AnswerValue::Date(d) => match parse_date_of_birth(d) {
            Ok(date) => vec![Answer::Date(date.to_string())],
            // Not a date after all (validation should have caught it): kept as typed.
            Err(_) => fhir_string(d).map(Answer::String).into_iter().collect(),
        },
        AnswerValue::Number(n) => number_answer(*n).into_iter().collect(),
    };
    (!answers.is_empty()).then(|| Item {
        answer: answers,
        item: Vec::new(),
        link_id: &q.id,
        text: fhir_string(tr(&q.label, lang)),
    })
}

/// Whole numbers as `valueInteger` (while they fit FHIR's 32-bit integer), others as
/// `valueDecimal`; not-a-number and infinities have no FHIR form and are left out.
pub(super) fn number_answer(n: f64) -> Option<Answer<'static>> {
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX) {
        // Exact: whole and within i32's range, both checked just above.
        let whole = n as i32;
        return Some(Answer::Integer(whole));
    }
    Some(Answer::Decimal(n))
}

/// The coding of choice `choice_id` of `q`: system `<form url>/choices/<question id>`.
fn coding<'a>(form_url: &str, q: &'a Question, choice_id: &'a str, lang: &str) -> Coding<'a> {
    Coding {
        code: choice_id.trim().into(),
        display: q
            .choices
            .iter()
            .find(|c| c.id == choice_id)
            .and_then(|c| fhir_string(tr(&c.label, lang))),
        system: format!("{form_url}/choices/{}", percent_encode(&q.id)).into(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Consent<'a> {
    category: [CodeableConcept<'static>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    date_time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extension: Option<[Extension<'a>; 1]>,
    identifier: [Identifier<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    meta: Meta,
    patient: Reference<'a>,
    performer: [Reference<'a>; 1],
    policy: [Policy; 1],
    provision: Provision<'a>,
    resource_type: &'static str,
    scope: CodeableConcept<'static>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_attachment: Option<Attachment<'a>>,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Attachment<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<Text<'a>>,
}

#[derive(Serialize)]
struct Policy {
    uri: String,
}

#[derive(Serialize)]
struct Provision<'a> {
    purpose: [Coding<'a>; 1],
    r#type: &'static str,
}

pub(super) fn consent<'a>(
    view: &SubmissionView<'a>, facts: &FormFacts, event: &'a ConsentEvent, patient_url: &'a str,
) -> Consent<'a> {
    let form_url = &facts.url;
    let item = view.form.consents.iter().find(|c| c.id == event.item_id);
    let title = item.and_then(|c| fhir_string(tr(&c.title, &event.language)));
    let (status, provision) = match event.decision {
        Decision::Granted => ("active", "permit"),
        Decision::Refused => ("rejected", "deny"),
        Decision::Withdrawn => ("inactive", "deny"),
    };
    let scope = if event.item_id == crate::forms::TREATMENT_CONSENT {
        concept(CONSENT_SCOPE_SYSTEM, "treatment", "Treatment")
    } else {
        concept(CONSENT_SCOPE_SYSTEM, "patient-privacy", "Privacy Consent")
    };
    let language = language_code(&event.language);
    // The exact text, when the form still has the text the recorded hash names.
    let text = item
        .filter(|c| {
            c.version == event.text_version
                && facts.consent_text_hash(view.form, c, &event.language) == event.text_hash
        })
        .and_then(|c| fhir_string(tr(&c.text, &event.language)));
    let attachment = Attachment {
        content_type: text.as_ref().map(|_| "text/plain; charset=utf-8"),
        data: text.map(|t| BASE64.encode(t.as_bytes())),
        language,
        title: title.clone(),
    };
    let has_attachment = attachment.data.is_some() || attachment.title.is_some();
    Consent {
        category: [concept(LOINC, "59284-0", "Consent Document")],
        date_time: fhir_string(&event.recorded_at).map(|_| event.recorded_at.trim()),
        extension: fhir_string(&event.text_hash)
            .map(|hash| [string_extension(CONSENT_TEXT_HASH_EXTENSION, hash)]),
        identifier: [Identifier {
            system: CONSENT_EVENT_ID_SYSTEM,
            r#use: None,
            value: &event.id,
        }],
        language,
        meta: kiosk_meta(&event.device_id),
        patient: Reference {
            reference: patient_url,
        },
        performer: [Reference {
            reference: patient_url,
        }],
        policy: [Policy {
            uri: format!(
                "{form_url}/consent/{}?version={}",
                percent_encode(&event.item_id),
                percent_encode(&event.text_version)
            ),
        }],
        provision: Provision {
            purpose: [Coding {
                code: event.item_id.as_str().into(),
                display: title,
                system: format!("{form_url}/consent").into(),
            }],
            r#type: provision,
        },
        resource_type: "Consent",
        scope,
        source_attachment: has_attachment.then_some(attachment),
        status,
    }
}
