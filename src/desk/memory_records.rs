//! An in-memory [`DeskRecords`] for the desk controller's unit tests (test builds only: through
//! the shared in-memory staff it can make an [`Actor`], which only the store may do in a release
//! build).
//!
//! It models what the controller's own behaviour depends on — patients with their identity,
//! consents and restriction, requests and breaches — with the store's role checks; staff, PINs,
//! keys and the audit events are the in-memory staff the kiosk's fake uses too
//! ([`MemoryStaff`]), and settings, checked as the store checks them. Submissions, forms and
//! files are not modelled: those calls answer `NotFound`, and the integration tests cover them against the sealed store.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};

use super::DeskRecords;
use crate::exchange::ExchangeError;
use crate::exchange::access::AccessExport;
use crate::exchange::desk_side::{Answered, BundleOutcome, Confirmed, KnownKiosk, PairingCode};
use crate::forms::{Answers, ConsentEvent, Decision, PatientIdentity};
use crate::rights::{ErasureStatement, Flag, RequestStatus, due_date};
use crate::staff::Role;
use crate::store::memory_staff::{HoldsStaff, MemoryStaff, store_setting};
use crate::store::{
    Actor, Amendment, AuditEntry, AuditKind, Breach, ChainCheck, HandedOnForm, KioskLink,
    ListedPatient, MedicalRecord, MergeReport, NewBreach, NewRightsRequest, PatientRecord,
    RetentionReport, RightsRequest, StaffAdmin, StoreError,
};

/// One patient in the fake.
#[derive(Clone, Default)]
pub struct FakePatient {
    pub identity: PatientIdentity,
    pub consents: Vec<ConsentEvent>,
    pub restricted: bool,
}

/// The patients' side of the fake; tests read it through [`MemoryDesk::state`].
#[derive(Default)]
pub struct FakeState {
    pub patients: BTreeMap<String, FakePatient>,
    pub requests: Vec<RightsRequest>,
    pub breaches: Vec<Breach>,
    pub settings: BTreeMap<String, String>,
    /// The newest time recorded since the clock was last confirmed (set by a test; a
    /// confirmation sets it to its own time).
    pub newest_recorded: Option<DateTime<Utc>>,
}

/// The fake; clones share one state and one staff.
#[derive(Clone, Default)]
pub struct MemoryDesk {
    state: Arc<Mutex<FakeState>>,
    staff: MemoryStaff,
}

impl MemoryDesk {
    /// Staff as (id, name, role, PIN).
    pub fn with_staff(staff: &[(&str, &str, Role, &str)]) -> MemoryDesk {
        let staff = staff
            .iter()
            .map(|&(id, name, role, pin)| (id.to_owned(), name, role, pin));
        MemoryDesk {
            staff: MemoryStaff::new(staff),
            ..MemoryDesk::default()
        }
    }

    pub fn add_patient(&self, id: &str, given: &str, family: &str, born: &str, granted: &[&str]) {
        let mut identity = PatientIdentity::default();
        given.clone_into(&mut identity.given_name);
        family.clone_into(&mut identity.family_name);
        born.clone_into(&mut identity.date_of_birth);
        let consents = granted
            .iter()
            .map(|item| consent(id, item, Decision::Granted, "2026-01-01T09:00:00Z"))
            .collect();
        self.state().patients.insert(
            id.into(),
            FakePatient {
                identity,
                consents,
                restricted: false,
            },
        );
    }

    pub fn state(&self) -> MutexGuard<'_, FakeState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn log(&self, actor: &Actor, kind: AuditKind, subject: &str) {
        self.staff.log(actor, kind, subject);
    }

    fn patient<T>(&self, id: &str, f: impl FnOnce(&mut FakePatient) -> T) -> Result<T, StoreError> {
        self.state()
            .patients
            .get_mut(id)
            .map(f)
            .ok_or(StoreError::NotFound)
    }
}

fn consent(patient: &str, item: &str, decision: Decision, at: &str) -> ConsentEvent {
    ConsentEvent {
        id: format!("{patient}-{item}-{at}"),
        patient_id: patient.into(),
        submission_id: None,
        item_id: item.into(),
        decision,
        text_hash: String::new(),
        text_version: String::new(),
        language: "en".into(),
        recorded_at: at.into(),
        device_id: "desk".into(),
        signature_ref: None,
    }
}

/// What the fake's lists hold: entries found by id.
trait Entry {
    fn id(&self) -> &str;
}

impl Entry for RightsRequest {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Entry for Breach {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The entry `id` of `list`, for a manager to change.
fn entry<'a, T: Entry>(
    actor: &Actor, list: &'a mut [T], id: &str,
) -> Result<&'a mut T, StoreError> {
    actor.require_manager()?;
    list.iter_mut()
        .find(|e| e.id() == id)
        .ok_or(StoreError::NotFound)
}

impl HoldsStaff for MemoryDesk {
    fn staff(&self) -> &MemoryStaff {
        &self.staff
    }
}

impl DeskRecords for MemoryDesk {
    fn clinic_name(&self) -> String {
        "Fake Clinic".into()
    }
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.state().settings.get(key).cloned())
    }
    fn set_setting(
        &self, actor: &Actor, key: &str, value: &str, _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        store_setting(&mut self.state().settings, actor, key, value)
    }
    fn clinic_zone(&self) -> Result<crate::settings::ClinicZone, StoreError> {
        Ok(crate::settings::ClinicZone::default())
    }
    fn current_form(&self) -> Result<Option<(String, String)>, StoreError> {
        Ok(None)
    }
    fn staff_admin(&mut self) -> &mut dyn StaffAdmin {
        &mut self.staff
    }
    fn look_up_patients(
        &self, actor: &Actor, given: &str, family: &str, dob: &str, _now: DateTime<Utc>,
    ) -> Result<Vec<ListedPatient>, StoreError> {
        let found: Vec<ListedPatient> = self
            .state()
            .patients
            .iter()
            .filter(|(_, p)| {
                p.identity.given_name.eq_ignore_ascii_case(given.trim())
                    && p.identity.family_name.eq_ignore_ascii_case(family.trim())
                    && p.identity.date_of_birth == dob.trim()
            })
            .map(|(id, p)| ListedPatient {
                patient_id: id.clone(),
                identity: p.identity.clone(),
            })
            .collect();
        let ids: Vec<&str> = found.iter().map(|p| p.patient_id.as_str()).collect();
        self.log(actor, AuditKind::PatientLookup, &ids.join(","));
        Ok(found)
    }
    fn patient_identity(
        &self, actor: &Actor, patient_id: &str, _now: DateTime<Utc>,
    ) -> Result<PatientIdentity, StoreError> {
        let identity = self.patient(patient_id, |p| p.identity.clone())?;
        // As the store: reading a patient's details is a view of their record.
        self.log(actor, AuditKind::RecordViewed, patient_id);
        Ok(identity)
    }
    fn open_record(
        &self, actor: &Actor, patient_id: &str, _now: DateTime<Utc>,
    ) -> Result<PatientRecord, StoreError> {
        let record = self.patient(patient_id, |p| PatientRecord {
            patient_id: patient_id.into(),
            identity: p.identity.clone(),
            last_visit_at: "2026-01-01T09:00:00Z".into(),
            restricted_at: p.restricted.then(|| "2026-01-02T09:00:00Z".into()),
            erasure_requested_at: None,
            merged_into: None,
            consents: p.consents.clone(),
            submissions: actor.may_see_medical().then(Vec::new),
        })?;
        self.log(actor, AuditKind::RecordViewed, patient_id);
        Ok(record)
    }
    fn access_history(
        &self, actor: &Actor, _patient_id: &str, _now: DateTime<Utc>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        actor.require_manager()?;
        Ok(Vec::new())
    }
    fn read_medical(
        &self, _actor: &Actor, _submission_id: &str, _now: DateTime<Utc>,
    ) -> Result<MedicalRecord, StoreError> {
        Err(StoreError::NotFound)
    }
    fn amendments(
        &self, _actor: &Actor, _patient_id: &str, _now: DateTime<Utc>,
    ) -> Result<Vec<Amendment>, StoreError> {
        Ok(Vec::new())
    }
    fn amend_identity(
        &self, actor: &Actor, patient_id: &str, identity: &PatientIdentity, _reason: &str,
        _now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        self.patient(patient_id, |p| p.identity = identity.clone())?;
        self.log(actor, AuditKind::Amended, patient_id);
        Ok(format!("amendment-{patient_id}"))
    }
    fn amend_answers(
        &self, _actor: &Actor, _submission_id: &str, _answers: &Answers, _reason: &str,
        _now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        Err(StoreError::NotFound)
    }
    fn merge_patients(
        &self, actor: &Actor, _into: &str, _duplicate: &str, _reason: &str, _now: DateTime<Utc>,
    ) -> Result<MergeReport, StoreError> {
        actor.require_manager()?;
        Err(StoreError::NotFound)
    }
    fn withdraw_consent(
        &self, actor: &Actor, patient_id: &str, item_id: &str, now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError> {
        let event = consent(patient_id, item_id, Decision::Withdrawn, &now.to_rfc3339());
        let granted = self.patient(patient_id, |p| {
            let current = crate::forms::current_state(&p.consents);
            let granted = current.get(item_id).is_some_and(|d| d.is_granted());
            if granted {
                p.consents.push(event.clone());
            }
            granted
        })?;
        if !granted {
            return Err(StoreError::NotFound);
        }
        self.log(actor, AuditKind::ConsentRecorded, patient_id);
        Ok(event)
    }
    fn set_restricted(
        &self, actor: &Actor, patient_id: &str, restricted: bool, _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        self.patient(patient_id, |p| p.restricted = restricted)
    }
    fn request_erasure(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<ErasureStatement, StoreError> {
        actor.require_manager()?;
        self.state()
            .patients
            .remove(patient_id)
            .ok_or(StoreError::NotFound)?;
        Ok(ErasureStatement {
            patient_id: patient_id.into(),
            requested_at: now.to_rfc3339(),
            erased: vec!["everything".into()],
            held_until: None,
            held_submissions: 0,
            old_copies_remain: false,
        })
    }
    fn handed_on_forms(
        &self, actor: &Actor, patient_id: &str,
    ) -> Result<Vec<HandedOnForm>, StoreError> {
        actor.require_manager()?;
        self.patient(patient_id, |_| Vec::new())
    }
    fn run_retention(
        &self, actor: &Actor, now: DateTime<Utc>,
    ) -> Result<RetentionReport, StoreError> {
        actor.require_manager()?;
        Ok(RetentionReport {
            ran_at: now.to_rfc3339(),
            policy: None,
            checked: 0,
            erased_adults: Vec::new(),
            erased_children: Vec::new(),
            erased_submissions: 0,
            old_copies_remain: false,
        })
    }
    fn confirm_clock(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), StoreError> {
        actor.require_manager()?;
        self.state().newest_recorded = Some(now);
        crate::store::SignInRecords::record_event(
            self,
            actor.staff_id(),
            AuditKind::ClockConfirmed,
            "",
            now,
        )
    }
    fn newest_recorded_time(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.state().newest_recorded)
    }
    fn log_rights_request(
        &self, actor: &Actor, request: &NewRightsRequest, _now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = format!("request-{}", self.state().requests.len() + 1);
        self.state().requests.push(RightsRequest {
            id: id.clone(),
            patient_id: request.patient_id.clone(),
            kind: request.kind,
            received_on: request.received_on,
            logged_by: actor.staff_id().into(),
            due_on: due_date(request.received_on),
            extended_months: 0,
            status: RequestStatus::Open,
            closed_at: None,
            requester: request.requester.clone(),
            identity_check: request.identity_check.clone(),
            notes: request.notes.clone(),
            extension_reason: String::new(),
            outcome: String::new(),
        });
        Ok(id)
    }
    fn rights_requests(&self, _actor: &Actor) -> Result<Vec<RightsRequest>, StoreError> {
        Ok(self.state().requests.clone())
    }
    fn extend_rights_request(
        &self, actor: &Actor, id: &str, months: u32, reason: &str, _now: DateTime<Utc>,
    ) -> Result<NaiveDate, StoreError> {
        let mut state = self.state();
        let r = entry(actor, &mut state.requests, id)?;
        r.extended_months += months;
        r.due_on = crate::rights::extended_due_date(r.received_on, r.extended_months)
            .ok_or(StoreError::NotFound)?;
        reason.clone_into(&mut r.extension_reason);
        Ok(r.due_on)
    }
    fn close_rights_request(
        &self, actor: &Actor, id: &str, status: RequestStatus, outcome: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let r = entry(actor, &mut state.requests, id)?;
        r.status = status;
        r.closed_at = Some(now.to_rfc3339());
        outcome.clone_into(&mut r.outcome);
        Ok(())
    }
    fn records_touched(
        &self, actor: &Actor, by: Option<&str>, _from: DateTime<Utc>, _to: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        actor.require_manager()?;
        let mut touched: Vec<String> = self
            .staff
            .events()
            .iter()
            .filter(|(who, _, subject)| !subject.is_empty() && by.is_none_or(|b| b == who))
            .map(|(_, _, subject)| subject.clone())
            .collect();
        touched.sort();
        touched.dedup();
        Ok(touched)
    }
    fn record_breach(
        &self, actor: &Actor, breach: &NewBreach, _now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        actor.require_manager()?;
        let id = format!("breach-{}", self.state().breaches.len() + 1);
        self.state().breaches.push(Breach {
            id: id.clone(),
            discovered_at: breach.discovered_at,
            recorded_by: actor.staff_id().into(),
            risk: breach.risk,
            reported_at: None,
            what_happened: breach.what_happened.clone(),
            records: breach.records.clone(),
            regulator_reference: String::new(),
        });
        Ok(id)
    }
    fn breaches(&self, actor: &Actor) -> Result<Vec<Breach>, StoreError> {
        actor.require_manager()?;
        Ok(self.state().breaches.clone())
    }
    fn mark_breach_reported(
        &self, actor: &Actor, id: &str, reference: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let b = entry(actor, &mut state.breaches, id)?;
        b.reported_at = Some(now.to_rfc3339());
        reference.clone_into(&mut b.regulator_reference);
        Ok(())
    }
    fn verify_audit(&self) -> Result<ChainCheck, StoreError> {
        Ok(ChainCheck::Intact {
            entries: i64::try_from(self.staff.events().len()).unwrap_or(i64::MAX),
            last_tag: Vec::new(),
        })
    }
    fn kiosk_links(&self) -> Result<Vec<KioskLink>, StoreError> {
        Ok(Vec::new())
    }
    /// No kiosk is paired with the fake.
    fn revoke_kiosk(
        &self, actor: &Actor, _id: &str, _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        Err(StoreError::NotFound)
    }
    fn backup_plan(&self) -> Result<Option<crate::store::BackupPlan>, StoreError> {
        Ok(None)
    }
    fn backup_history(&self) -> Result<crate::store::BackupHistory, StoreError> {
        Ok(Default::default())
    }
    fn backup_kept(
        &self, _dir: &Path, _role: &str, _keep: Option<usize>, _who: &str, _now: DateTime<Utc>,
    ) -> Result<crate::store::KeptBackup, crate::store::BackupError> {
        Err(StoreError::Invalid("records in memory have no file to back up".into()).into())
    }
    fn unusual_access(
        &self, actor: &Actor, _since: DateTime<Utc>,
    ) -> Result<Vec<Flag>, StoreError> {
        actor.require_manager()?;
        Ok(Vec::new())
    }
    fn export_patient(
        &self, actor: &Actor, _patient_id: &str, _dir: &Path, _now: DateTime<Utc>,
    ) -> Result<AccessExport, ExchangeError> {
        actor.require_manager()?;
        Err(StoreError::NotFound.into())
    }
    fn marketing_csv(
        &self, actor: &Actor, _channel: &str, _now: DateTime<Utc>,
    ) -> Result<(String, usize), StoreError> {
        actor.require_manager()?;
        Err(StoreError::NotFound)
    }
    fn confirm_kiosk(
        &self, actor: &Actor, _kiosk_id: Option<&str>, _typed: &str, _dir: &Path,
        _now: DateTime<Utc>,
    ) -> Result<Confirmed, ExchangeError> {
        actor.require_manager()?;
        Err(StoreError::NotFound.into())
    }
    /// The code is read and checked as the store would (format, expiry); the answer is a
    /// file, not modelled: `NotFound`.
    fn answer_pairing(
        &self, actor: &Actor, code: PairingCode<'_>, _dir: &Path, _known: KnownKiosk,
        now: DateTime<Utc>,
    ) -> Result<Answered, ExchangeError> {
        actor.require_manager()?;
        let offer = crate::sync::PairingOffer::parse(&code.text()?)?;
        offer.check_fresh(now.timestamp())?;
        Err(StoreError::NotFound.into())
    }
    /// No kiosk is paired with the fake: every folder holds nothing to import.
    fn import_folder(
        &mut self, actor: &Actor, _dir: &Path, _outbox: &Path, _now: DateTime<Utc>,
        _progress: &mut dyn FnMut(&str, usize, usize),
    ) -> Result<Vec<BundleOutcome>, ExchangeError> {
        actor.require_manager()?;
        Ok(Vec::new())
    }
}
