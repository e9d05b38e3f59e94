//! Submissions and their consent events: saved sealed in one durable transaction; read back by
//! need-to-know (reception sees who and which consents, never answers or signatures).

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::audit::AuditKind;
use super::patient_records::form_seals::{self, Seals};
use super::patient_records::{form_link, state_row};
use super::patients::{insert_patient_as, open_identity, open_patient_against};
use super::returning::{ConfirmedPatient, join_confirmed, visit_noted};
use super::row_auth::{self, text_key};
use super::{Actor, OpenStore, StoreError, seal_json};
use crate::forms::{
    Answers, ConsentDecision, Decision, DefinitionText, PatientIdentity, Signature,
};
use crate::store::writing::Writing;
use crate::vault::{Aad, Vault, time_ordered_id};

mod consents;
mod ledger;
pub(super) use consents::{
    FiledUnder, FirstDecisions, append_consent_events, check_every_consent_chain, clear_ledger,
    consent_events_in, finish_visit, form_consent_events, patient_consent_events, rechain_consents,
    start_every_consent_chain, still_listed,
};
pub(super) use ledger::{
    HAS_FIRST_SHAPE_DECISIONS, LEDGER_TABLES, Opening, Scope, delete_patient_rows,
    delete_rows_where, read_ledger, read_ledger_as,
};

/// Whose form this is. A form joins an existing patient only with the proof that the person at
/// the tablet confirmed that patient's date of birth (see [`ConfirmedPatient`]); anything else is
/// a new patient.
pub enum PatientRef {
    New(PatientIdentity),
    /// Confirmed by the date-of-birth guard; `details` holds what the patient typed, of which
    /// changes are recorded as an amendment (the old details kept), never as an overwrite.
    Returning {
        patient: ConfirmedPatient,
        details: Option<PatientIdentity>,
    },
}

/// A completed form, as the handover hands it over to be saved.
pub struct NewSubmission {
    pub patient: PatientRef,
    pub answers: Answers,
    pub signature: Signature,
    pub consents: Vec<ConsentDecision>,
    /// The definition it was filled with: stored once per hash, the hash in the submission.
    pub form: DefinitionText,
    pub notice_hash: String,
    pub language: String,
}

/// What any role may see in a list of submissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionSummary {
    pub id: String,
    pub patient_id: String,
    pub patient_name: String,
    pub created_at: String,
    pub language: String,
    pub consents: Vec<(String, Decision)>,
    pub export_state: String,
}

/// A submission in full: clinicians and managers only. Wiped from memory when dropped.
pub struct MedicalRecord {
    pub submission_id: String,
    pub patient_id: String,
    pub identity: PatientIdentity,
    pub answers: Answers,
    pub signature: Signature,
    pub form_hash: String,
    /// The exact definition the patient filled (see `FormDefinition::from_stored`).
    pub form_definition_json: Option<String>,
    pub notice_hash: String,
    pub language: String,
    pub created_at: String,
}

pub(super) fn aad<'a>(column: &'static str, submission_id: &'a str) -> Aad<'a> {
    Aad {
        table: "submissions",
        column,
        row_id: submission_id,
    }
}

/// Stores a form definition by its content hash, once. An existing row is left as it is (not read
/// here: every read of a definition checks its row and its hash).
pub(super) fn store_form_definition(
    conn: &Connection, vault: &Vault, hash: &str, json: &str, at: &str,
) -> Result<(), StoreError> {
    if row_auth::exists(conn, "form_definitions", &text_key(hash))? {
        return Ok(());
    }
    row_auth::insert(
        conn,
        vault,
        "form_definitions",
        &[
            ("hash", Value::Text(hash.to_owned())),
            ("definition_json", Value::Text(json.to_owned())),
            ("first_used_at", Value::Text(at.to_owned())),
        ],
    )
}

/// Inserts a submission row, tagged.
pub(super) fn insert_submission(
    conn: &Connection, vault: &Vault, row: &SubmissionRow<'_>,
) -> Result<(), StoreError> {
    row_auth::insert(
        conn,
        vault,
        "submissions",
        &[
            ("id", Value::Text(row.id.to_owned())),
            ("patient_id", Value::Text(row.patient_id.to_owned())),
            ("staff_id", Value::Text(row.staff_id.to_owned())),
            ("created_at", Value::Text(row.created_at.to_owned())),
            ("form_hash", Value::Text(row.form_hash.to_owned())),
            ("notice_hash", Value::Text(row.notice_hash.to_owned())),
            ("language", Value::Text(row.language.to_owned())),
            ("sealed_answers", Value::Blob(row.sealed_answers.to_vec())),
            (
                "sealed_signature",
                Value::Blob(row.sealed_signature.to_vec()),
            ),
            ("export_state", Value::Text(row.export_state.to_owned())),
            ("exported_at", Value::Null),
            ("bundle_seq", Value::Null),
            (
                "source",
                row.source
                    .map_or(Value::Null, |s| Value::Text(s.to_owned())),
            ),
            ("prev_form", row.prev_form.clone()),
        ],
    )
}

/// A submission row as written.
pub(super) struct SubmissionRow<'a> {
    pub id: &'a str,
    pub patient_id: &'a str,
    pub staff_id: &'a str,
    pub created_at: &'a str,
    pub form_hash: &'a str,
    pub notice_hash: &'a str,
    pub language: &'a str,
    pub sealed_answers: &'a [u8],
    pub sealed_signature: &'a [u8],
    /// The kiosk it came from (desk), or `None` when taken on this machine.
    pub source: Option<&'a str>,
    /// `pending` for a form taken here, `delivered` for one imported from a kiosk.
    pub export_state: &'a str,
    /// The patient's form filed before it (`patient_records::form_link`), NULL for their first.
    pub prev_form: Value,
}

/// The checked row of a submission; `NotFound` when there is none.
pub(super) fn submission_row(
    conn: &Connection, vault: &Vault, submission_id: &str,
) -> Result<row_auth::Row, StoreError> {
    row_auth::get(conn, vault, "submissions", &text_key(submission_id))?.ok_or(StoreError::NotFound)
}

impl OpenStore {
    /// Saves a completed form: the patient (new or returning), the sealed answers and signature,
    /// and its consent decisions (one ledger row), in one transaction committed with synchronous=FULL.
    /// When this returns `Ok`, the submission survives a crash or power cut.
    pub fn save_submission(
        &mut self, actor: &Actor, submission: NewSubmission, now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let at = now.to_rfc3339();
        // Time-ordered: the desk files its rows at the edge of its index (see `time_ordered_id`).
        let submission_id = time_ordered_id(now.timestamp_millis())?;
        let sealed_answers = seal_json(
            self.vault(),
            aad("sealed_answers", &submission_id),
            &submission.answers,
        )?;
        let sealed_signature = seal_json(
            self.vault(),
            aad("sealed_signature", &submission_id),
            &submission.signature,
        )?;
        let seal = Seals::of_form(
            self.vault(),
            &submission_id,
            &sealed_answers,
            &sealed_signature,
        );
        let tx = Writing::begin(self.conn())?;
        store_form_definition(
            &tx,
            self.vault(),
            submission.form.hash(),
            submission.form.json(),
            &at,
        )?;
        let patient_id = match &submission.patient {
            PatientRef::New(_) => time_ordered_id(now.timestamp_millis())?,
            PatientRef::Returning { patient, details } => {
                join_confirmed(&tx, self.vault(), actor, patient, details.as_ref(), &at)?
            }
        };
        let events = submission
            .consents
            .iter()
            .map(|decision| self.consent_event(&patient_id, Some(&submission_id), decision, &at))
            .collect::<Result<Vec<_>, _>>()?;
        // A new patient's visit state is written once, its consent chain's head in it; a
        // returning patient's is read here and written once below.
        let state = match &submission.patient {
            PatientRef::New(_) => None,
            PatientRef::Returning { .. } => Some(state_row(&tx, self.vault(), &patient_id)?),
        };
        let (prev_form, visit) = match &state {
            Some(state) => (form_link(state)?, visit_noted(state, &at)?),
            None => (Value::Null, Vec::new()),
        };
        let first = match &submission.patient {
            PatientRef::New(identity) => {
                let first = FirstDecisions::prepare(
                    &tx,
                    self.vault(),
                    FiledUnder::Own(&patient_id),
                    &events,
                )?;
                let indexes = super::patients::indexes(self.vault(), identity)?;
                insert_patient_as(
                    &tx,
                    self.vault(),
                    &patient_id,
                    identity,
                    &indexes,
                    &at,
                    first.head(),
                    (&first.listed(&submission_id), seal),
                )?;
                Some(first)
            }
            PatientRef::Returning { .. } => None,
        };
        insert_submission(
            &tx,
            self.vault(),
            &SubmissionRow {
                id: &submission_id,
                patient_id: &patient_id,
                staff_id: actor.staff_id(),
                created_at: &at,
                form_hash: submission.form.hash(),
                notice_hash: &submission.notice_hash,
                language: &submission.language,
                sealed_answers: &sealed_answers,
                sealed_signature: &sealed_signature,
                source: None,
                export_state: "pending",
                prev_form,
            },
        )?;
        // A returning patient's visit state, read once above and written once here: the visit
        // noted, the form linked, the chain carried.
        let under = FiledUnder::Own(&patient_id);
        finish_visit(
            &tx,
            self.vault(),
            under,
            first,
            state,
            (&submission_id, seal),
            &events,
            visit,
        )?;
        self.audit_as(actor, &tx, &at, AuditKind::SubmissionSaved, &submission_id)?;
        tx.commit(self.vault())?;
        Ok(submission_id)
    }

    /// Submissions saved since `since`, newest first: who, when, which consents. Any role. Logged.
    pub fn submissions_since(
        &self, actor: &Actor, since: DateTime<Utc>, now: DateTime<Utc>,
    ) -> Result<Vec<SubmissionSummary>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.id, s.patient_id, s.created_at, s.language,
                    CASE WHEN m.submission_id IS NULL THEN s.export_state ELSE 'exported' END
             FROM submissions s LEFT JOIN export_marks m ON m.submission_id = s.id
             WHERE s.created_at >= ?1 ORDER BY s.created_at DESC",
        )?;
        let rows: Vec<(String, String, String, String, String)> = stmt
            .query_map([since.to_rfc3339()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, patient_id, created_at, language, export_state) in rows {
            let row = submission_row(self.conn(), self.vault(), &id)?;
            if row.text("patient_id")? != patient_id {
                return Err(StoreError::tampered("submissions", &id));
            }
            if row.text("export_state")? != export_state {
                // Shown as exported because of a mark: the mark must be sound.
                row_auth::check(self.conn(), self.vault(), "export_marks", &text_key(&id))?;
            }
            let identity = open_identity(self.conn(), self.vault(), &patient_id)?;
            let events = form_consent_events(self.conn(), self.vault(), &patient_id, &id)?;
            out.push(SubmissionSummary {
                patient_name: identity.display_name(),
                consents: events
                    .into_iter()
                    .map(|e| (e.item_id, e.decision))
                    .collect(),
                id,
                patient_id,
                created_at,
                language,
                export_state,
            });
        }
        self.record_event(actor.staff_id(), AuditKind::ListViewed, "submissions", now)?;
        Ok(out)
    }

    /// A submission in full, with answers and signature. Clinicians and managers only; the
    /// attempt by anyone else is refused before anything is opened. Logged.
    pub fn read_medical(
        &self, actor: &Actor, submission_id: &str, now: DateTime<Utc>,
    ) -> Result<MedicalRecord, StoreError> {
        actor.require_medical()?;
        let record = self.medical_record(submission_id)?;
        self.record_event(
            actor.staff_id(),
            AuditKind::RecordViewed,
            submission_id,
            now,
        )?;
        Ok(record)
    }

    /// A submission in full, opened; the caller checks the role and logs the access.
    pub(super) fn medical_record(&self, submission_id: &str) -> Result<MedicalRecord, StoreError> {
        submission_row(self.conn(), self.vault(), submission_id)?;
        let row = self.conn().query_row(
            "SELECT patient_id, form_hash, notice_hash, language, created_at, sealed_answers, sealed_signature
             FROM submissions WHERE id = ?1",
            [submission_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                    r.get::<_, Vec<u8>>(6)?,
                ))
            },
        );
        let (
            patient_id,
            form_hash,
            notice_hash,
            language,
            created_at,
            sealed_answers,
            sealed_signature,
        ) = match row {
            Ok(row) => row,
            Err(rusqlite::Error::QueryReturnedNoRows) => return Err(StoreError::NotFound),
            Err(e) => return Err(e.into()),
        };
        // What is sealed in the patient's forms must be what was last written: an answer put
        // back from before its correction is refused (`patient_records::form_seals`).
        let state = form_seals::check_patient(self.conn(), self.vault(), &patient_id)?;
        let answers_json = super::unseal(
            self.vault(),
            aad("sealed_answers", submission_id),
            &sealed_answers,
        )?;
        let signature_json = super::unseal(
            self.vault(),
            aad("sealed_signature", submission_id),
            &sealed_signature,
        )?;
        let form_definition_json =
            super::forms::stored_definition(self.conn(), self.vault(), &form_hash)?;
        let record = MedicalRecord {
            form_definition_json,
            submission_id: submission_id.to_owned(),
            identity: open_patient_against(self.conn(), self.vault(), &patient_id, &state)?.1,
            answers: serde_json::from_slice(&answers_json)?,
            signature: serde_json::from_slice(&signature_json)?,
            patient_id,
            form_hash,
            notice_hash,
            language,
            created_at,
        };
        Ok(record)
    }

    /// The wrong-patient guard: does `typed` equal this patient's stored date of birth? The date
    /// itself is never returned. Logged as a look-up of that patient.
    pub fn date_of_birth_matches(
        &self, actor: &Actor, patient_id: &str, typed: &str, now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let identity = open_identity(self.conn(), self.vault(), patient_id)?;
        let stored = crate::forms::identity::parse_date_of_birth(&identity.date_of_birth);
        let typed = crate::forms::identity::parse_date_of_birth(typed);
        self.record_event(actor.staff_id(), AuditKind::PatientLookup, patient_id, now)?;
        Ok(matches!((stored, typed), (Ok(a), Ok(b)) if a == b))
    }
    /// Submissions not yet delivered to the back office.
    pub fn pending_count(&self) -> Result<i64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM submissions WHERE export_state != 'delivered'",
            [],
            |r| r.get(0),
        )?)
    }
}
