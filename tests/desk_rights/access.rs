//! The access and portability export: everything held about a patient, checked against FHIR R4.

use super::*;

#[test]
fn access_export_writes_everything_held_about_a_patient() {
    let (mut desk, manager, clinician, reception) = desk_with_staff();
    let first = desk
        .store
        .save_submission(
            &manager,
            submission_with(
                "Ada",
                "Lovelace",
                "latex",
                &[
                    ("marketing_email", Decision::Granted),
                    ("marketing_sms", Decision::Refused),
                ],
            ),
            t0(),
        )
        .unwrap();
    let pid = patient_of(&desk.store, &manager, &first);
    let mut again = submission_with("Ada", "Lovelace", "latex, nickel", &[]);
    again.patient = returning(&desk.store, &manager, &pid);
    let second = desk
        .store
        .save_submission(&manager, again, t0() + Duration::days(30))
        .unwrap();
    let later = t0() + Duration::days(31);
    desk.store
        .withdraw_consent(&reception, &pid, "marketing_email", later)
        .unwrap();
    let mut corrected = Answers::default();
    corrected.set("allergies", AnswerValue::Text("latex (mild)".into()));
    desk.store
        .amend_answers(&clinician, &first, &corrected, "severity noted", later)
        .unwrap();
    desk.store.open_record(&clinician, &pid, later).unwrap();
    // Someone else, to see that the export holds this patient only.
    desk.store
        .save_submission(&manager, submission("Grace", "Hopper", "none"), t0())
        .unwrap();
    // A namesake born the same day (another postcode): a look-up by name and date of birth
    // finds both, and its audit entry names both records.
    let mut namesake = submission("Ada", "Lovelace", "none");
    let mut other = identity("Ada", "Lovelace");
    other.postcode = "EH1 1AA".into();
    namesake.patient = intake_kiosk::store::PatientRef::New(other);
    let namesake_form = desk
        .store
        .save_submission(&manager, namesake, t0())
        .unwrap();
    let namesake = patient_of(&desk.store, &manager, &namesake_form);
    assert_ne!(namesake, pid);
    let found = desk
        .store
        .find_patients(&manager, "Ada", "Lovelace", "1987-06-15", later)
        .unwrap();
    assert_eq!(found.len(), 2);

    // The request itself is about her too: who asked, how they were identified.
    desk.store
        .log_rights_request(
            &manager,
            &NewRightsRequest {
                patient_id: Some(pid.clone()),
                kind: RequestKind::Access,
                received_on: later.date_naive(),
                requester: "Ada, by letter".into(),
                identity_check: "passport copy".into(),
                notes: String::new(),
            },
            later,
        )
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    let now = t0() + Duration::days(40);
    match export_patient(&desk.store, &reception, &pid, out.path(), now) {
        Err(ExchangeError::Store(StoreError::Forbidden)) => {}
        Err(e) => panic!("reception export: {e}"),
        Ok(_) => panic!("reception may not export a patient's data"),
    }
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
    let files = export_patient(&desk.store, &manager, &pid, out.path(), now).unwrap();
    for (path, suffix) in [
        (&files.json, ".json"),
        (&files.fhir, ".fhir.json"),
        (&files.html, ".html"),
    ] {
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            format!("patient-{pid}{suffix}")
        );
    }

    // The structured copy: every field.
    let data: Value = serde_json::from_slice(&std::fs::read(&files.json).unwrap()).unwrap();
    assert_eq!(data["patient_id"], pid.as_str());
    assert_eq!(data["identity"]["given_name"], "Ada");
    assert_eq!(data["identity"]["email"], "ada@example.org");
    assert_eq!(data["identity"]["date_of_birth"], "1987-06-15");
    let subs = data["submissions"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0]["id"], first.as_str(), "oldest first");
    assert_eq!(subs[1]["id"], second.as_str());
    let allergy = |s: &Value| s["answers"]["allergies"]["value"].clone();
    assert_eq!(allergy(&subs[0]), "latex (mild)", "current answers");
    assert_eq!(allergy(&subs[1]), "latex, nickel");
    assert!(
        subs[0]["signature_svg_path"]
            .as_str()
            .unwrap()
            .starts_with("M ")
    );
    let consents: Vec<(String, String)> = data["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["item_id"].as_str().unwrap().to_owned(),
                c["decision"].to_string().to_lowercase(),
            )
        })
        .collect();
    assert_eq!(consents.len(), 5, "{consents:?}");
    assert!(
        consents
            .iter()
            .any(|(item, d)| item == "marketing_email" && d.contains("withdrawn"))
    );
    let requests = data["rights_requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["kind"], "access");
    assert_eq!(requests[0]["requester"], "Ada, by letter");
    assert_eq!(requests[0]["identity_check"], "passport copy");
    let amendments = data["amendments"].as_array().unwrap();
    assert_eq!(amendments.len(), 1);
    assert_eq!(amendments[0]["submission_id"], first.as_str());
    assert_eq!(amendments[0]["reason"], "severity noted");
    assert_eq!(amendments[0]["amended_by"], clinician.staff_id());
    assert_eq!(
        amendments[0]["previous"]["answers"]["allergies"]["value"],
        "latex"
    );
    let log = data["access_log"].as_array().unwrap();
    assert!(
        log.iter()
            .any(|e| e["what"] == "record_viewed" && e["by"] == clinician.staff_id())
    );
    assert!(log.iter().any(|e| e["what"] == "amended"));
    assert!(
        !data.to_string().contains("Grace"),
        "another patient leaked into the export"
    );
    assert!(
        log.iter()
            .any(|e| e["what"] == "patient_lookup" && e["record"] == pid.as_str()),
        "the look-up that found Ada is in her log, naming her record"
    );
    assert!(
        !data.to_string().contains(&namesake),
        "the namesake's reference leaked into the export"
    );

    // The FHIR copy: one R4 collection Bundle, valid against HL7's schema.
    let bundle: Value = serde_json::from_slice(&std::fs::read(&files.fhir).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let entries = bundle["entry"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "Patient").count(), 1);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "QuestionnaireResponse")
            .count(),
        2
    );
    assert_eq!(kinds.iter().filter(|k| **k == "Consent").count(), 5);
    // Only the decisions in force are active: the first form's treatment consent (the second
    // form's replaced it) and the email grant (withdrawn since) are inactive, as is the
    // withdrawal itself; the SMS refusal stays rejected.
    let mut statuses: Vec<&str> = entries
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Consent")
        .map(|e| e["resource"]["status"].as_str().unwrap())
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        ["active", "inactive", "inactive", "inactive", "rejected"]
    );
    assert!(entries.iter().all(|e| e.get("request").is_none()));
    let mut urls: Vec<&str> = entries
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls.len(), entries.len(), "fullUrls are unique");
    // Every reference resolves to an entry of the Bundle.
    fn references<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("reference") {
                    out.push(r);
                }
                map.values().for_each(|v| references(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, out)),
            _ => {}
        }
    }
    let mut refs = Vec::new();
    references(&bundle, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        assert!(urls.contains(&r), "reference {r} resolves to no entry");
    }
    let errors = r4_errors(&bundle);
    assert!(errors.is_empty(), "not valid FHIR R4: {errors:#?}");

    // The readable copy.
    let html = std::fs::read_to_string(&files.html).unwrap();
    for part in [
        "The data the clinic holds about you",
        "Ada",
        "Your consent decisions",
        "Corrections to your record",
        "severity noted",
        "Who accessed your record",
    ] {
        assert!(html.contains(part), "{part} missing from the page");
    }

    // One export entry in the audit log.
    let exported = desk
        .store
        .audit_entries(&manager, Some(&format!("access:{pid}")), None)
        .unwrap();
    let exports: Vec<&AuditEntry> = exported.iter().filter(|e| e.kind == "exported").collect();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].actor, manager.staff_id());
    assert_eq!(exports[0].at, now.to_rfc3339());
}
