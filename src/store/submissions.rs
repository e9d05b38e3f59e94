//! Submissions and their consent events: saved sealed in one durable transaction; read back by
//! need-to-know (reception sees who and which consents, never answers or signatures).

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use zeroize::Zeroizing;

use super::audit::{self, AuditKind};
use super::patients::{insert_patient, open_identity, set_patient};
use super::returning::{ConfirmedPatient, join_confirmed};
use super::row_auth::{self, text_key};
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

/// Appends consent events of one patient inside the caller's transaction: each row tagged, and
/// the patient's consent chain carried forward over them.
pub(super) fn append_consent_events(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
    events: &[ConsentEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let key = text_key(patient_id);
    let patient = row_auth::get(conn, vault, "patients", &key)?.ok_or(StoreError::NotFound)?;
    let mut head = patient.opt_blob("consent_head")?.unwrap_or_default();
    // Rowids only grow (see the schema): the next numbers follow the largest, read once.
    let mut seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM consent_events")?
        .query_row([], |r| r.get(0))?;
    for event in events {
        if event.patient_id != patient_id {
            return Err(StoreError::Encoding(
                "internal: a consent event for another patient".into(),
            ));
        }
        let json = Zeroizing::new(serde_json::to_vec(event)?);
        let sealed = vault.seal(event_aad(&event.id), &json)?;
        seq += 1;
        let tag = row_auth::insert_tagged(
            conn,
            vault,
            "consent_events",
            &[
                ("seq", Value::Integer(seq)),
                ("id", Value::Text(event.id.clone())),
                ("patient_id", Value::Text(event.patient_id.clone())),
                (
                    "submission_id",
                    event.submission_id.clone().map_or(Value::Null, Value::Text),
                ),
                ("recorded_at", Value::Text(event.recorded_at.clone())),
                ("sealed_event", Value::Blob(sealed)),
            ],
        )?;
        head = row_auth::consent_head(vault, &head, &tag).to_vec();
    }
    row_auth::update_checked(
        conn,
        vault,
        "patients",
        &key,
        patient,
        &[("consent_head", Value::Blob(head))],
    )
}

/// Opens consent event rows selected as `seq, id, sealed_event`, each row checked.
pub(super) fn consent_events(
    conn: &Connection,
    vault: &Vault,
    sql: &str,
    key: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows: Vec<(i64, String, Vec<u8>)> = stmt
        .query_map([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    rows.iter()
        .map(|(seq, id, sealed)| open_event(conn, vault, *seq, id, sealed))
        .collect()
}

/// One consent event: its row checked, its sealed value opened and matched to the row.
pub(super) fn open_event(
    conn: &Connection,
    vault: &Vault,
    seq: i64,
    id: &str,
    sealed: &[u8],
) -> Result<ConsentEvent, StoreError> {
    let row = row_auth::get(conn, vault, "consent_events", &[Value::Integer(seq)])?
        .ok_or_else(|| StoreError::tampered("consent_events", seq))?;
    checked_event(vault, &row, seq, id, sealed)
}

/// One consent event whose row was read and checked already (see [`row_auth::verify`]): its
/// sealed value opened and matched to the row.
pub(super) fn checked_event(
    vault: &Vault,
    row: &row_auth::Row,
    seq: i64,
    id: &str,
    sealed: &[u8],
) -> Result<ConsentEvent, StoreError> {
    let json = super::unseal(vault, event_aad(id), sealed)?;
    let event: ConsentEvent = serde_json::from_slice(&json)?;
    if event.id != id
        || row.text("id")? != id
        || row.text("patient_id")? != event.patient_id
        || row.text("recorded_at")? != event.recorded_at
    {
        return Err(StoreError::tampered("consent_events", seq));
    }
    Ok(event)
}

/// Every consent event of a patient, oldest first: each row checked, and the chain over them
/// checked against the head in the patient's (checked) row, so a deleted, added or reordered
/// event is refused.
pub(super) fn patient_consent_events(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let patient = row_auth::get(conn, vault, "patients", &text_key(patient_id))?
        .ok_or(StoreError::NotFound)?;
    let rows: Vec<(i64, String, Vec<u8>, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT seq, id, sealed_event, row_tag FROM consent_events WHERE patient_id = ?1 ORDER BY seq",
        )?
        .query_map([patient_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<Vec<u8>>>(3)?.unwrap_or_default()))
        })?
        .collect::<Result<_, _>>()?;
    let mut head: Vec<u8> = Vec::new();
    let mut events = Vec::with_capacity(rows.len());
    for (seq, id, sealed, tag) in &rows {
        events.push(open_event(conn, vault, *seq, id, sealed)?);
        head = row_auth::consent_head(vault, &head, tag).to_vec();
    }
    // A decision taken with a form belongs to that form's patient: an event whose form is gone,
    // or was moved to another patient, is refused.
    let astray: Option<i64> = conn
        .prepare_cached(
            "SELECT e.seq FROM consent_events e WHERE e.patient_id = ?1 AND e.submission_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = e.submission_id
                 AND (s.patient_id = e.patient_id
                      OR s.patient_id = (SELECT p.merged_into FROM patients p WHERE p.id = e.patient_id)))
             LIMIT 1",
        )?
        .query_row([patient_id], |r| r.get(0))
        .optional()?;
    if let Some(seq) = astray {
        return Err(StoreError::tampered(
            "submissions",
            format!("of consent event {seq}"),
        ));
    }
    let stored = patient.opt_blob("consent_head")?.unwrap_or_default();
    if !crate::vault::constant_time_eq(&head, &stored) {
        return Err(StoreError::tampered("consent_events", patient_id));
    }
    Ok(events)
}

/// Carries a patient's consent chain over the events left after some were deleted (purge,
/// erasure). The caller checked the whole chain before deleting.
pub(super) fn rechain_consents(
    conn: &Connection,
    vault: &Vault,
    patient_id: &str,
) -> Result<(), StoreError> {
    let rows: Vec<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT seq, row_tag FROM consent_events WHERE patient_id = ?1 ORDER BY seq",
        )?
        .query_map([patient_id], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<Vec<u8>>>(1)?.unwrap_or_default(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut head = Vec::new();
    for (seq, tag) in &rows {
        row_auth::check(conn, vault, "consent_events", &[Value::Integer(*seq)])?;
        head = row_auth::consent_head(vault, &head, tag).to_vec();
    }
    let value = if rows.is_empty() {
        Value::Null
    } else {
        Value::Blob(head)
    };
    set_patient(conn, vault, patient_id, &[("consent_head", value)])
}

fn every_patient(conn: &Connection) -> Result<Vec<String>, StoreError> {
    Ok(conn
        .prepare("SELECT id FROM patients")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Sets every patient's consent head from the events it has (tagged just before): the one-time
/// step of a database written before consent chains were kept.
pub(super) fn start_every_consent_chain(
    conn: &Connection,
    vault: &Vault,
) -> Result<(), StoreError> {
    let ids = every_patient(conn)?;
    for id in ids {
        let tags: Vec<Vec<u8>> = conn
            .prepare_cached(
                "SELECT row_tag FROM consent_events WHERE patient_id = ?1 ORDER BY seq",
            )?
            .query_map([&id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let head = tags.iter().fold(Vec::new(), |head, tag| {
            row_auth::consent_head(vault, &head, tag).to_vec()
        });
        let value = if tags.is_empty() {
            Value::Null
        } else {
            Value::Blob(head)
        };
        set_patient(conn, vault, &id, &[("consent_head", value)])?;
    }
    Ok(())
}

/// Checks every patient's consent chain (the whole-database check).
pub(super) fn check_every_consent_chain(
    conn: &Connection,
    vault: &Vault,
) -> Result<(), StoreError> {
    let ids = every_patient(conn)?;
    for id in ids {
        patient_consent_events(conn, vault, &id)?;
    }
    // An event whose patient is gone belongs to no chain: refused too.
    let orphan: Option<i64> = conn
        .query_row(
            "SELECT seq FROM consent_events WHERE patient_id NOT IN (SELECT id FROM patients) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(seq) = orphan {
        return Err(StoreError::tampered("consent_events", seq));
    }
    Ok(())
}

/// Stores a form definition by its content hash, once. An existing row is left as it is (not read
/// here: every read of a definition checks its row and its hash).
pub(super) fn store_form_definition(
    conn: &Connection,
    vault: &Vault,
    hash: &str,
    json: &str,
    at: &str,
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
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_submission(
    conn: &Connection,
    vault: &Vault,
    row: &SubmissionRow<'_>,
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
}

/// The checked row of a submission; `NotFound` when there is none.
pub(super) fn submission_row(
    conn: &Connection,
    vault: &Vault,
    submission_id: &str,
) -> Result<row_auth::Row, StoreError> {
    row_auth::get(conn, vault, "submissions", &text_key(submission_id))?.ok_or(StoreError::NotFound)
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
        store_form_definition(
            &tx,
            self.vault(),
            &submission.form_hash,
            &submission.form_definition_json,
            &at,
        )?;
        let patient_id = match &submission.patient {
            PatientRef::New(identity) => insert_patient(&tx, self.vault(), identity, &at)?,
            PatientRef::Returning { patient, details } => {
                join_confirmed(&tx, self.vault(), actor, patient, details.as_ref(), &at)?
            }
        };
        insert_submission(
            &tx,
            self.vault(),
            &SubmissionRow {
                id: &submission_id,
                patient_id: &patient_id,
                staff_id: actor.staff_id(),
                created_at: &at,
                form_hash: &submission.form_hash,
                notice_hash: &submission.notice_hash,
                language: &submission.language,
                sealed_answers: &sealed_answers,
                sealed_signature: &sealed_signature,
                source: None,
                export_state: "pending",
            },
        )?;
        let events = submission
            .consents
            .iter()
            .map(|decision| self.consent_event(&patient_id, Some(&submission_id), decision, &at))
            .collect::<Result<Vec<_>, _>>()?;
        append_consent_events(&tx, self.vault(), &patient_id, &events)?;
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
            let row = submission_row(self.conn(), self.vault(), &id)?;
            if row.text("patient_id")? != patient_id {
                return Err(StoreError::tampered("submissions", &id));
            }
            if row.text("export_state")? != export_state {
                // Shown as exported because of a mark: the mark must be sound.
                row_auth::check(self.conn(), self.vault(), "export_marks", &text_key(&id))?;
            }
            let identity = open_identity(self.conn(), self.vault(), &patient_id)?;
            let events = consent_events(
                self.conn(),
                self.vault(),
                "SELECT seq, id, sealed_event FROM consent_events WHERE submission_id = ?1 ORDER BY seq",
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

    /// Records a later consent decision (e.g. withdrawal of SMS marketing) as a new event, which
    /// is the item's current decision from now on. It is dated now — or, when the item's current
    /// decision carries a later time (a kiosk whose clock runs up to the allowed skew ahead), at
    /// that time, which the tie rule of [`crate::forms::current_events`] gives to this later
    /// event: a withdrawal at the desk always takes effect at once.
    pub fn record_consent(
        &self,
        actor: &Actor,
        patient_id: &str,
        decision: &ConsentDecision,
        now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError> {
        let at = now.to_rfc3339();
        let tx = self.conn().unchecked_transaction()?;
        super::merge::refuse_if_merged(&tx, self.vault(), patient_id)?;
        let history = patient_consent_events(&tx, self.vault(), patient_id)?;
        let decided_at = crate::forms::current_events(&history)
            .get(&decision.item_id)
            .and_then(|current| DateTime::parse_from_rfc3339(current.recorded_at.trim()).ok())
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t > now)
            .map_or_else(|| at.clone(), |t| t.to_rfc3339());
        let event = self.consent_event(patient_id, None, decision, &decided_at)?;
        append_consent_events(&tx, self.vault(), patient_id, std::slice::from_ref(&event))?;
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
