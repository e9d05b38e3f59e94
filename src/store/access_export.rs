//! The right of access and portability: everything the desk holds about one patient, opened, for
//! the formats in `exchange::access` (JSON, FHIR R4, a readable page). Managers; one audit entry.

use chrono::{DateTime, Utc};

use super::amendments::{Amendment, amendments_of};
use super::audit::{AuditEntry, AuditKind};
use super::patients::open_identity;
use super::{Actor, MedicalRecord, OpenStore, StoreError};
use crate::forms::{ConsentEvent, PatientIdentity};

/// A patient's whole record. Identity, answers and signatures are wiped when dropped.
pub struct PatientData {
    pub patient_id: String,
    pub identity: PatientIdentity,
    pub restricted_at: Option<String>,
    pub erasure_requested_at: Option<String>,
    /// Oldest first, each with the exact form definition it was filled with.
    pub submissions: Vec<MedicalRecord>,
    pub consents: Vec<ConsentEvent>,
    pub amendments: Vec<Amendment>,
    /// Who opened or changed the record, and when.
    pub access: Vec<AuditEntry>,
    /// The rights requests the patient made (who asked, how they were identified, the notes,
    /// the extension's reason and the outcome are about them too), oldest first.
    pub requests: Vec<super::RightsRequest>,
}

impl OpenStore {
    /// Everything about one patient, for their access or portability request. Managers (it
    /// holds medical data and the access log). Logged as one `exported` entry.
    pub fn patient_data(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<PatientData, StoreError> {
        actor.require_manager()?;
        let record = self.open_record(actor, patient_id, now)?;
        let ids = super::patient_records::patient_forms(self.conn(), self.vault(), patient_id)?;
        let mut submissions = ids
            .iter()
            .map(|id| self.medical_record(id))
            .collect::<Result<Vec<_>, _>>()?;
        submissions.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        let amendments = amendments_of(self.conn(), self.vault(), patient_id, true)?;
        // An entry about several records (a look-up that found namesakes, a merge) names only
        // this patient's here: the export is the patient's, and another record's reference (or
        // that a namesake born the same day exists) is not theirs to have.
        let access = self
            .access_history(actor, patient_id, now)?
            .into_iter()
            .map(|mut entry| {
                if entry.subject.split(',').nth(1).is_some() {
                    entry.subject = patient_id.to_owned();
                }
                entry
            })
            .collect();
        self.record_event(
            actor.staff_id(),
            AuditKind::Exported,
            &format!("access:{patient_id}"),
            now,
        )?;
        let mut requests = super::patients::requests_of_patient(self.conn(), patient_id)?
            .iter()
            .map(|id| self.rights_request(id))
            .collect::<Result<Vec<_>, _>>()?;
        requests.sort_by(|a, b| (a.received_on, &a.id).cmp(&(b.received_on, &b.id)));
        Ok(PatientData {
            patient_id: patient_id.to_owned(),
            identity: open_identity(self.conn(), self.vault(), patient_id)?,
            restricted_at: record.restricted_at.clone(),
            erasure_requested_at: record.erasure_requested_at.clone(),
            submissions,
            consents: record.consents.clone(),
            amendments,
            access,
            requests,
        })
    }
}
