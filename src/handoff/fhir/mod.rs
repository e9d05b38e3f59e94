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

mod resources;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::SubmissionView;
use crate::forms::{ConsentItem, FormDefinition};
use resources::{Bundle, Entry, Identifier, Request, Resource};

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

/// What every Bundle of one form repeats, worked out once per form: the content hash (over the
/// whole definition, the costliest part of a Bundle when computed per submission), the
/// canonical, the URL, and the hash of each consent text in each language the form has.
pub struct FormFacts {
    content_hash: String,
    canonical: String,
    url: String,
    /// Item id → language → `FormDefinition::consent_text_hash`.
    consent_text_hashes: HashMap<String, HashMap<String, String>>,
}

impl FormFacts {
    pub fn of(form: &FormDefinition) -> FormFacts {
        let canonical = form.canonical();
        let url = match canonical.split_once('|') {
            Some((url, _)) => url.to_owned(),
            None => canonical.clone(),
        };
        let mut consent_text_hashes = HashMap::new();
        for item in &form.consents {
            // The first item of an id is the one a decision is matched with.
            consent_text_hashes
                .entry(item.id.clone())
                .or_insert_with(|| {
                    item.text
                        .keys()
                        .map(|language| (language.clone(), form.consent_text_hash(item, language)))
                        .collect()
                });
        }
        FormFacts {
            content_hash: form.content_hash(),
            canonical,
            url,
            consent_text_hashes,
        }
    }

    /// `form.consent_text_hash(item, language)`, looked up when the form has that language.
    fn consent_text_hash(
        &self, form: &FormDefinition, item: &ConsentItem, language: &str,
    ) -> Cow<'_, str> {
        match self
            .consent_text_hashes
            .get(&item.id)
            .and_then(|by_language| by_language.get(language))
        {
            Some(hash) => Cow::Borrowed(hash),
            None => Cow::Owned(form.consent_text_hash(item, language)),
        }
    }
}

/// The Bundle for one submission (see the module documentation for its shape).
pub fn fhir_bundle(view: &SubmissionView) -> Value {
    let facts = FormFacts::of(view.form);
    let patient_url = entry_uuid("Patient", view.patient_id);
    serde_json::to_value(bundle(view, &facts, &patient_url)).expect("a Bundle has string keys only")
}

/// The Bundle for one submission written as compact JSON to `out` (what a records system
/// parses; two thirds of the bytes of indented JSON): the same bytes as
/// `serde_json::to_vec(&fhir_bundle(view))`, without building the tree in between. `facts`
/// are those of `view.form`.
pub fn write_fhir_bundle(
    view: &SubmissionView, facts: &FormFacts, out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    debug_assert_eq!(
        facts.canonical,
        view.form.canonical(),
        "facts of another form"
    );
    let patient_url = entry_uuid("Patient", view.patient_id);
    serde_json::to_writer(out, &bundle(view, facts, &patient_url))
}

fn bundle<'a>(view: &SubmissionView<'a>, facts: &'a FormFacts, patient_url: &'a str) -> Bundle<'a> {
    let mut entries = Vec::with_capacity(2 + view.consents.len());
    let patient = Resource::Patient(Box::new(resources::patient(view)));
    let response = Resource::QuestionnaireResponse(Box::new(resources::questionnaire_response(
        view,
        facts,
        patient_url,
    )));
    let consents: Vec<(&str, Resource)> = view
        .consents
        .iter()
        .map(|event| {
            let consent = resources::consent(view, facts, event, patient_url);
            (event.id.as_str(), Resource::Consent(Box::new(consent)))
        })
        .collect();
    entries.push(entry(
        patient_url.to_owned(),
        patient,
        "Patient",
        PATIENT_ID_SYSTEM,
        view.patient_id,
    ));
    entries.push(entry(
        entry_uuid("QuestionnaireResponse", view.submission_id),
        response,
        "QuestionnaireResponse",
        SUBMISSION_ID_SYSTEM,
        view.submission_id,
    ));
    for (id, consent) in consents {
        entries.push(entry(
            entry_uuid("Consent", id),
            consent,
            "Consent",
            CONSENT_EVENT_ID_SYSTEM,
            id,
        ));
    }
    Bundle {
        entry: entries,
        identifier: Identifier {
            system: SUBMISSION_ID_SYSTEM,
            r#use: None,
            value: view.submission_id,
        },
        resource_type: "Bundle",
        timestamp: view.submitted_at,
        r#type: "transaction",
    }
}

/// `urn:uuid:` for a resource of `kind` with the kiosk id `id`: the first 128 bits of
/// SHA-256("intake-kiosk/handoff" ␟ kind ␟ id), marked as an RFC 9562 version 8 UUID.
pub fn entry_uuid(kind: &str, id: &str) -> String {
    let digest = crate::vault::sha256(format!("intake-kiosk/handoff\x1f{kind}\x1f{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut uuid = String::with_capacity("urn:uuid:".len() + 36);
    uuid.push_str("urn:uuid:");
    for (i, part) in [&b[..4], &b[4..6], &b[6..8], &b[8..10], &b[10..]]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            uuid.push('-');
        }
        crate::hex::push(&mut uuid, part);
    }
    uuid
}

/// A transaction entry that creates `resource` unless one with the same identifier exists.
fn entry<'a>(
    full_url: String, resource: Resource<'a>, kind: &'static str, system: &str, id: &str,
) -> Entry<'a> {
    Entry {
        full_url,
        request: Request {
            if_none_exist: format!(
                "identifier={}|{}",
                percent_encode(system),
                percent_encode(id)
            ),
            method: "POST",
            url: kind,
        },
        resource,
    }
}

/// `text` fit for a FHIR string: trimmed, without control characters other than tab and line
/// breaks; `None` when nothing is left. Borrowed when nothing had to be taken out.
fn fhir_string(text: &str) -> Option<Cow<'_, str>> {
    let unwanted = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    let clean = if text.contains(unwanted) {
        let kept: String = text.chars().filter(|c| !unwanted(*c)).collect();
        Cow::Owned(kept.trim().to_owned())
    } else {
        Cow::Borrowed(text.trim())
    };
    (!clean.is_empty()).then_some(clean)
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `:`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `language` when it can be a FHIR code (no whitespace, not empty).
fn language_code(language: &str) -> Option<&str> {
    (!language.is_empty() && !language.chars().any(char::is_whitespace)).then_some(language)
}
