//! An in-memory stand-in for the kiosk controller's unit tests (test builds only: it can make a
//! [`ConfirmedPatient`], and through the shared in-memory staff an [`Actor`], which only the
//! store may do in a release build).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::records::KioskRecords;
use crate::forms::{Decision, PatientIdentity};
use crate::staff::Role;
use crate::store::memory_staff::{EventLog, HoldsStaff, MemoryStaff, store_setting};
use crate::store::returning::check_confirmed;
use crate::store::{
    Actor, AuditKind, ConfirmedPatient, NewSubmission, PatientRef, SignInRecords, StaffAdmin,
    Store, StoreError, SubmissionSummary,
};
use crate::vault::Passphrase;

/// The manager passphrase the in-memory fake accepts.
pub const MEMORY_PASSPHRASE: &str = "memory records passphrase";

/// A patient in the fake: their current details and the details amendments replaced.
pub struct MemoryPatient {
    pub id: String,
    pub identity: PatientIdentity,
    pub last_visit: DateTime<Utc>,
    /// (the details replaced, why, by whom), oldest first.
    pub amendments: Vec<(PatientIdentity, String, String)>,
}

/// A form saved in the fake, under the patient it was saved for.
pub struct MemoryForm {
    pub id: String,
    pub at: DateTime<Utc>,
    pub patient_id: String,
    pub submission: NewSubmission,
}

/// Everything the fake holds about patients, shared with the test that made it.
#[derive(Default)]
pub struct MemoryState {
    pub patients: Vec<MemoryPatient>,
    pub forms: Vec<MemoryForm>,
    /// The newest time recorded since the clock was last confirmed: what the store reads off
    /// its audit log (here the forms' times and the confirmations).
    pub newest_recorded: Option<DateTime<Utc>>,
}

impl MemoryState {
    pub fn patient(&self, id: &str) -> Option<&MemoryPatient> {
        self.patients.iter().find(|p| p.id == id)
    }
    /// The details of patient `id`, or empty ones when there is no such patient.
    fn identity_of(&self, id: &str) -> PatientIdentity {
        self.patient(id)
            .map(|p| p.identity.clone())
            .unwrap_or_default()
    }
    pub fn forms_of<'a>(&'a self, patient_id: &'a str) -> impl Iterator<Item = &'a MemoryForm> {
        self.forms
            .iter()
            .filter(move |f| f.patient_id == patient_id)
    }
}

/// A handle on the fake's patients and forms that stays valid after the fake is boxed.
pub type SharedMemory = std::sync::Arc<std::sync::Mutex<MemoryState>>;

/// An in-memory stand-in for controller tests: same rules for PINs, lockout, need-to-know and
/// the wrong-patient guard, no disk and no crypto. PINs are held as given; never use it for real
/// data. Staff, keys and the audit log are the in-memory staff the desk's fake uses too.
#[derive(Default)]
pub struct MemoryRecords {
    staff: MemoryStaff,
    state: SharedMemory,
    active_form: Option<(String, String)>,
    settings: std::sync::Mutex<BTreeMap<String, String>>,
}

impl MemoryRecords {
    /// Staff as (name, role, PIN); their ids are `staff-0`, `staff-1`, … in this order.
    pub fn with_staff(list: &[(&str, Role, &str)]) -> Self {
        let staff = list
            .iter()
            .enumerate()
            .map(|(i, &(name, role, pin))| (format!("staff-{i}"), name, role, pin));
        MemoryRecords {
            staff: MemoryStaff::new(staff),
            ..Default::default()
        }
    }

    /// These records with `key` stored as `value`, as if set earlier (unchecked: a test may
    /// store what the checks refuse, as a hand-edited database would hold it).
    pub fn with_setting(self, key: &str, value: &str) -> Self {
        self.settings_held()
            .insert(key.to_owned(), value.to_owned());
        self
    }

    /// A handle on the audit events that stays valid after the fake is boxed.
    pub fn event_log(&self) -> EventLog {
        self.staff.event_log()
    }

    /// A handle on the patients and forms that stays valid after the fake is boxed.
    pub fn shared(&self) -> SharedMemory {
        self.state.clone()
    }

    fn settings_held(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.settings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl HoldsStaff for MemoryRecords {
    fn staff(&self) -> &MemoryStaff {
        &self.staff
    }
}

impl KioskRecords for MemoryRecords {
    fn find_returning_patient(
        &self, _actor: &Actor, identity: &PatientIdentity, _now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let key = identity.lookup_key().ok();
        let state = self.state();
        Ok(state
            .patients
            .iter()
            .filter(|p| p.identity.lookup_key().ok() == key)
            .max_by_key(|p| p.last_visit)
            .map(|p| p.id.clone()))
    }

    fn save_submission(
        &mut self, actor: &Actor, submission: NewSubmission, now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let mut state = self.state();
        let patient_id = match &submission.patient {
            PatientRef::New(identity) => {
                let id = format!("patient-{}", state.patients.len());
                state.patients.push(MemoryPatient {
                    id: id.clone(),
                    identity: identity.clone(),
                    last_visit: now,
                    amendments: Vec::new(),
                });
                id
            }
            PatientRef::Returning { patient, details } => {
                let stored = state
                    .patients
                    .iter_mut()
                    .find(|p| p.id == patient.patient_id())
                    .ok_or(StoreError::NotFound)?;
                if let Some(updated) =
                    check_confirmed(patient, actor, &stored.identity, details.as_ref())?
                {
                    let previous = std::mem::replace(&mut stored.identity, updated);
                    stored.amendments.push((
                        previous,
                        crate::store::UPDATED_AT_KIOSK.to_owned(),
                        actor.staff_id().to_owned(),
                    ));
                }
                stored.last_visit = stored.last_visit.max(now);
                stored.id.clone()
            }
        };
        // Shaped like the store's ids: 32 hex digits.
        let id = format!("{:032x}", state.forms.len() + 0xabc0_0000);
        state.newest_recorded = Some(state.newest_recorded.map_or(now, |t| t.max(now)));
        state.forms.push(MemoryForm {
            id: id.clone(),
            at: now,
            patient_id,
            submission,
        });
        // As the store does, in the save's own commit.
        self.staff.events().push((
            actor.staff_id().into(),
            AuditKind::SubmissionSaved,
            id.clone(),
        ));
        Ok(id)
    }

    fn submissions_since(
        &self, _actor: &Actor, since: DateTime<Utc>, _now: DateTime<Utc>,
    ) -> Result<Vec<SubmissionSummary>, StoreError> {
        let state = self.state();
        Ok(state
            .forms
            .iter()
            .filter(|f| f.at >= since)
            .map(|f| SubmissionSummary {
                id: f.id.clone(),
                patient_id: f.patient_id.clone(),
                patient_name: state.identity_of(&f.patient_id).display_name(),
                created_at: f.at.to_rfc3339(),
                language: f.submission.language.clone(),
                consents: f
                    .submission
                    .consents
                    .iter()
                    .map(|c| (c.item_id.clone(), c.decision))
                    .collect::<Vec<(String, Decision)>>(),
                export_state: "pending".into(),
            })
            .collect())
    }

    fn read_medical(
        &self, actor: &Actor, submission_id: &str, _now: DateTime<Utc>,
    ) -> Result<crate::store::MedicalRecord, StoreError> {
        actor.require_medical()?;
        let state = self.state();
        let form = state
            .forms
            .iter()
            .find(|f| f.id == submission_id)
            .ok_or(StoreError::NotFound)?;
        let s = &form.submission;
        Ok(crate::store::MedicalRecord {
            submission_id: submission_id.to_owned(),
            patient_id: form.patient_id.clone(),
            identity: state.identity_of(&form.patient_id),
            answers: s.answers.clone(),
            signature: s.signature.clone(),
            form_hash: s.form.hash().to_owned(),
            form_definition_json: Some(s.form.json().to_owned()),
            notice_hash: s.notice_hash.clone(),
            language: s.language.clone(),
            created_at: form.at.to_rfc3339(),
        })
    }

    fn confirm_date_of_birth(
        &self, actor: &Actor, patient_id: &str, typed: &str, _now: DateTime<Utc>,
    ) -> Result<Option<ConfirmedPatient>, StoreError> {
        let state = self.state();
        let patient = state.patient(patient_id).ok_or(StoreError::NotFound)?;
        let parse = crate::forms::identity::parse_date_of_birth;
        let matches = matches!(
            (parse(&patient.identity.date_of_birth), parse(typed)),
            (Ok(a), Ok(b)) if a == b
        );
        Ok(if matches {
            ConfirmedPatient::new(patient_id, actor, typed)
        } else {
            None
        })
    }

    fn current_consents(
        &self, _actor: &Actor, patient_id: &str, _now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Decision>, StoreError> {
        let mut decisions = BTreeMap::new();
        for form in self.state().forms_of(patient_id) {
            for c in &form.submission.consents {
                decisions.insert(c.item_id.clone(), c.decision);
            }
        }
        Ok(decisions)
    }

    fn reset_lockout(
        &mut self, manager_passphrase: &Passphrase, staff_id: &str, _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if manager_passphrase.expose() != MEMORY_PASSPHRASE {
            return Err(StoreError::Vault(crate::vault::VaultError::WrongPassphrase));
        }
        self.staff.reset_lockout(staff_id)
    }

    fn close(
        self: Box<Self>, _actor: Option<&Actor>, _now: DateTime<Utc>,
    ) -> Result<Option<Store>, StoreError> {
        Ok(None)
    }

    fn fold_wal(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn data_path(&self) -> Option<PathBuf> {
        None
    }

    fn sync(&self) -> Option<&dyn super::sync_port::KioskSync> {
        None
    }

    fn staff_admin(&mut self) -> Option<&mut dyn StaffAdmin> {
        Some(&mut self.staff)
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.settings_held().get(key).cloned())
    }

    fn set_setting(
        &self, actor: &Actor, key: &str, value: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        store_setting(&mut self.settings_held(), actor, key, value)?;
        self.record_event(actor.staff_id(), AuditKind::SettingsChanged, key, now)
    }

    fn newest_recorded_time(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.state().newest_recorded)
    }

    fn confirm_clock(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), StoreError> {
        actor.require_manager()?;
        self.state().newest_recorded = Some(now);
        self.record_event(actor.staff_id(), AuditKind::ClockConfirmed, "", now)
    }

    fn active_form(&self) -> Result<Option<(String, String)>, StoreError> {
        Ok(self.active_form.clone())
    }

    fn activate_form(
        &mut self, actor: &Actor, hash: &str, definition_json: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        self.active_form = Some((hash.to_owned(), definition_json.to_owned()));
        self.record_event(
            actor.staff_id(),
            AuditKind::SettingsChanged,
            &format!("form:{hash}"),
            now,
        )
    }
}
