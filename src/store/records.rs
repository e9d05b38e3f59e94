//! The narrow interface the kiosk's controllers use, so they can be tested against an in-memory
//! fake as well as the real sealed store.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{
    Actor, AuditKind, NewSubmission, OpenStore, PatientRef, SignInError, StaffMember, Store,
    StoreError, SubmissionSummary,
};
use crate::forms::{Decision, PatientIdentity};
use crate::staff::{Lockout, LockoutPolicy, Role};
use crate::vault::{Passphrase, Pin};

/// What the kiosk needs from its records while open.
pub trait KioskRecords {
    fn list_staff(&self, now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError>;
    fn sign_in(
        &mut self,
        staff_id: &str,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<Actor, SignInError>;
    fn find_returning_patient(
        &self,
        actor: &Actor,
        identity: &PatientIdentity,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError>;
    fn save_submission(
        &mut self,
        actor: &Actor,
        submission: NewSubmission,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError>;
    fn submissions_since(
        &self,
        actor: &Actor,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SubmissionSummary>, StoreError>;
    fn record_event(
        &self,
        actor: &str,
        kind: AuditKind,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn add_staff(
        &mut self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<String, SignInError>;
    /// A submission in full; clinicians and managers only.
    fn read_medical(
        &self,
        actor: &Actor,
        submission_id: &str,
        now: DateTime<Utc>,
    ) -> Result<super::MedicalRecord, StoreError>;
    /// The wrong-patient guard: does the typed date of birth match the patient's?
    fn date_of_birth_matches(
        &self,
        actor: &Actor,
        patient_id: &str,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// A patient's current decision per consent item.
    fn current_consents(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Decision>, StoreError>;
    /// Lifts a PIN lockout; needs a manager's passphrase.
    fn reset_lockout(
        &mut self,
        manager_passphrase: &Passphrase,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Closes for the day: drops the keys. The real store hands back the closed database.
    fn close(
        self: Box<Self>,
        actor: Option<&Actor>,
        now: DateTime<Utc>,
    ) -> Result<Option<Store>, StoreError>;
    /// Where the records live on disk, if anywhere.
    fn data_path(&self) -> Option<PathBuf>;
    /// The real sealed store underneath, for actions that need all of it (sync). The fake has
    /// none, so sync is unavailable in controller tests against it.
    fn sealed_store(&self) -> Option<&OpenStore>;
    /// The clinic's active form as (hash, canonical JSON), if a manager chose one.
    fn active_form(&self) -> Result<Option<(String, String)>, StoreError>;
    /// Makes a checked definition the active one (managers only); logged.
    fn activate_form(
        &mut self,
        actor: &Actor,
        hash: &str,
        definition_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

impl KioskRecords for OpenStore {
    fn list_staff(&self, now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError> {
        OpenStore::list_staff(self, now)
    }
    fn sign_in(
        &mut self,
        staff_id: &str,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<Actor, SignInError> {
        OpenStore::sign_in(self, staff_id, pin, now)
    }
    fn find_returning_patient(
        &self,
        actor: &Actor,
        identity: &PatientIdentity,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        OpenStore::find_returning_patient(self, actor, identity, now)
    }
    fn save_submission(
        &mut self,
        actor: &Actor,
        submission: NewSubmission,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        OpenStore::save_submission(self, actor, submission, now)
    }
    fn submissions_since(
        &self,
        actor: &Actor,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SubmissionSummary>, StoreError> {
        OpenStore::submissions_since(self, actor, since, now)
    }
    fn record_event(
        &self,
        actor: &str,
        kind: AuditKind,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        OpenStore::record_event(self, actor, kind, subject, now)
    }
    fn add_staff(
        &mut self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        OpenStore::add_staff(self, actor, name, role, pin, now)
    }
    fn read_medical(
        &self,
        actor: &Actor,
        submission_id: &str,
        now: DateTime<Utc>,
    ) -> Result<super::MedicalRecord, StoreError> {
        OpenStore::read_medical(self, actor, submission_id, now)
    }
    fn date_of_birth_matches(
        &self,
        actor: &Actor,
        patient_id: &str,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        OpenStore::date_of_birth_matches(self, actor, patient_id, typed, now)
    }
    fn current_consents(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Decision>, StoreError> {
        OpenStore::current_consents(self, actor, patient_id, now)
    }
    fn reset_lockout(
        &mut self,
        manager_passphrase: &Passphrase,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        OpenStore::reset_lockout(self, manager_passphrase, staff_id, now)
    }
    fn close(
        self: Box<Self>,
        actor: Option<&Actor>,
        now: DateTime<Utc>,
    ) -> Result<Option<Store>, StoreError> {
        OpenStore::close(*self, actor, now).map(Some)
    }
    fn data_path(&self) -> Option<PathBuf> {
        Some(self.store().path().to_owned())
    }
    fn sealed_store(&self) -> Option<&OpenStore> {
        Some(self)
    }
    fn active_form(&self) -> Result<Option<(String, String)>, StoreError> {
        OpenStore::active_form(self)
    }
    fn activate_form(
        &mut self,
        actor: &Actor,
        hash: &str,
        definition_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        OpenStore::activate_form(self, actor, hash, definition_json, now)
    }
}

/// The manager passphrase the in-memory fake accepts.
pub const MEMORY_PASSPHRASE: &str = "memory records passphrase";

/// The fake's record of audit events: (actor, kind, subject), in order.
pub type EventLog = std::sync::Arc<std::sync::Mutex<Vec<(String, AuditKind, String)>>>;

/// An in-memory stand-in for controller tests: same rules for PINs, lockout and need-to-know,
/// no disk and no crypto. PINs are held as given; never use it for real data.
#[derive(Default)]
pub struct MemoryRecords {
    staff: Vec<(StaffMember, String)>,
    submissions: Vec<(String, DateTime<Utc>, NewSubmission)>,
    active_form: Option<(String, String)>,
    /// What the controller recorded, in order.
    pub events: EventLog,
}

impl MemoryRecords {
    pub fn with_staff(list: &[(&str, Role, &str)]) -> Self {
        let staff = list
            .iter()
            .enumerate()
            .map(|(i, (name, role, pin))| {
                let member = StaffMember {
                    id: format!("staff-{i}"),
                    name: (*name).to_owned(),
                    role: *role,
                    lockout: Lockout::Open,
                    failed_pins: 0,
                };
                (member, (*pin).to_owned())
            })
            .collect();
        MemoryRecords {
            staff,
            ..Default::default()
        }
    }

    /// The fake's patient ids are `patient-<index of their first submission>`.
    fn patient_submissions<'a>(
        &'a self,
        patient_id: &'a str,
    ) -> impl Iterator<Item = &'a (String, DateTime<Utc>, NewSubmission)> + 'a {
        let first = patient_id
            .strip_prefix("patient-")
            .and_then(|i| i.parse::<usize>().ok());
        self.submissions.iter().enumerate().filter_map(move |(i, entry)| {
            let mine = Some(i) == first || matches!(&entry.2.patient, PatientRef::Returning { patient_id: p, .. } if p == patient_id);
            mine.then_some(entry)
        })
    }

    pub fn saved(&self) -> &[(String, DateTime<Utc>, NewSubmission)] {
        &self.submissions
    }

    /// A handle on the saved submissions' count that stays valid after the fake is boxed.
    pub fn event_log(&self) -> EventLog {
        self.events.clone()
    }
}

impl KioskRecords for MemoryRecords {
    fn list_staff(&self, _now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError> {
        Ok(self.staff.iter().map(|(m, _)| m.clone()).collect())
    }

    fn sign_in(
        &mut self,
        staff_id: &str,
        pin: &Pin,
        now: DateTime<Utc>,
    ) -> Result<Actor, SignInError> {
        let policy = LockoutPolicy::default();
        let (member, stored) = self
            .staff
            .iter_mut()
            .find(|(m, _)| m.id == staff_id)
            .ok_or(SignInError::UnknownStaff)?;
        match member.lockout {
            Lockout::Locked => return Err(SignInError::Locked),
            Lockout::WaitUntil(until) if now < until => return Err(SignInError::Wait { until }),
            _ => {}
        }
        if stored.as_str() == pin.expose() {
            member.failed_pins = 0;
            member.lockout = Lockout::Open;
            return Ok(Actor::new(member.id.clone(), member.role));
        }
        member.failed_pins += 1;
        member.lockout = policy.state(member.failed_pins, Some(now), now);
        Err(SignInError::WrongPin {
            failures: member.failed_pins,
            lockout: member.lockout,
        })
    }

    fn find_returning_patient(
        &self,
        _actor: &Actor,
        identity: &PatientIdentity,
        _now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let key = identity.lookup_key().ok();
        Ok(self
            .submissions
            .iter()
            .find_map(|(_, _, s)| match &s.patient {
                PatientRef::New(p) if p.lookup_key().ok() == key => Some("patient-0".to_owned()),
                _ => None,
            }))
    }

    fn save_submission(
        &mut self,
        _actor: &Actor,
        submission: NewSubmission,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        // Shaped like the store's ids: 32 hex digits.
        let id = format!("{:032x}", self.submissions.len() + 0xabc0_0000);
        self.submissions.push((id.clone(), now, submission));
        Ok(id)
    }

    fn submissions_since(
        &self,
        _actor: &Actor,
        since: DateTime<Utc>,
        _now: DateTime<Utc>,
    ) -> Result<Vec<SubmissionSummary>, StoreError> {
        Ok(self
            .submissions
            .iter()
            .filter(|(_, at, _)| *at >= since)
            .map(|(id, at, s)| SubmissionSummary {
                id: id.clone(),
                patient_id: String::new(),
                patient_name: match &s.patient {
                    PatientRef::New(p) => p.display_name(),
                    PatientRef::Returning { .. } => String::new(),
                },
                created_at: at.to_rfc3339(),
                language: s.language.clone(),
                consents: s
                    .consents
                    .iter()
                    .map(|c| (c.item_id.clone(), c.decision))
                    .collect::<Vec<(String, Decision)>>(),
                export_state: "pending".into(),
            })
            .collect())
    }

    fn record_event(
        &self,
        actor: &str,
        kind: AuditKind,
        subject: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((actor.to_owned(), kind, subject.to_owned()));
        Ok(())
    }

    fn add_staff(
        &mut self,
        actor: &Actor,
        name: &str,
        role: Role,
        pin: &Pin,
        _now: DateTime<Utc>,
    ) -> Result<String, SignInError> {
        actor.require_manager()?;
        crate::staff::check_new_pin(pin.expose())?;
        let id = format!("staff-{}", self.staff.len());
        let member = StaffMember {
            id: id.clone(),
            name: name.to_owned(),
            role,
            lockout: Lockout::Open,
            failed_pins: 0,
        };
        self.staff.push((member, pin.expose().to_owned()));
        Ok(id)
    }

    fn read_medical(
        &self,
        actor: &Actor,
        submission_id: &str,
        _now: DateTime<Utc>,
    ) -> Result<super::MedicalRecord, StoreError> {
        actor.require_medical()?;
        let (_, _, s) = self
            .submissions
            .iter()
            .find(|(id, _, _)| id == submission_id)
            .ok_or(StoreError::NotFound)?;
        let identity = match &s.patient {
            PatientRef::New(p) => p.clone(),
            PatientRef::Returning { corrected, .. } => corrected.clone().unwrap_or_default(),
        };
        Ok(super::MedicalRecord {
            submission_id: submission_id.to_owned(),
            patient_id: String::new(),
            identity,
            answers: s.answers.clone(),
            signature: s.signature.clone(),
            form_hash: s.form_hash.clone(),
            form_definition_json: Some(s.form_definition_json.clone()),
            notice_hash: s.notice_hash.clone(),
            language: s.language.clone(),
            created_at: String::new(),
        })
    }

    fn date_of_birth_matches(
        &self,
        _actor: &Actor,
        patient_id: &str,
        typed: &str,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (_, _, first) = self
            .patient_submissions(patient_id)
            .next()
            .ok_or(StoreError::NotFound)?;
        let PatientRef::New(identity) = &first.patient else {
            return Err(StoreError::NotFound);
        };
        Ok(identity.date_of_birth == typed.trim())
    }

    fn current_consents(
        &self,
        _actor: &Actor,
        patient_id: &str,
        _now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Decision>, StoreError> {
        let mut state = BTreeMap::new();
        for (_, _, s) in self.patient_submissions(patient_id) {
            for c in &s.consents {
                state.insert(c.item_id.clone(), c.decision);
            }
        }
        Ok(state)
    }

    fn reset_lockout(
        &mut self,
        manager_passphrase: &Passphrase,
        staff_id: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if manager_passphrase.expose() != MEMORY_PASSPHRASE {
            return Err(StoreError::Vault(crate::vault::VaultError::WrongPassphrase));
        }
        let (member, _) = self
            .staff
            .iter_mut()
            .find(|(m, _)| m.id == staff_id)
            .ok_or(StoreError::NotFound)?;
        member.failed_pins = 0;
        member.lockout = Lockout::Open;
        Ok(())
    }

    fn close(
        self: Box<Self>,
        _actor: Option<&Actor>,
        _now: DateTime<Utc>,
    ) -> Result<Option<Store>, StoreError> {
        Ok(None)
    }

    fn data_path(&self) -> Option<PathBuf> {
        None
    }

    fn sealed_store(&self) -> Option<&OpenStore> {
        None
    }

    fn active_form(&self) -> Result<Option<(String, String)>, StoreError> {
        Ok(self.active_form.clone())
    }

    fn activate_form(
        &mut self,
        actor: &Actor,
        hash: &str,
        definition_json: &str,
        now: DateTime<Utc>,
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
