//! What travels from a kiosk to the desk for one submission: everything the desk needs to keep
//! the record (identity, answers, signature, consent events, which form and notice), and nothing
//! of the kiosk's own keys or ids beyond the kiosk's pseudonymous patient id. It is serialised,
//! sealed to the desk's key by `sync`, and never written anywhere in the clear.

use serde::{Deserialize, Serialize};

use crate::forms::{Answers, ConsentEvent, PatientIdentity, Signature};

/// Format version of [`ExportedSubmission`]; the desk refuses versions it does not know.
pub const EXPORT_VERSION: u32 = 1;

#[derive(Clone, Serialize, Deserialize)]
pub struct ExportedSubmission {
    pub version: u32,
    pub submission_id: String,
    /// The kiosk's pseudonymous id for the patient (the desk matches patients by blind index).
    pub kiosk_patient_id: String,
    pub identity: PatientIdentity,
    pub answers: Answers,
    pub signature: Signature,
    pub consents: Vec<ConsentEvent>,
    pub form_hash: String,
    pub notice_hash: String,
    pub language: String,
    /// RFC 3339.
    pub submitted_at: String,
}

/// A form definition a bundle's submissions refer to, by content hash.
#[derive(Clone, Serialize, Deserialize)]
pub struct ExportedForm {
    pub hash: String,
    pub definition_json: String,
}

/// What the kiosk has to send: submissions not yet acknowledged, and their forms.
pub struct Outgoing {
    pub submissions: Vec<ExportedSubmission>,
    pub forms: Vec<ExportedForm>,
    /// The kiosk's latest security events (the desk keeps each once).
    pub security: Vec<SecurityEvent>,
}

/// What [`OpenStore::each_outgoing`](super::OpenStore::each_outgoing) gives back once every
/// submission has been handed over.
pub struct OutgoingRest {
    pub forms: Vec<ExportedForm>,
    pub security: Vec<SecurityEvent>,
    /// The submissions handed over that this kiosk took (its own forms, 'pending' in their
    /// checked rows), in the order handed over: those an export marks as sent.
    pub pending: Vec<String>,
}

/// One security event from a kiosk's audit log: no staff or patient id, only what and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEvent {
    /// Its position in the kiosk's audit log (the desk's key for keeping it once).
    pub seq: u64,
    /// RFC 3339.
    pub at: String,
    /// `sign_in_failed`, `locked_out` or `failed_unlocks`.
    pub kind: String,
}

/// How many of the latest security events each bundle carries.
pub const SECURITY_LOG_LIMIT: i64 = 500;

/// What the desk did with one bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Submissions stored by this import, in bundle order, with the desk's patient id.
    pub added: Vec<Added>,
    /// Submissions already held (an overlapping bundle): nothing was changed for them.
    pub duplicates: Vec<String>,
}

/// One submission an import stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub submission_id: String,
    /// The desk's own id for the patient (matched or new).
    pub patient_id: String,
    /// The patient's processing is restricted: stored, not handed on.
    pub restricted: bool,
}

/// The kiosk's audit chain at export time: its length and last tag (hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditHead {
    pub length: u64,
    pub last_tag: String,
}
