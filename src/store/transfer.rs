//! What travels from a kiosk to the desk for one submission: everything the desk needs to keep
//! the record (identity, answers, signature, consent events, which form and notice), and nothing
//! of the kiosk's own keys or ids beyond the kiosk's pseudonymous patient id. It is serialised,
//! sealed to the desk's key by `sync`, and never written anywhere in the clear.

use serde::{Deserialize, Serialize};

use crate::forms::consent_runs::RunValue;
use crate::forms::{Answers, ConsentEvent, PatientIdentity, Signature};
use crate::packing::Packed;
use crate::vault::Opened;

/// Format version of [`ExportedSubmission`]; the desk refuses versions it does not know.
pub const EXPORT_VERSION: u32 = 1;

/// One submission as it travels. `A`, `G` and `C` are the answers, the signature and the consent
/// decisions: read (the default: values, events), or as the kiosk's store sealed them
/// ([`Opened`], [`SealedRun`]s: packed values stay packed, so an export copies them into its
/// bundle without unpacking, parsing, writing and packing them again;
/// [`ExportedSubmission::parsed`] reads them).
#[derive(Clone, Serialize, Deserialize)]
pub struct ExportedSubmission<A = Answers, G = Signature, C = Vec<ConsentEvent>> {
    pub version: u32,
    pub submission_id: String,
    /// The kiosk's pseudonymous id for the patient (the desk matches patients by blind index).
    pub kiosk_patient_id: String,
    pub identity: PatientIdentity,
    pub answers: A,
    pub signature: G,
    pub consents: C,
    pub form_hash: String,
    pub notice_hash: String,
    pub language: String,
    /// RFC 3339.
    pub submitted_at: String,
    /// The answers, signature and consent runs as the kiosk packed them, when its bundle carried
    /// them so (set only by the reader of such an entry, which checked that they unpack to the
    /// values as parsed): the desk seals these bytes instead of packing the values again. Never
    /// part of any JSON.
    #[serde(skip)]
    pub packed: PackedValues,
}

/// See [`ExportedSubmission::packed`].
#[derive(Clone, Default)]
pub struct PackedValues {
    pub answers: Option<Packed>,
    pub signature: Option<Packed>,
    /// One for each run of `consents` the entry carried, in order (empty: none carried so).
    pub runs: Vec<PackedRun>,
}

/// A run of consent decisions as a bundle carried it: how many decisions its value held, and
/// the value's packed bytes (a [`RunValue`](crate::forms::consent_runs::RunValue)'s JSON) when
/// it came packed.
#[derive(Clone)]
pub struct PackedRun {
    pub decisions: usize,
    pub packed: Option<Packed>,
}

/// One consent-ledger row of a kiosk's form as its store sealed it, on its way out: the values
/// the row holds in the clear (checked) and its value as sealed (a
/// [`RunValue`](crate::forms::consent_runs::RunValue)'s JSON, packed or not: authentic, written
/// by this kiosk's key holder, still read as outside input by whoever unpacks it).
#[derive(Clone)]
pub struct SealedRun {
    pub patient_id: String,
    pub submission_id: Option<String>,
    pub recorded_at: String,
    pub value: Opened,
}

impl SealedRun {
    /// The run's decisions, read.
    fn events(&self) -> Result<Vec<ConsentEvent>, OpenedValueError> {
        let value: RunValue<String> = serde_json::from_slice(&plaintext_of(&self.value)?)?;
        Ok(value.into_events(
            self.patient_id.clone(),
            self.submission_id.clone(),
            self.recorded_at.clone(),
        ))
    }
}

/// Why a stored answer or signature could not be read (see [`ExportedSubmission::parsed`]).
#[derive(Debug, thiserror::Error)]
pub enum OpenedValueError {
    #[error("its packed bytes do not unpack")]
    Unpack,
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The plaintext of `value` (unpacked if it was sealed packed), wiped when dropped.
fn plaintext_of(value: &Opened) -> Result<zeroize::Zeroizing<Vec<u8>>, OpenedValueError> {
    match value {
        Opened::Plain(plain) => Ok(plain.clone()),
        Opened::Packed(packed) => {
            crate::packing::unpack(packed, crate::vault::MAX_PACKED_PLAINTEXT)
                .map_err(|_| OpenedValueError::Unpack)
        }
    }
}

impl ExportedSubmission<Opened, Opened, Vec<SealedRun>> {
    /// The same submission with its answers, signature and consent decisions read.
    pub fn parsed(self) -> Result<ExportedSubmission, OpenedValueError> {
        let answers = serde_json::from_slice(&plaintext_of(&self.answers)?)?;
        let signature = serde_json::from_slice(&plaintext_of(&self.signature)?)?;
        let mut consents = Vec::new();
        for run in &self.consents {
            consents.extend(run.events()?);
        }
        Ok(ExportedSubmission {
            version: self.version,
            submission_id: self.submission_id,
            kiosk_patient_id: self.kiosk_patient_id,
            identity: self.identity,
            answers,
            signature,
            consents,
            form_hash: self.form_hash,
            notice_hash: self.notice_hash,
            language: self.language,
            submitted_at: self.submitted_at,
            packed: PackedValues::default(),
        })
    }
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

/// A verified, opened bundle as the desk's store takes it: who sent it, where its sender's log
/// stood, the hash of its file, and its small parts read whole (form definitions, security
/// events). Its forms come one at a time, each read as it is stored
/// ([`OpenStore::import_streamed`](super::OpenStore::import_streamed)).
pub struct BundleIn<'a> {
    pub kiosk_id: &'a str,
    pub seq: u64,
    pub head: &'a AuditHead,
    pub file_hash: &'a str,
    pub forms: &'a [ExportedForm],
    pub security: &'a [SecurityEvent],
}

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
    /// The form joined a record held for erasure: stored, and handed on, without the contact
    /// details and with the treatment consent only ([`crate::rights::held`]).
    pub held_for_erasure: bool,
}

/// The kiosk's audit chain at export time: its length and last tag (hex), and where it stood at
/// the kiosk's previous bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditHead {
    pub length: u64,
    pub last_tag: String,
    pub previous: Option<PriorCheckpoint>,
}

/// A kiosk's previous bundle (its number and its log's length then) and the chain tag of that
/// entry of the log as it is now (hex): the desk, holding that bundle, checks that the log grew
/// from the one it saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorCheckpoint {
    pub seq: u64,
    pub length: u64,
    pub tag: String,
}
