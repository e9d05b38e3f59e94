//! The desk's port: what the back office's use cases ([`super::actions`]) and screens
//! ([`super::views`]) need from the records, so the controller can be tested against an in-memory
//! fake as well as the real sealed store.
//!
//! The real store ([`OpenStore`]) keeps every rule of its own (role checks, audit entries, row
//! authentication); this trait only names the calls, each once (`crate::port::port!`: a call the
//! store answers under the same name is one line). Methods that also write files or speak the
//! sync formats (access export, marketing list, kiosk confirmation) are here too, so an action
//! never reaches around the port for the store underneath.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use crate::exchange::ExchangeError;
use crate::exchange::access::AccessExport;
use crate::exchange::desk_side::{Answered, BundleOutcome, Confirmed, KnownKiosk, PairingCode};
use crate::forms::{Answers, ConsentEvent, PatientIdentity};
use crate::port::port;
use crate::rights::{ErasureStatement, Flag, RequestStatus};
use crate::settings::ClinicZone;
use crate::store::{
    Actor, Amendment, AuditEntry, BackupError, BackupHistory, BackupPlan, Breach, ChainCheck,
    HandedOnForm, KeptBackup, KioskLink, ListedPatient, MedicalRecord, MergeReport, NewBreach,
    NewRightsRequest, OpenStore, PatientRecord, RetentionReport, RightsRequest, SignInRecords,
    StaffAdmin, StoreError,
};

port! {
    /// What the desk needs from its records while open (see the module doc).
    pub trait DeskRecords: SignInRecords for OpenStore {
        /// The clinic's name, or "" when none was given.
        fn clinic_name(&self) -> String {
            self.store().clinic_name().ok().flatten().unwrap_or_default()
        }
        fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
        /// Sets a setting the clinic may change (managers; checked, logged).
        fn set_setting(&self, actor: &Actor, key: &str, value: &str, now: DateTime<Utc>)
            -> Result<(), StoreError>;
        /// The clinic's time zone (setting `hours.time_zone`), for times shown to staff.
        fn clinic_zone(&self) -> Result<ClinicZone, StoreError>;
        /// The form whose consent titles the record shows: the active one, else the latest used,
        /// as (hash, canonical JSON).
        fn current_form(&self) -> Result<Option<(String, String)>, StoreError> {
            match self.active_form()? {
                Some(form) => Ok(Some(form)),
                None => self.latest_form(),
            }
        }
        /// Staff and keys (the store's own port, shared with the kiosk; it checks and audits).
        fn staff_admin(&mut self) -> &mut dyn StaffAdmin {
            self
        }

        // ----- the register -----------------------------------------------------------
        fn look_up_patients(&self, actor: &Actor, given: &str, family: &str,
            date_of_birth: &str, now: DateTime<Utc>) -> Result<Vec<ListedPatient>, StoreError>;
        fn patient_identity(&self, actor: &Actor, patient_id: &str, now: DateTime<Utc>)
            -> Result<PatientIdentity, StoreError>;
        fn open_record(&self, actor: &Actor, patient_id: &str, now: DateTime<Utc>)
            -> Result<PatientRecord, StoreError>;
        fn access_history(&self, actor: &Actor, patient_id: &str, now: DateTime<Utc>)
            -> Result<Vec<AuditEntry>, StoreError>;
        fn read_medical(&self, actor: &Actor, submission_id: &str, now: DateTime<Utc>)
            -> Result<MedicalRecord, StoreError>;
        fn amendments(&self, actor: &Actor, patient_id: &str, now: DateTime<Utc>)
            -> Result<Vec<Amendment>, StoreError>;

        // ----- rectification, consent, restriction, erasure ---------------------------
        fn amend_identity(&self, actor: &Actor, patient_id: &str, identity: &PatientIdentity,
            reason: &str, now: DateTime<Utc>) -> Result<String, StoreError>;
        fn amend_answers(&self, actor: &Actor, submission_id: &str, answers: &Answers,
            reason: &str, now: DateTime<Utc>) -> Result<String, StoreError>;
        fn merge_patients(&self, actor: &Actor, into: &str, duplicate: &str, reason: &str,
            now: DateTime<Utc>) -> Result<MergeReport, StoreError>;
        fn withdraw_consent(&self, actor: &Actor, patient_id: &str, item_id: &str,
            now: DateTime<Utc>) -> Result<ConsentEvent, StoreError>;
        fn set_restricted(&self, actor: &Actor, patient_id: &str, restricted: bool,
            now: DateTime<Utc>) -> Result<(), StoreError>;
        fn request_erasure(&self, actor: &Actor, patient_id: &str, now: DateTime<Utc>)
            -> Result<ErasureStatement, StoreError>;
        /// The patient's forms as handed on (managers), read before an erasure.
        fn handed_on_forms(&self, actor: &Actor, patient_id: &str)
            -> Result<Vec<HandedOnForm>, StoreError>;
        fn run_retention(&self, actor: &Actor, now: DateTime<Utc>)
            -> Result<RetentionReport, StoreError>;
        /// A manager's word that the clock is right (see [`crate::store::runs_ahead`] and
        /// [`crate::store::runs_behind`]); logged.
        fn confirm_clock(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), StoreError>;
        /// The newest time recorded since the clock was last confirmed (see
        /// [`crate::store::runs_behind`]).
        fn newest_recorded_time(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

        // ----- requests, breaches, oversight ------------------------------------------
        fn log_rights_request(&self, actor: &Actor, request: &NewRightsRequest,
            now: DateTime<Utc>) -> Result<String, StoreError>;
        fn rights_requests(&self, actor: &Actor) -> Result<Vec<RightsRequest>, StoreError>;
        fn extend_rights_request(&self, actor: &Actor, id: &str, months: u32, reason: &str,
            now: DateTime<Utc>) -> Result<NaiveDate, StoreError>;
        fn close_rights_request(&self, actor: &Actor, id: &str, status: RequestStatus,
            outcome: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
        fn records_touched(&self, actor: &Actor, by: Option<&str>, from: DateTime<Utc>,
            to: DateTime<Utc>) -> Result<Vec<String>, StoreError>;
        fn record_breach(&self, actor: &Actor, breach: &NewBreach, now: DateTime<Utc>)
            -> Result<String, StoreError>;
        fn breaches(&self, actor: &Actor) -> Result<Vec<Breach>, StoreError>;
        fn mark_breach_reported(&self, actor: &Actor, id: &str, reference: &str,
            now: DateTime<Utc>) -> Result<(), StoreError>;
        fn verify_audit(&self) -> Result<ChainCheck, StoreError>;
        fn kiosk_links(&self) -> Result<Vec<KioskLink>, StoreError>;
        /// Revokes a kiosk for ever (managers; logged): its bundles are refused from then on.
        fn revoke_kiosk(&self, actor: &Actor, kiosk_id: &str, now: DateTime<Utc>)
            -> Result<(), StoreError>;
        fn unusual_access(&self, actor: &Actor, since: DateTime<Utc>)
            -> Result<Vec<Flag>, StoreError>;

        // ----- scheduled backups (`crate::store::backup_kept`) -------------------------
        fn backup_plan(&self) -> Result<Option<BackupPlan>, StoreError>;
        fn backup_history(&self) -> Result<BackupHistory, StoreError>;
        fn backup_kept(&self, dir: &Path, role: &str, keep: Option<usize>, who: &str,
            now: DateTime<Utc>) -> Result<KeptBackup, BackupError>;

        // ----- actions that write files or speak the sync formats ---------------------
        /// The patient's whole record as JSON, FHIR and a readable page in `dir` (managers;
        /// logged).
        fn export_patient(&self, actor: &Actor, patient_id: &str, dir: &Path,
            now: DateTime<Utc>) -> Result<AccessExport, ExchangeError>
            = crate::exchange::access::export_patient;
        /// One channel's marketing list as CSV text, and how many patients are on it.
        fn marketing_csv(&self, actor: &Actor, channel: &str, now: DateTime<Utc>)
            -> Result<(String, usize), StoreError> = crate::exchange::marketing::marketing_csv;
        /// Answers a kiosk's pairing code (managers; logged): the answer written into `dir`, the
        /// kiosk waiting for confirmation.
        fn answer_pairing(&self, actor: &Actor, code: PairingCode<'_>, dir: &Path,
            known: KnownKiosk, now: DateTime<Utc>) -> Result<Answered, ExchangeError>
            = crate::exchange::desk_side::answer_pairing_code;
        /// Confirms a waiting kiosk's pairing with the code its screen shows (managers), the
        /// kiosk's nonce read from the exchange folder `dir`.
        fn confirm_kiosk(&self, actor: &Actor, kiosk_id: Option<&str>, typed_code: &str,
            dir: &Path, now: DateTime<Utc>) -> Result<Confirmed, ExchangeError>
            = crate::exchange::desk_side::confirm_pairing;
        /// Imports every bundle in `dir` (managers; each logged), receipts into `dir`, new forms
        /// handed on into `outbox`.
        fn import_folder(&mut self, actor: &Actor, dir: &Path, outbox: &Path, now: DateTime<Utc>,
            progress: &mut dyn FnMut(&str, usize, usize))
            -> Result<Vec<BundleOutcome>, ExchangeError>
            = crate::exchange::desk_side::import_folder;
    }
}
