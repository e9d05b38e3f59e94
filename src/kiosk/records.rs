//! The kiosk's port: the narrow interface its controllers use, so they can be tested against an
//! in-memory fake (`memory_records`, test builds only) as well as the real sealed store.
//! Declared with `crate::port::port!`: a call the store answers under the same name is one line.
//! Signing in and the audit event come from the port both windows share ([`SignInRecords`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::sync_port::KioskSync;
use crate::forms::{Decision, PatientIdentity};
use crate::port::port;
use crate::store::{
    Actor, ConfirmedPatient, MedicalRecord, NewSubmission, OpenStore, SignInRecords, Store,
    StoreError, SubmissionSummary,
};
use crate::vault::Passphrase;

port! {
    /// What the kiosk needs from its records while open.
    pub trait KioskRecords: SignInRecords for OpenStore {
        fn find_returning_patient(&self, actor: &Actor, identity: &PatientIdentity,
            now: DateTime<Utc>) -> Result<Option<String>, StoreError>;
        fn save_submission(&mut self, actor: &Actor, submission: NewSubmission,
            now: DateTime<Utc>) -> Result<String, StoreError>;
        fn submissions_since(&self, actor: &Actor, since: DateTime<Utc>, now: DateTime<Utc>)
            -> Result<Vec<SubmissionSummary>, StoreError>;
        /// A submission in full; clinicians and managers only.
        fn read_medical(&self, actor: &Actor, submission_id: &str, now: DateTime<Utc>)
            -> Result<MedicalRecord, StoreError>;
        /// The wrong-patient guard: the proof that lets a form join this patient, when the typed
        /// date of birth is theirs.
        fn confirm_date_of_birth(&self, actor: &Actor, patient_id: &str, typed: &str,
            now: DateTime<Utc>) -> Result<Option<ConfirmedPatient>, StoreError>;
        /// A patient's current decision per consent item.
        fn current_consents(&self, actor: &Actor, patient_id: &str, now: DateTime<Utc>)
            -> Result<BTreeMap<String, Decision>, StoreError>;
        /// Lifts a PIN lockout; needs a manager's passphrase.
        fn reset_lockout(&mut self, manager_passphrase: &Passphrase, staff_id: &str,
            now: DateTime<Utc>) -> Result<(), StoreError>;
        /// Closes for the day: drops the keys. The real store hands back the closed database.
        fn close(self: Box<Self>, actor: Option<&Actor>, now: DateTime<Utc>)
            -> Result<Option<Store>, StoreError> {
            OpenStore::close(*self, actor, now).map(Some)
        }
        /// Copies the WAL into the database file while staff hold the tablet
        /// ([`Store::fold_wal`]), so no patient's submit waits for it. The fake has no WAL.
        fn fold_wal(&self) -> Result<(), StoreError> {
            self.store().fold_wal()
        }
        /// Where the records live on disk, if anywhere.
        fn data_path(&self) -> Option<PathBuf> {
            Some(self.store().path().to_owned())
        }
        /// The sync actions (pairing, export, receipts), when these records can sync. The fake
        /// cannot, so sync is unavailable in controller tests against it.
        fn sync(&self) -> Option<&dyn KioskSync> {
            Some(self)
        }
        /// The staff and key actions (adding staff too), when these records hold staff.
        fn staff_admin(&mut self) -> Option<&mut dyn crate::store::StaffAdmin> {
            Some(self)
        }
        /// A setting's stored value (`None`: its default); an edited row is refused.
        fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
        /// Sets a setting (managers only): checked against [`crate::settings`], logged.
        fn set_setting(&self, actor: &Actor, key: &str, value: &str, now: DateTime<Utc>)
            -> Result<(), StoreError>;
        /// The clinic's active form as (hash, canonical JSON), if a manager chose one.
        fn active_form(&self) -> Result<Option<(String, String)>, StoreError>;
        /// The newest time the kiosk has recorded since its clock was last confirmed (see
        /// [`crate::store::runs_behind`]).
        fn newest_recorded_time(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
        /// A manager's word that the clock is right although it runs behind what was recorded;
        /// logged.
        fn confirm_clock(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), StoreError>;
        /// Makes a checked definition the active one (managers only); logged.
        fn activate_form(&mut self, actor: &Actor, hash: &str, definition_json: &str,
            now: DateTime<Utc>) -> Result<(), StoreError>;
    }
}
