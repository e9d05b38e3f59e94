//! The desk's port: what the back office's use cases ([`super::actions`]) and screens
//! ([`super::views`]) need from the records, so the controller can be tested against an in-memory
//! fake as well as the real sealed store.
//!
//! The real store ([`OpenStore`]) keeps every rule of its own (role checks, audit entries, row
//! authentication); this trait only names the calls. Methods that also write files or speak the
//! sync formats (access export, marketing list, kiosk confirmation) are here too, so an action
//! never reaches around the port for the store underneath.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::exchange::ExchangeError;
use crate::exchange::access::AccessExport;
use crate::exchange::desk_side::Confirmed;
use crate::forms::{Answers, ConsentEvent, PatientIdentity};
use crate::rights::{ErasureStatement, Flag, RequestStatus};
use crate::store::{
    Actor, Amendment, AuditEntry, AuditKind, Breach, ChainCheck, KioskLink, MedicalRecord,
    MergeReport, NewBreach, NewRightsRequest, OpenStore, PatientRecord, RetentionReport,
    RightsRequest, SignInError, StaffAdmin, StaffMember, StoreError,
};

/// What the desk needs from its records while open (see the module doc).
pub trait DeskRecords {
    /// The clinic's name, or "" when none was given.
    fn clinic_name(&self) -> String;
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// The clinic's time zone (setting `hours.time_zone`), for times shown to staff.
    fn clinic_zone(&self) -> Result<crate::settings::ClinicZone, StoreError>;
    /// The form whose consent titles the record shows: the active one, else the latest used,
    /// as (hash, canonical JSON).
    fn current_form(&self) -> Result<Option<(String, String)>, StoreError>;
    fn list_staff(&self, now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError>;
    fn sign_in(
        &mut self,
        staff_id: &str,
        pin: &crate::vault::Pin,
        now: DateTime<Utc>,
    ) -> Result<Actor, SignInError>;
    fn record_event(
        &self,
        actor: &str,
        kind: AuditKind,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Staff and keys (the store's own port, shared with the kiosk; it checks and audits).
    fn staff_admin(&mut self) -> &mut dyn StaffAdmin;

    // ----- the register ---------------------------------------------------------------
    fn find_patients(
        &self,
        actor: &Actor,
        given: &str,
        family: &str,
        date_of_birth: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError>;
    fn patient_identity(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<PatientIdentity, StoreError>;
    fn open_record(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<PatientRecord, StoreError>;
    fn access_history(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    fn read_medical(
        &self,
        actor: &Actor,
        submission_id: &str,
        now: DateTime<Utc>,
    ) -> Result<MedicalRecord, StoreError>;
    fn amendments(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Amendment>, StoreError>;

    // ----- rectification, consent, restriction, erasure -------------------------------
    fn amend_identity(
        &self,
        actor: &Actor,
        patient_id: &str,
        identity: &PatientIdentity,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError>;
    fn amend_answers(
        &self,
        actor: &Actor,
        submission_id: &str,
        answers: &Answers,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError>;
    fn merge_patients(
        &self,
        actor: &Actor,
        into: &str,
        duplicate: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<MergeReport, StoreError>;
    fn withdraw_consent(
        &self,
        actor: &Actor,
        patient_id: &str,
        item_id: &str,
        now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError>;
    fn set_restricted(
        &self,
        actor: &Actor,
        patient_id: &str,
        restricted: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn request_erasure(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<ErasureStatement, StoreError>;
    fn run_retention(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport, StoreError>;

    // ----- requests, breaches, oversight ----------------------------------------------
    fn log_rights_request(
        &self,
        actor: &Actor,
        request: &NewRightsRequest,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError>;
    fn rights_requests(&self, actor: &Actor) -> Result<Vec<RightsRequest>, StoreError>;
    fn extend_rights_request(
        &self,
        actor: &Actor,
        id: &str,
        months: u32,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<chrono::NaiveDate, StoreError>;
    fn close_rights_request(
        &self,
        actor: &Actor,
        id: &str,
        status: RequestStatus,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn records_touched(
        &self,
        actor: &Actor,
        by: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError>;
    fn record_breach(
        &self,
        actor: &Actor,
        breach: &NewBreach,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError>;
    fn breaches(&self, actor: &Actor) -> Result<Vec<Breach>, StoreError>;
    fn mark_breach_reported(
        &self,
        actor: &Actor,
        id: &str,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn verify_audit(&self) -> Result<ChainCheck, StoreError>;
    fn kiosk_links(&self) -> Result<Vec<KioskLink>, StoreError>;
    fn unusual_access(&self, actor: &Actor, since: DateTime<Utc>) -> Result<Vec<Flag>, StoreError>;

    // ----- actions that write files or speak the sync formats -------------------------
    /// The patient's whole record as JSON, FHIR and a readable page in `dir` (managers; logged).
    fn export_patient(
        &self,
        actor: &Actor,
        patient_id: &str,
        dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<AccessExport, ExchangeError>;
    /// One channel's marketing list as CSV text, and how many patients are on it.
    fn marketing_csv(
        &self,
        actor: &Actor,
        channel: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, usize), StoreError>;
    /// Confirms a waiting kiosk's pairing with the code its screen shows (managers).
    fn confirm_kiosk(
        &self,
        actor: &Actor,
        kiosk_id: Option<&str>,
        typed_code: &str,
        now: DateTime<Utc>,
    ) -> Result<Confirmed, ExchangeError>;
}

impl DeskRecords for OpenStore {
    fn clinic_name(&self) -> String {
        self.store()
            .clinic_name()
            .ok()
            .flatten()
            .unwrap_or_default()
    }
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        OpenStore::setting(self, key)
    }
    fn clinic_zone(&self) -> Result<crate::settings::ClinicZone, StoreError> {
        OpenStore::clinic_zone(self)
    }
    fn current_form(&self) -> Result<Option<(String, String)>, StoreError> {
        match self.active_form()? {
            Some(form) => Ok(Some(form)),
            None => self.latest_form(),
        }
    }
    fn list_staff(&self, now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError> {
        OpenStore::list_staff(self, now)
    }
    fn sign_in(
        &mut self,
        staff_id: &str,
        pin: &crate::vault::Pin,
        now: DateTime<Utc>,
    ) -> Result<Actor, SignInError> {
        OpenStore::sign_in(self, staff_id, pin, now)
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
    fn staff_admin(&mut self) -> &mut dyn StaffAdmin {
        self
    }
    fn find_patients(
        &self,
        actor: &Actor,
        given: &str,
        family: &str,
        date_of_birth: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        OpenStore::find_patients(self, actor, given, family, date_of_birth, now)
    }
    fn patient_identity(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<PatientIdentity, StoreError> {
        OpenStore::patient_identity(self, actor, patient_id, now)
    }
    fn open_record(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<PatientRecord, StoreError> {
        OpenStore::open_record(self, actor, patient_id, now)
    }
    fn access_history(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        OpenStore::access_history(self, actor, patient_id, now)
    }
    fn read_medical(
        &self,
        actor: &Actor,
        submission_id: &str,
        now: DateTime<Utc>,
    ) -> Result<MedicalRecord, StoreError> {
        OpenStore::read_medical(self, actor, submission_id, now)
    }
    fn amendments(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Amendment>, StoreError> {
        OpenStore::amendments(self, actor, patient_id, now)
    }
    fn amend_identity(
        &self,
        actor: &Actor,
        patient_id: &str,
        identity: &PatientIdentity,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        OpenStore::amend_identity(self, actor, patient_id, identity, reason, now)
    }
    fn amend_answers(
        &self,
        actor: &Actor,
        submission_id: &str,
        answers: &Answers,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        OpenStore::amend_answers(self, actor, submission_id, answers, reason, now)
    }
    fn merge_patients(
        &self,
        actor: &Actor,
        into: &str,
        duplicate: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<MergeReport, StoreError> {
        OpenStore::merge_patients(self, actor, into, duplicate, reason, now)
    }
    fn withdraw_consent(
        &self,
        actor: &Actor,
        patient_id: &str,
        item_id: &str,
        now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError> {
        OpenStore::withdraw_consent(self, actor, patient_id, item_id, now)
    }
    fn set_restricted(
        &self,
        actor: &Actor,
        patient_id: &str,
        restricted: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        OpenStore::set_restricted(self, actor, patient_id, restricted, now)
    }
    fn request_erasure(
        &self,
        actor: &Actor,
        patient_id: &str,
        now: DateTime<Utc>,
    ) -> Result<ErasureStatement, StoreError> {
        OpenStore::request_erasure(self, actor, patient_id, now)
    }
    fn run_retention(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport, StoreError> {
        OpenStore::run_retention(self, actor, now)
    }
    fn log_rights_request(
        &self,
        actor: &Actor,
        request: &NewRightsRequest,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        OpenStore::log_rights_request(self, actor, request, now)
    }
    fn rights_requests(&self, actor: &Actor) -> Result<Vec<RightsRequest>, StoreError> {
        OpenStore::rights_requests(self, actor)
    }
    fn extend_rights_request(
        &self,
        actor: &Actor,
        id: &str,
        months: u32,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<chrono::NaiveDate, StoreError> {
        OpenStore::extend_rights_request(self, actor, id, months, reason, now)
    }
    fn close_rights_request(
        &self,
        actor: &Actor,
        id: &str,
        status: RequestStatus,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        OpenStore::close_rights_request(self, actor, id, status, outcome, now)
    }
    fn records_touched(
        &self,
        actor: &Actor,
        by: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        OpenStore::records_touched(self, actor, by, from, to)
    }
    fn record_breach(
        &self,
        actor: &Actor,
        breach: &NewBreach,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        OpenStore::record_breach(self, actor, breach, now)
    }
    fn breaches(&self, actor: &Actor) -> Result<Vec<Breach>, StoreError> {
        OpenStore::breaches(self, actor)
    }
    fn mark_breach_reported(
        &self,
        actor: &Actor,
        id: &str,
        reference: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        OpenStore::mark_breach_reported(self, actor, id, reference, now)
    }
    fn verify_audit(&self) -> Result<ChainCheck, StoreError> {
        OpenStore::verify_audit(self)
    }
    fn kiosk_links(&self) -> Result<Vec<KioskLink>, StoreError> {
        OpenStore::kiosk_links(self)
    }
    fn unusual_access(&self, actor: &Actor, since: DateTime<Utc>) -> Result<Vec<Flag>, StoreError> {
        OpenStore::unusual_access(self, actor, since)
    }
    fn export_patient(
        &self,
        actor: &Actor,
        patient_id: &str,
        dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<AccessExport, ExchangeError> {
        crate::exchange::access::export_patient(self, actor, patient_id, dir, now)
    }
    fn marketing_csv(
        &self,
        actor: &Actor,
        channel: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, usize), StoreError> {
        crate::exchange::marketing::marketing_csv(self, actor, channel, now)
    }
    fn confirm_kiosk(
        &self,
        actor: &Actor,
        kiosk_id: Option<&str>,
        typed_code: &str,
        now: DateTime<Utc>,
    ) -> Result<Confirmed, ExchangeError> {
        crate::exchange::desk_side::confirm_pairing(self, actor, kiosk_id, typed_code, now)
    }
}
