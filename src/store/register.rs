//! The desk's patient register: one patient's record by need-to-know, who opened it, and the
//! unusual-access flags for the home screen.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use rusqlite::params;

use super::audit::{AuditEntry, AuditKind};
use super::patient_records::{LAST_VISIT, Listed, RESTRICTED, form_seals, state_row};
use super::patients::open_patient_against;
use super::{Actor, OpenStore, StoreError};
use crate::forms::{ConsentEvent, PatientIdentity};
use crate::rights::{AccessEvent, Flag, Thresholds};

/// One submission as listed on a record: when, which form version, where from, how often amended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionEntry {
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    pub form_id: String,
    pub form_version: String,
    pub form_hash: String,
    /// The kiosk it came from; `None` for one taken on this machine.
    pub source: Option<String>,
    /// 1 for the original; one more per amendment.
    pub version: usize,
}

/// A patient's record as this role may see it. Wiped identity on drop (see `PatientIdentity`).
pub struct PatientRecord {
    pub patient_id: String,
    pub identity: PatientIdentity,
    /// RFC 3339.
    pub last_visit_at: String,
    pub restricted_at: Option<String>,
    pub erasure_requested_at: Option<String>,
    /// The record this duplicate was merged into, and when (RFC 3339); `None` for a record in use.
    pub merged_into: Option<(String, String)>,
    /// Consent events, oldest first (every role: consent state is not medical).
    pub consents: Vec<ConsentEvent>,
    /// Submissions, newest first: clinicians and managers only (`None` for reception).
    pub submissions: Option<Vec<SubmissionEntry>>,
}

fn form_version(definition_json: Option<&str>) -> (String, String) {
    definition_json
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .map(|v| {
            (
                v["id"].as_str().unwrap_or("").to_owned(),
                v["version"].as_str().unwrap_or("").to_owned(),
            )
        })
        .unwrap_or_default()
}

impl OpenStore {
    /// Opens a patient's record for the desk: identity, contact and consents for every role;
    /// submissions (with form version and amendment count) for clinicians and managers. One
    /// `record_viewed` audit entry per open.
    pub fn open_record(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<PatientRecord, StoreError> {
        let patient = super::patients::patient_row(self.conn(), self.vault(), patient_id)?;
        let state = state_row(self.conn(), self.vault(), patient_id)?;
        let last_visit_at = state.text(LAST_VISIT)?;
        let restricted_at = state.opt_text(RESTRICTED)?;
        let erasure_requested_at = patient.opt_text("erasure_requested_at")?;
        let merged_into = patient.opt_text("merged_into")?;
        let merged_at = patient.opt_text("merged_at")?;
        let (_, identity) = open_patient_against(self.conn(), self.vault(), patient_id, &state)?;
        // The patient's chains, walked once for the consents and the forms.
        let Listed { forms, ledger } = Listed::read(self.conn(), self.vault(), patient_id, &state)?;
        // Every role: a form put back from an older copy shows at the record's opening.
        form_seals::check(self.conn(), self.vault(), patient_id, &state, &forms)?;
        let consents = super::submissions::consent_events_in(
            self.conn(),
            self.vault(),
            patient_id,
            &patient,
            &state,
            &ledger,
        )?;
        let submissions = if actor.may_see_medical() {
            // The forms of the patient's (checked) chain, newest first; one gone is refused.
            let listed = serde_json::to_string(&forms)?;
            let ids: Vec<(String, i64)> = self
                .conn()
                .prepare_cached(
                    "SELECT s.id, (SELECT count(*) FROM amendments a WHERE a.submission_id = s.id)
                     FROM submissions s WHERE s.id IN (SELECT value FROM json_each(?1))
                     ORDER BY s.created_at DESC",
                )?
                .query_map([listed], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            if ids.len() != forms.len() {
                return Err(StoreError::tampered(
                    "submissions",
                    format!("of {patient_id}"),
                ));
            }
            let mut entries = Vec::with_capacity(ids.len());
            // A patient's forms mostly share one definition: each is read, checked against its
            // hash and parsed once per open, not once per form.
            let mut versions: HashMap<String, (String, String)> = HashMap::new();
            for (id, amendments) in ids {
                let row = super::submissions::submission_row(self.conn(), self.vault(), &id)?;
                if row.text("patient_id")? != patient_id {
                    return Err(StoreError::tampered("submissions", &id));
                }
                let form_hash = row.text("form_hash")?;
                let (form_id, form_version) = match versions.get(&form_hash) {
                    Some(known) => known.clone(),
                    None => {
                        let definition =
                            super::forms::stored_definition(self.conn(), self.vault(), &form_hash)?;
                        let read = form_version(definition.as_deref());
                        versions.insert(form_hash.clone(), read.clone());
                        read
                    }
                };
                entries.push(SubmissionEntry {
                    id,
                    created_at: row.text("created_at")?,
                    form_hash,
                    source: row.opt_text("source")?,
                    form_id,
                    form_version,
                    version: 1 + usize::try_from(amendments).unwrap_or(0),
                });
            }
            Some(entries)
        } else {
            None
        };
        self.record_event(actor.staff_id(), AuditKind::RecordViewed, patient_id, now)?;
        Ok(PatientRecord {
            patient_id: patient_id.to_owned(),
            identity,
            last_visit_at,
            restricted_at,
            erasure_requested_at,
            merged_into: merged_into.map(|id| (id, merged_at.unwrap_or_default())),
            consents,
            submissions,
        })
    }

    /// Who opened, looked up, changed or exported this patient's record, and when: what a
    /// patient may ask for. Entries about the patient or any of their submissions, oldest first.
    /// Managers. The listing is itself logged.
    pub fn access_history(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        actor.require_manager()?;
        let forms = super::patient_records::patient_forms(self.conn(), self.vault(), patient_id)?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, at, actor, kind, subject FROM audit_log
             WHERE subject = ?1
                OR subject IN (SELECT value FROM json_each(?2))
                OR (kind IN ('patient_lookup', 'exported', 'merged') AND instr(subject, ?1) > 0)
             ORDER BY seq",
        )?;
        let entries: Vec<AuditEntry> = stmt
            .query_map(
                [patient_id, serde_json::to_string(&forms)?.as_str()],
                super::audit::entry_from_row,
            )?
            .collect::<Result<_, _>>()?;
        self.record_event(
            actor.staff_id(),
            AuditKind::ListViewed,
            &format!("access:{patient_id}"),
            now,
        )?;
        Ok(entries)
    }

    /// The clinic's thresholds for unusual access, from settings (`flags.records`,
    /// `flags.window_minutes`, `flags.failed_pins`, `hours.opens`, `hours.closes` as HH:MM local,
    /// `hours.time_zone`), defaults otherwise.
    pub fn oversight_thresholds(&self) -> Result<Thresholds, StoreError> {
        let mut t = Thresholds::default();
        let invalid = |key: &str| StoreError::Invalid(format!("setting {key} is not valid"));
        if let Some(v) = self.setting("flags.records")? {
            t.records = v.trim().parse().map_err(|_| invalid("flags.records"))?;
        }
        if let Some(v) = self.setting("flags.window_minutes")? {
            let minutes: i64 = v
                .trim()
                .parse()
                .map_err(|_| invalid("flags.window_minutes"))?;
            t.window = Duration::minutes(minutes.clamp(1, 24 * 60));
        }
        if let Some(v) = self.setting("flags.failed_pins")? {
            t.failed_pins = v.trim().parse().map_err(|_| invalid("flags.failed_pins"))?;
        }
        for (key, slot) in [
            ("hours.opens", &mut t.opens),
            ("hours.closes", &mut t.closes),
        ] {
            if let Some(v) = self.setting(key)? {
                *slot = NaiveTime::parse_from_str(v.trim(), "%H:%M").map_err(|_| invalid(key))?;
            }
        }
        t.zone = self.clinic_zone()?;
        Ok(t)
    }

    /// Unusual access since `since` (see [`crate::rights::oversight`]). Managers.
    pub fn unusual_access(
        &self, actor: &Actor, since: DateTime<Utc>,
    ) -> Result<Vec<Flag>, StoreError> {
        actor.require_manager()?;
        let thresholds = self.oversight_thresholds()?;
        let mut stmt = self.conn().prepare(
            "SELECT at, actor, kind, subject FROM audit_log
             WHERE at >= ?1 AND kind IN ('record_viewed', 'patient_lookup', 'exported', 'list_viewed', 'sign_in_failed')
             ORDER BY seq",
        )?;
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map(params![since.to_rfc3339()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        // Each kiosk's wrong PINs, as its bundles brought them; the "actor" is the device.
        let kiosk_rows: Vec<(String, String, String, String)> = self
            .conn()
            .prepare(
                "SELECT at, 'kiosk:' || kiosk_id, 'sign_in_failed', '' FROM kiosk_security_events
                 WHERE at >= ?1 AND kind = 'sign_in_failed' ORDER BY at",
            )?
            .query_map(params![since.to_rfc3339()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        let events: Vec<AccessEvent> = rows
            .into_iter()
            .chain(kiosk_rows)
            .filter_map(|(at, actor, kind, subject)| {
                let at = DateTime::parse_from_rfc3339(&at).ok()?.with_timezone(&Utc);
                Some(AccessEvent {
                    at,
                    actor,
                    kind,
                    subject,
                })
            })
            .collect::<Vec<_>>();
        let mut events = events;
        events.sort_by_key(|e| e.at);
        Ok(crate::rights::unusual_access(&events, &thresholds))
    }
}
