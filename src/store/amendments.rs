//! Rectification: an amendment replaces the current value (a submission's answers, or the
//! patient's identity and contact details) and keeps the value it replaced, with who, when and
//! why, in the append-only `amendments` table. The current value stays where every reader looks.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::audit::{self, AuditKind};
use super::patient_records::form_seals::{self, Seals};
use super::patients::{identity_columns, open_identity, reseal_identity};
use super::submissions::aad;
use super::{Actor, OpenStore, StoreError};
use crate::forms::{Answers, PatientIdentity};
use crate::store::writing::Writing;
use crate::vault::{Aad, Vault, random_id};

/// The value an amendment replaced.
pub enum Previous {
    Answers(Answers),
    Identity(PatientIdentity),
    /// Medical answers, not shown to this role.
    Withheld,
}

/// One amendment, newest last.
pub struct Amendment {
    pub id: String,
    pub patient_id: String,
    /// The amended submission; `None` when the identity was amended.
    pub submission_id: Option<String>,
    pub staff_id: String,
    /// RFC 3339.
    pub amended_at: String,
    pub reason: String,
    pub previous: Previous,
}

fn amendment_aad<'a>(column: &'static str, id: &'a str) -> Aad<'a> {
    Aad {
        table: "amendments",
        column,
        row_id: id,
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_amendment(
    conn: &Connection, vault: &Vault, patient_id: &str, submission_id: Option<&str>,
    staff_id: &str, at: &str, previous_json: &[u8], reason: &str,
) -> Result<String, StoreError> {
    let id = random_id()?;
    let sealed_previous = vault.seal(amendment_aad("sealed_previous", &id), previous_json)?;
    let sealed_reason = vault.seal(amendment_aad("sealed_reason", &id), reason.as_bytes())?;
    use rusqlite::types::Value;
    let seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM amendments")?
        .query_row([], |r| r.get(0))?;
    super::row_auth::insert(
        conn,
        vault,
        "amendments",
        &[
            ("seq", Value::Integer(seq)),
            ("id", Value::Text(id.clone())),
            ("patient_id", Value::Text(patient_id.to_owned())),
            (
                "submission_id",
                submission_id.map_or(Value::Null, |s| Value::Text(s.to_owned())),
            ),
            ("staff_id", Value::Text(staff_id.to_owned())),
            ("amended_at", Value::Text(at.to_owned())),
            ("sealed_previous", Value::Blob(sealed_previous)),
            ("sealed_reason", Value::Blob(sealed_reason)),
        ],
    )?;
    Ok(id)
}

pub(super) fn require_reason(reason: &str) -> Result<&str, StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("say why the record is amended".into()));
    }
    if reason.len() > 2000 {
        return Err(StoreError::Invalid(
            "the reason is too long (2,000 characters at most)".into(),
        ));
    }
    Ok(reason)
}

impl OpenStore {
    /// Rectifies a submission's answers: the new answers become current, the old are kept in
    /// the history with who, when and why. Clinicians and managers only. Logged.
    pub fn amend_answers(
        &self, actor: &Actor, submission_id: &str, answers: &Answers, reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        actor.require_medical()?;
        let reason = require_reason(reason)?;
        let kind = AuditKind::Amended;
        self.logged_change(actor, kind, submission_id, now, |tx, at| {
            super::submissions::submission_row(tx, self.vault(), submission_id)?;
            let (patient_id, sealed, signature): (String, Vec<u8>, Vec<u8>) = tx
                .query_row(
                    "SELECT patient_id, sealed_answers, sealed_signature FROM submissions
                     WHERE id = ?1",
                    [submission_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .map_err(not_found)?;
            // The answers replaced must be the ones last written: a form put back from an
            // older copy is refused, not kept in the history as if it had been the record.
            let state = form_seals::check_patient(tx, self.vault(), &patient_id)?;
            let old_seal = Seals::of_form(self.vault(), submission_id, &sealed, &signature);
            let aad = || aad("sealed_answers", submission_id);
            let previous = super::unseal(self.vault(), aad(), &sealed)?;
            let id = insert_amendment(
                tx,
                self.vault(),
                &patient_id,
                Some(submission_id),
                actor.staff_id(),
                at,
                &previous,
                reason,
            )?;
            let sealed = super::seal_json(self.vault(), aad(), answers)?;
            let new_seal = Seals::of_form(self.vault(), submission_id, &sealed, &signature);
            super::row_auth::update_one(
                tx,
                self.vault(),
                "submissions",
                &super::row_auth::text_key(submission_id),
                &[("sealed_answers", rusqlite::types::Value::Blob(sealed))],
            )?;
            form_seals::replacing(tx, self.vault(), &patient_id, &state, old_seal, new_seal)?;
            Ok(id)
        })
    }

    /// Rectifies a patient's identity or contact details (any role: reception updates an
    /// address). The old details are kept in the history. Logged.
    pub fn amend_identity(
        &self, actor: &Actor, patient_id: &str, identity: &PatientIdentity, reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        super::merge::refuse_if_merged(&tx, self.vault(), patient_id)?;
        let id = amend_identity_in(
            &tx,
            self.vault(),
            actor.staff_id(),
            patient_id,
            identity,
            reason,
            &at,
        )?;
        tx.commit(self.vault())?;
        Ok(id)
    }

    /// A patient's amendments, oldest first. Replaced answers are shown to clinicians and
    /// managers only; reception sees that they were amended, by whom, when and why. Logged.
    pub fn amendments(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let list = amendments_of(
            self.conn(),
            self.vault(),
            patient_id,
            actor.may_see_medical(),
        )?;
        self.record_event(actor.staff_id(), AuditKind::RecordViewed, patient_id, now)?;
        Ok(list)
    }
}

/// A returning patient's visit as a form brings it.
pub(super) struct Visit<'a> {
    /// Who is recording it (the staff member importing).
    pub staff_id: &'a str,
    pub patient_id: &'a str,
    /// The details on the form.
    pub identity: &'a PatientIdentity,
    /// When the form was filled.
    pub at: DateTime<Utc>,
    /// Why the details change, for the amendment.
    pub reason: &'a str,
}

/// A returning patient's visit, known by the time the form was filled (`at`, RFC 3339 UTC), in
/// the caller's transaction — for forms that arrive in any order (bundles imported late). The
/// last visit only moves forward. The identity and contact details on the form replace the
/// stored ones only when the form is newer than both the last visit and the latest change of
/// details; a change is then an amendment (the replaced details kept, sealed, with who — the
/// staff member importing — when — the form's time — and why), never a silent overwrite. An
/// older form changes neither.
///
/// `stored` is the patient's identity, opened by the caller in the same transaction
/// ([`open_patient`](super::patients::open_patient)), `last_visit_at` their last visit (from
/// their visit state). The amendment is written here; the caller writes the returned changes to
/// the patient's row and moves the last visit itself.
pub(super) fn visit_changes(
    conn: &Connection, vault: &Vault, visit: &Visit<'_>, last_visit_at: &str,
    stored: PatientIdentity,
) -> Result<DetailsAfterVisit, StoreError> {
    let patient_id = visit.patient_id;
    let at = visit.at;
    let details_changed_at: Option<String> = conn
        .prepare_cached(
            "SELECT MAX(amended_at) FROM amendments WHERE patient_id = ?1 AND submission_id IS NULL",
        )?
        .query_row([patient_id], |r| r.get(0))?;
    let stored_time = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| StoreError::Encoding(format!("patient {patient_id}'s stored times")))
    };
    let last_visit = stored_time(last_visit_at)?;
    let details_since = match details_changed_at {
        Some(changed) => last_visit.max(stored_time(&changed)?),
        None => last_visit,
    };
    if at > details_since {
        // A field the form left blank keeps what is stored; spelling alone is no change.
        let identity = stored.updated_with(visit.identity);
        if stored != identity {
            keep_identity_in_history(
                conn,
                vault,
                visit.staff_id,
                patient_id,
                &stored,
                visit.reason,
                &at.to_rfc3339(),
            )?;
            let columns = identity_columns(vault, patient_id, &identity)?;
            return Ok(DetailsAfterVisit {
                held: identity,
                columns,
            });
        }
    }
    Ok(DetailsAfterVisit {
        held: stored,
        columns: Vec::new(),
    })
}

/// A patient's details after a visit ([`visit_changes`]).
pub(super) struct DetailsAfterVisit {
    /// The identity the patient now has.
    pub(super) held: PatientIdentity,
    /// The changes to the patient's row: its identity columns, none if the details stay.
    pub(super) columns: Vec<(&'static str, rusqlite::types::Value)>,
}

/// Rectifies a patient's identity inside the caller's transaction: the old details are kept
/// sealed in the history with who (`staff_id`), when and why, the new ones become current (with
/// their look-up indexes), and the audit log notes it. Shared by the desk's correction, a
/// confirmed returning patient's own update at the kiosk and a kiosk's update arriving at the
/// desk.
pub(super) fn amend_identity_in(
    conn: &Connection, vault: &Vault, staff_id: &str, patient_id: &str, identity: &PatientIdentity,
    reason: &str, at: &str,
) -> Result<String, StoreError> {
    identity.check()?;
    let previous = open_identity(conn, vault, patient_id)?;
    let id = keep_identity_in_history(conn, vault, staff_id, patient_id, &previous, reason, at)?;
    reseal_identity(conn, vault, patient_id, identity)?;
    audit::append(conn, vault, at, staff_id, AuditKind::Amended, patient_id)?;
    Ok(id)
}

/// Records, inside the caller's transaction, an amendment that keeps `previous` (identity JSON)
/// with who, when and why, without changing any current value (a merge keeps the duplicate's
/// details this way).
pub(super) fn keep_identity_in_history(
    conn: &Connection, vault: &Vault, staff_id: &str, patient_id: &str, previous: &PatientIdentity,
    reason: &str, at: &str,
) -> Result<String, StoreError> {
    let reason = require_reason(reason)?;
    let previous_json = crate::vault::json_wiped(previous)?;
    insert_amendment(
        conn,
        vault,
        patient_id,
        None,
        staff_id,
        at,
        previous_json.as_bytes(),
        reason,
    )
}

/// Every amendment of a patient, and of the records merged into theirs, opened; medical values
/// only when `medical`.
pub(super) fn amendments_of(
    conn: &Connection, vault: &Vault, patient_id: &str, medical: bool,
) -> Result<Vec<Amendment>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, submission_id, staff_id, amended_at, sealed_previous, sealed_reason, patient_id
         FROM amendments
         WHERE patient_id = ?1 OR patient_id IN (SELECT id FROM patients WHERE merged_into = ?1)
         ORDER BY seq",
    )?;
    let mut query = stmt.query([patient_id])?;
    let mut out = Vec::new();
    while let Some(r) = query.next()? {
        let seq: i64 = r.get(0)?;
        super::row_auth::check(
            conn,
            vault,
            "amendments",
            &[rusqlite::types::Value::Integer(seq)],
        )?;
        let id: String = r.get(1)?;
        let submission_id: Option<String> = r.get(2)?;
        let reason = super::unseal(
            vault,
            amendment_aad("sealed_reason", &id),
            &r.get::<_, Vec<u8>>(6)?,
        )?;
        let previous = match (&submission_id, medical) {
            (Some(_), false) => Previous::Withheld,
            (submission, _) => {
                let json = super::unseal(
                    vault,
                    amendment_aad("sealed_previous", &id),
                    &r.get::<_, Vec<u8>>(5)?,
                )?;
                if submission.is_some() {
                    Previous::Answers(serde_json::from_slice(&json)?)
                } else {
                    Previous::Identity(serde_json::from_slice(&json)?)
                }
            }
        };
        out.push(Amendment {
            reason: String::from_utf8_lossy(&reason).into_owned(),
            id,
            patient_id: r.get(7)?,
            submission_id,
            staff_id: r.get(3)?,
            amended_at: r.get(4)?,
            previous,
        });
    }
    Ok(out)
}

fn not_found(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        other => other.into(),
    }
}
