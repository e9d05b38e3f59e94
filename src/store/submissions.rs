//! Submissions and their consent events: saved sealed in one durable transaction; read back by
//! need-to-know (reception sees who and which consents, never answers or signatures).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

use super::audit::{self, AuditKind};
use super::patients::{insert_patient, open_identity};
use super::returning::{ConfirmedPatient, join_confirmed};
use super::{Actor, OpenStore, StoreError};
use crate::forms::{Answers, ConsentDecision, ConsentEvent, Decision, PatientIdentity, Signature};
use crate::vault::{Aad, Vault, random_id};

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
    pub form_hash: String,
    /// The definition's canonical JSON, whose content hash is `form_hash`; stored once per hash.
    pub form_definition_json: String,
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

pub(super) fn event_aad(event_id: &str) -> Aad<'_> {
    Aad {
        table: "consent_events",
        column: "sealed_event",
        row_id: event_id,
    }
}

/// Appends one consent event inside the caller's transaction.
pub(super) fn append_consent_event(
    conn: &Connection,
    vault: &Vault,
    event: &ConsentEvent,
) -> Result<(), StoreError> {
    let json = serde_json::to_vec(event)?;
    let sealed = vault.seal(event_aad(&event.id), &json)?;
    conn.prepare_cached(
        "INSERT INTO consent_events (id, patient_id, submission_id, recorded_at, sealed_event) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![event.id, event.patient_id, event.submission_id, event.recorded_at, sealed])?;
    Ok(())
}

pub(super) fn consent_events(
    conn: &Connection,
    vault: &Vault,
    sql: &str,
    key: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows: Vec<(String, Vec<u8>)> = stmt
        .query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.iter()
        .map(|(id, sealed)| {
            let json = vault
                .open(event_aad(id), sealed)
                .map_err(|_| StoreError::Tampered)?;
            let event: ConsentEvent = serde_json::from_slice(&json)?;
            if &event.id != id {
                return Err(StoreError::Tampered);
            }
            Ok(event)
        })
        .collect()
}

/// Every consent event of a patient, oldest first, opened and checked against its row id.
pub(super) fn patient_consent_events(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let mut events = consent_events(
        conn,
        vault,
        "SELECT id, sealed_event FROM consent_events WHERE patient_id = ?1 ORDER BY seq",
        patient_id,
    )?;
    in_time_order(&mut events);
    Ok(events)
}

/// Puts events stored in ledger order into the order they were decided (`recorded_at`), so the
/// latest decision is last even when an older one was entered later: a merged record's earlier
/// decisions, re-recorded under the surviving patient, must not override a later withdrawal.
/// Events recorded at the same time keep their ledger order; an unreadable time counts as oldest.
pub(super) fn in_time_order(events: &mut [ConsentEvent]) {
    events.sort_by_cached_key(|e| {
        DateTime::parse_from_rfc3339(&e.recorded_at)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    });
}

impl OpenStore {
    /// Saves a completed form: the patient (new or returning), the sealed answers and signature,
    /// and one consent event per decision, in one transaction committed with synchronous=FULL.
    /// When this returns `Ok`, the submission survives a crash or power cut.
    pub fn save_submission(
        &mut self,
        actor: &Actor,
        submission: NewSubmission,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let at = now.to_rfc3339();
        let submission_id = random_id()?;
        let answers_json = Zeroizing::new(serde_json::to_vec(&submission.answers)?);
        let sealed_answers = self
            .vault()
            .seal(aad("sealed_answers", &submission_id), &answers_json)?;
        let signature_json = Zeroizing::new(serde_json::to_vec(&submission.signature)?);
        let sealed_signature = self
            .vault()
            .seal(aad("sealed_signature", &submission_id), &signature_json)?;

        // The definition must be what its hash says: a mismatch is a programming error upstream,
        // and storing it would make the record lie about what the patient saw.
        if crate::vault::content_hash(submission.form_definition_json.as_bytes())
            != submission.form_hash
        {
            return Err(StoreError::Encoding(
                "the form definition does not match its hash".into(),
            ));
        }
        let tx = self.conn().unchecked_transaction()?;
        tx.prepare_cached("INSERT OR IGNORE INTO form_definitions (hash, definition_json, first_used_at) VALUES (?1, ?2, ?3)")?
            .execute(params![submission.form_hash, submission.form_definition_json, at])?;
        let patient_id = match &submission.patient {
            PatientRef::New(identity) => insert_patient(&tx, self.vault(), identity, &at)?,
            PatientRef::Returning { patient, details } => {
                join_confirmed(&tx, self.vault(), actor, patient, details.as_ref(), &at)?
            }
        };
        tx.prepare_cached(
            "INSERT INTO submissions (id, patient_id, staff_id, created_at, form_hash, notice_hash, language, sealed_answers, sealed_signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            submission_id,
            patient_id,
            actor.staff_id(),
            at,
            submission.form_hash,
            submission.notice_hash,
            submission.language,
            sealed_answers,
            sealed_signature
        ])?;
        for decision in &submission.consents {
            let event = self.consent_event(&patient_id, Some(&submission_id), decision, &at)?;
            append_consent_event(&tx, self.vault(), &event)?;
        }
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::SubmissionSaved,
            &submission_id,
        )?;
        tx.commit()?;
        Ok(submission_id)
    }

    /// Submissions saved since `since`, newest first: who, when, which consents. Any role. Logged.
    pub fn submissions_since(
        &self,
        actor: &Actor,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
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
            let identity = open_identity(self.conn(), self.vault(), &patient_id)?;
            let events = consent_events(
                self.conn(),
                self.vault(),
                "SELECT id, sealed_event FROM consent_events WHERE submission_id = ?1 ORDER BY seq",
                &id,
            )?;
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
        &self,
        actor: &Actor,
        submission_id: &str,
        now: DateTime<Utc>,
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
        let answers_json = self
            .vault()
            .open(aad("sealed_answers", submission_id), &sealed_answers)
            .map_err(|_| StoreError::Tampered)?;
        let signature_json = self
            .vault()
            .open(aad("sealed_signature", submission_id), &sealed_signature)
            .map_err(|_| StoreError::Tampered)?;
        let form_definition_json: Option<String> = self
            .conn()
            .prepare_cached("SELECT definition_json FROM form_definitions WHERE hash = ?1")?
            .query_row([&form_hash], |r| r.get(0))
            .optional()?;
        let record = MedicalRecord {
            form_definition_json,
            submission_id: submission_id.to_owned(),
            identity: open_identity(self.conn(), self.vault(), &patient_id)?,
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

    /// Every consent event of a patient, oldest first. Any role (consent state is not medical).
    pub fn consent_history(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<ConsentEvent>, StoreError> {
        let events = patient_consent_events(self.conn(), self.vault(), patient_id)?;
        self.record_event(actor.staff_id(), AuditKind::RecordViewed, patient_id, now)?;
        Ok(events)
    }

    /// Records a later consent decision (e.g. withdrawal of SMS marketing) as a new event.
    pub fn record_consent(
        &self,
        actor: &Actor,
        patient_id: &str,
        decision: &ConsentDecision,
        now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError> {
        let at = now.to_rfc3339();
        let event = self.consent_event(patient_id, None, decision, &at)?;
        let tx = self.conn().unchecked_transaction()?;
        super::merge::refuse_if_merged(&tx, patient_id)?;
        append_consent_event(&tx, self.vault(), &event)?;
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::ConsentRecorded,
            patient_id,
        )?;
        tx.commit()?;
        Ok(event)
    }

    /// A new ledger event for `decision`. A decision taken with a signed submission refers to
    /// that submission's signature; a later one (e.g. a withdrawal at the desk) has none.
    fn consent_event(
        &self,
        patient_id: &str,
        submission_id: Option<&str>,
        decision: &ConsentDecision,
        at: &str,
    ) -> Result<ConsentEvent, StoreError> {
        Ok(ConsentEvent {
            id: random_id()?,
            patient_id: patient_id.to_owned(),
            submission_id: submission_id.map(str::to_owned),
            item_id: decision.item_id.clone(),
            decision: decision.decision,
            text_hash: decision.text_hash.clone(),
            text_version: decision.text_version.clone(),
            language: decision.language.clone(),
            recorded_at: at.to_owned(),
            device_id: self.device_id().to_owned(),
            signature_ref: submission_id.map(str::to_owned),
        })
    }

    /// The wrong-patient guard: does `typed` equal this patient's stored date of birth? The date
    /// itself is never returned. Logged as a look-up of that patient.
    pub fn date_of_birth_matches(
        &self,
        actor: &Actor,
        patient_id: &str,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let identity = open_identity(self.conn(), self.vault(), patient_id)?;
        let stored = crate::forms::identity::parse_date_of_birth(&identity.date_of_birth);
        let typed = crate::forms::identity::parse_date_of_birth(typed);
        self.record_event(actor.staff_id(), AuditKind::PatientLookup, patient_id, now)?;
        Ok(matches!((stored, typed), (Ok(a), Ok(b)) if a == b))
    }

    /// A patient's current decision per consent item, derived from the ledger. Logged.
    pub fn current_consents(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<std::collections::BTreeMap<String, Decision>, StoreError> {
        Ok(crate::forms::current_state(
            &self.consent_history(actor, patient_id, now)?,
        ))
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
