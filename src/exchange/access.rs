//! The right of access and portability: one action writes everything the desk holds about a
//! patient as `patient-<id>.json` (structured, every field), `patient-<id>.fhir.json` (an R4
//! Bundle of type `collection`: Patient, every QuestionnaireResponse — status `amended` where
//! rectified — and every Consent) and `patient-<id>.html` (a readable document: details,
//! consent history, each form as printed, amendments, and who accessed the record).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::ExchangeError;
use super::files;
use crate::forms::FormDefinition;
use crate::handoff::{SubmissionView, escape_html, fhir_bundle, printable_body, printable_style};
use crate::store::{Actor, OpenStore, PatientData, Previous, StoreError};

/// The three files written for one patient.
pub struct AccessExport {
    pub json: PathBuf,
    pub fhir: PathBuf,
    pub html: PathBuf,
}

/// Reads the patient's whole record (logged as an export) and writes the three files to `dir`.
pub fn export_patient(
    store: &OpenStore, actor: &Actor, patient_id: &str, dir: &Path, now: DateTime<Utc>,
) -> Result<AccessExport, ExchangeError> {
    let data = store.patient_data(actor, patient_id, now)?;
    let forms: Vec<FormDefinition> = data
        .submissions
        .iter()
        .map(|s| crate::forms::form_used(s.form_definition_json.as_deref()).definition)
        .collect();
    let amended: HashSet<&str> = data
        .amendments
        .iter()
        .filter_map(|a| a.submission_id.as_deref())
        .collect();
    let views: Vec<SubmissionView> = data
        .submissions
        .iter()
        .zip(&forms)
        .map(|(s, form)| SubmissionView {
            submission_id: &s.submission_id,
            patient_id: &data.patient_id,
            kiosk_id: "",
            submitted_at: &s.created_at,
            language: &s.language,
            identity: &data.identity,
            answers: &s.answers,
            signature: &s.signature,
            consents: &[],
            form,
            notice_hash: &s.notice_hash,
            amended: amended.contains(s.submission_id.as_str()),
        })
        .collect();
    let base = format!("patient-{patient_id}");
    let json = serde_json::to_vec_pretty(&structured(&data, now)).map_err(StoreError::from)?;
    let fhir = serde_json::to_vec_pretty(&fhir_collection(&data, &views, now))
        .map_err(StoreError::from)?;
    let staff: std::collections::HashMap<String, String> = store
        .list_staff(now)?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let titles: std::collections::HashMap<String, String> = forms
        .iter()
        .flat_map(|f| f.consents.iter())
        .map(|c| (c.id.clone(), crate::forms::tr(&c.title, "en").to_owned()))
        .collect();
    let html = readable(&data, &views, &Names { staff, titles }, now);
    let private = files::Readers::OwnerOnly;
    Ok(AccessExport {
        json: files::write_atomically(dir, &format!("{base}.json"), &json, private)?,
        fhir: files::write_atomically(dir, &format!("{base}.fhir.json"), &fhir, private)?,
        html: files::write_atomically(dir, &format!("{base}.html"), html.as_bytes(), private)?,
    })
}

fn previous_json(previous: &Previous) -> Value {
    match previous {
        Previous::Answers(a) => json!({ "answers": a }),
        Previous::Identity(i) => json!({ "identity": i }),
        Previous::Withheld => Value::Null,
    }
}

/// Every field, machine-readable (portability).
fn structured(data: &PatientData, now: DateTime<Utc>) -> Value {
    json!({
        "format": "intake-kiosk patient data 1",
        "generated_at": now.to_rfc3339(),
        "patient_id": data.patient_id,
        "identity": data.identity,
        "processing_restricted_since": data.restricted_at,
        "erasure_requested_at": data.erasure_requested_at,
        "submissions": data.submissions.iter().map(|s| json!({
            "id": s.submission_id,
            "submitted_at": s.created_at,
            "language": s.language,
            "form_hash": s.form_hash,
            "notice_hash": s.notice_hash,
            "answers": s.answers,
            "signature_svg_path": s.signature.svg_path,
        })).collect::<Vec<_>>(),
        "consents": data.consents,
        "amendments": data.amendments.iter().map(|a| json!({
            "id": a.id,
            "submission_id": a.submission_id,
            "amended_at": a.amended_at,
            "amended_by": a.staff_id,
            "reason": a.reason,
            "previous": previous_json(&a.previous),
        })).collect::<Vec<_>>(),
        "access_log": data.access.iter().map(|e| json!({
            "at": e.at, "by": e.actor, "what": e.kind, "record": e.subject,
        })).collect::<Vec<_>>(),
        "rights_requests": data.requests.iter().map(|r| json!({
            "id": r.id,
            "kind": r.kind.as_str(),
            "received_on": r.received_on.to_string(),
            "due_on": r.due_on.to_string(),
            "status": r.status.as_str(),
            "closed_at": r.closed_at,
            "requester": r.requester,
            "identity_check": r.identity_check,
            "notes": r.notes,
            "extension_reason": r.extension_reason,
            "outcome": r.outcome,
        })).collect::<Vec<_>>(),
    })
}

/// One R4 `collection` Bundle: the entries of each submission's Bundle (Patient once), then the
/// consent events recorded outside a form (withdrawals at the desk).
fn fhir_collection(data: &PatientData, views: &[SubmissionView], now: DateTime<Utc>) -> Value {
    let mut seen = HashSet::new();
    let mut entries: Vec<Value> = Vec::new();
    let mut push = |entry: &Value, entries: &mut Vec<Value>| {
        let url = entry["fullUrl"].as_str().unwrap_or_default().to_owned();
        if seen.insert(url) {
            // A collection has no transaction requests.
            let mut entry = entry.clone();
            if let Some(map) = entry.as_object_mut() {
                map.remove("request");
            }
            entries.push(entry);
        }
    };
    for (i, view) in views.iter().enumerate() {
        // Consent events go with their own submission; those recorded later (withdrawals at
        // the desk) go with the newest.
        let own: Vec<_> = data
            .consents
            .iter()
            .filter(|e| {
                e.submission_id.as_deref() == Some(view.submission_id)
                    || (i + 1 == views.len() && e.submission_id.is_none())
            })
            .cloned()
            .collect();
        let with_consents = SubmissionView {
            consents: &own,
            ..*view
        };
        let bundle = fhir_bundle(&with_consents);
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            push(entry, &mut entries);
        }
    }
    // Every decision is in the collection, the ones a later decision replaced too (the history
    // is the patient's): those are no longer in force, whatever they said.
    let current: HashSet<&str> = crate::forms::current_events(&data.consents)
        .values()
        .map(|e| e.id.as_str())
        .collect();
    for entry in &mut entries {
        let resource = &mut entry["resource"];
        if resource["resourceType"] != "Consent" {
            continue;
        }
        let event_id = resource["identifier"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["system"] == crate::handoff::fhir::CONSENT_EVENT_ID_SYSTEM)
            .and_then(|i| i["value"].as_str())
            .map(str::to_owned);
        if event_id.is_some_and(|id| !current.contains(id.as_str())) {
            resource["status"] = json!("inactive");
        }
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.to_rfc3339(),
        "entry": entries,
    })
}

/// Staff names and consent titles for the readable document (ids otherwise).
struct Names {
    staff: std::collections::HashMap<String, String>,
    titles: std::collections::HashMap<String, String>,
}

impl Names {
    fn staff<'a>(&'a self, id: &'a str) -> &'a str {
        self.staff.get(id).map_or(id, String::as_str)
    }
    fn title<'a>(&'a self, item: &'a str) -> &'a str {
        self.titles.get(item).map_or(item, String::as_str)
    }
}

/// The readable document.
fn readable(
    data: &PatientData, views: &[SubmissionView], names: &Names, now: DateTime<Utc>,
) -> String {
    let e = escape_html;
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Your data — {}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        e(&data.identity.display_name()),
        printable_style()
    );
    page.push_str(&format!(
        "<header>\n<h1>The data the clinic holds about you</h1>\n<p class=\"meta\">Prepared {} · reference <code>{}</code></p>\n</header>\n",
        e(&now.format("%-d %B %Y %H:%M UTC").to_string()),
        e(&data.patient_id)
    ));
    let who = &data.identity;
    page.push_str("<section>\n<h2>Your details</h2>\n<dl>\n");
    for (label, value) in [
        ("Name", who.display_name()),
        ("Date of birth", who.date_of_birth.clone()),
        ("Postcode", who.postcode.clone()),
        ("Email", who.email.clone()),
        ("Phone", who.phone.clone()),
    ] {
        if !value.trim().is_empty() {
            page.push_str(&format!(
                "<dt>{label}</dt><dd><bdi>{}</bdi></dd>\n",
                e(&value)
            ));
        }
    }
    page.push_str("</dl>\n");
    if let Some(since) = &data.restricted_at {
        page.push_str(&format!(
            "<p>Processing of your data is restricted since {}: it is stored and not used.</p>\n",
            e(since)
        ));
    }
    page.push_str("</section>\n");
    table_section(
        &mut page,
        "Your consent decisions",
        &["When", "Purpose", "Decision", "Text version"],
        data.consents.iter().map(|c| {
            [
                e(&c.recorded_at),
                e(names.title(&c.item_id)),
                format!("{:?}", c.decision).to_lowercase(),
                format!("{} ({})", e(&c.text_version), e(&c.language)),
            ]
        }),
    );
    for view in views {
        page.push_str(&printable_body(view));
    }
    if !data.amendments.is_empty() {
        table_section(
            &mut page,
            "Corrections to your record",
            &["When", "By", "What", "Why"],
            data.amendments.iter().map(|a| {
                [
                    e(&a.amended_at),
                    e(names.staff(&a.staff_id)),
                    match &a.submission_id {
                        Some(id) => format!("answers of form <code>{}</code>", e(id)),
                        None => "your details".to_owned(),
                    },
                    format!("<bdi>{}</bdi>", e(&a.reason)),
                ]
            }),
        );
    }
    if !data.requests.is_empty() {
        table_section(
            &mut page,
            "Your requests",
            &["Received", "What", "Status", "Outcome"],
            data.requests.iter().map(|r| {
                [
                    e(&r.received_on.to_string()),
                    e(r.kind.as_str()),
                    e(r.status.as_str()),
                    format!("<bdi>{}</bdi>", e(&r.outcome)),
                ]
            }),
        );
    }
    table_section(
        &mut page,
        "Who accessed your record",
        &["When", "Staff", "What"],
        data.access.iter().map(|entry| {
            [
                e(&entry.at),
                e(names.staff(&entry.actor)),
                e(&entry.kind.replace('_', " ")),
            ]
        }),
    );
    page.push_str("</body>\n</html>\n");
    page
}

/// Appends a section with a heading and a table: `headings` as its first row, then one row of
/// cells (HTML, already escaped) per item of `rows`.
fn table_section<const N: usize>(
    page: &mut String, title: &str, headings: &[&str; N], rows: impl Iterator<Item = [String; N]>,
) {
    let cells = |tag: &str, cells: &[&str]| -> String {
        let inner: String = cells
            .iter()
            .map(|c| format!("<{tag}>{c}</{tag}>"))
            .collect();
        format!("<tr>{inner}</tr>\n")
    };
    page.push_str(&format!("<section>\n<h2>{title}</h2>\n<table>\n"));
    page.push_str(&cells("th", headings));
    for row in rows {
        page.push_str(&cells("td", &row.each_ref().map(String::as_str)));
    }
    page.push_str("</table>\n</section>\n");
}
