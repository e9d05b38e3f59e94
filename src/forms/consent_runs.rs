//! Consent decisions taken together (a form's, or one decision at the desk): what they share —
//! patient, form, time, device, signature — said once, beside what each keeps of its own. The one
//! rule for which decisions go together and for giving them back whole, used by the consent
//! ledger's rows (`store`: the shared values in covered columns and the sealed value) and by a
//! bundle's compact entries (`exchange::submission_entry`).

use serde::{Deserialize, Serialize};

use super::consent::{ConsentEvent, Decision};

/// What a run of decisions shares. `S` is `&str` when written, `String` when read.
pub struct Shared<S> {
    pub patient_id: S,
    pub submission_id: Option<S>,
    pub recorded_at: S,
    pub device_id: S,
    pub signature_ref: Option<S>,
}

/// What one decision of a run keeps of its own. Its field names are stored (in the ledger's
/// sealed values) and sent (in bundles): never rename one.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnDecision<S> {
    pub id: S,
    pub item_id: S,
    pub decision: Decision,
    pub text_hash: S,
    pub text_version: S,
    pub language: S,
}

/// What a run keeps beside the values a ledger row and a bundle's run header hold in the clear
/// (patient, form, time): its device, its signature and its decisions. The consent ledger seals
/// it as a row's value; a bundle carries it as the kiosk's ledger sealed it (see
/// `exchange::submission_entry`). Its field names are stored and sent: never rename one.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunValue<S> {
    pub device_id: S,
    pub signature_ref: Option<S>,
    pub decisions: Vec<OwnDecision<S>>,
}

impl<'a> RunValue<&'a str> {
    /// The value of `run` (decisions taken together, see [`runs`]: never empty).
    pub fn of(run: &'a [ConsentEvent]) -> Self {
        let first = &run[0];
        RunValue {
            device_id: &first.device_id,
            signature_ref: first.signature_ref.as_deref(),
            decisions: run.iter().map(OwnDecision::of).collect(),
        }
    }
}

impl RunValue<String> {
    /// What the run shares, with the values kept in the clear beside this one, and its own
    /// decisions: the run given back (see [`OwnDecision::with`]).
    pub fn with_clear(
        self, patient_id: String, submission_id: Option<String>, recorded_at: String,
    ) -> (Shared<String>, Vec<OwnDecision<String>>) {
        let shared = Shared {
            patient_id,
            submission_id,
            recorded_at,
            device_id: self.device_id,
            signature_ref: self.signature_ref,
        };
        (shared, self.decisions)
    }

    /// The run's decisions given back whole, with the values kept in the clear beside this one
    /// (for a value this installation sealed; a bundle's reader weighs a run first, see
    /// [`with_clear`](Self::with_clear)).
    pub fn into_events(
        self, patient_id: String, submission_id: Option<String>, recorded_at: String,
    ) -> Vec<ConsentEvent> {
        let (shared, decisions) = self.with_clear(patient_id, submission_id, recorded_at);
        decisions.into_iter().map(|d| d.with(&shared)).collect()
    }
}

/// Whether `b` goes with `a`: everything a run holds once is the same.
pub fn taken_together(a: &ConsentEvent, b: &ConsentEvent) -> bool {
    a.patient_id == b.patient_id
        && a.submission_id == b.submission_id
        && a.recorded_at == b.recorded_at
        && a.device_id == b.device_id
        && a.signature_ref == b.signature_ref
}

/// `events` in runs of decisions taken together, in order.
pub fn runs(events: &[ConsentEvent]) -> impl Iterator<Item = &[ConsentEvent]> {
    events.chunk_by(taken_together)
}

impl<'a> Shared<&'a str> {
    /// What `event` (and the rest of its run) shares.
    pub fn of(event: &'a ConsentEvent) -> Self {
        Shared {
            patient_id: &event.patient_id,
            submission_id: event.submission_id.as_deref(),
            recorded_at: &event.recorded_at,
            device_id: &event.device_id,
            signature_ref: event.signature_ref.as_deref(),
        }
    }
}

impl Shared<String> {
    /// The bytes that would be copied into each decision given back with these values: what a
    /// reader of outside input weighs before it expands a run.
    pub fn copied_len(&self) -> usize {
        self.patient_id.len()
            + self.submission_id.as_ref().map_or(0, String::len)
            + self.recorded_at.len()
            + self.device_id.len()
            + self.signature_ref.as_ref().map_or(0, String::len)
    }
}

impl<'a> OwnDecision<&'a str> {
    /// What `event` keeps of its own.
    pub fn of(event: &'a ConsentEvent) -> Self {
        OwnDecision {
            id: &event.id,
            item_id: &event.item_id,
            decision: event.decision,
            text_hash: &event.text_hash,
            text_version: &event.text_version,
            language: &event.language,
        }
    }
}

impl OwnDecision<String> {
    /// The whole event: this decision with what its run shares.
    pub fn with(self, shared: &Shared<String>) -> ConsentEvent {
        ConsentEvent {
            id: self.id,
            patient_id: shared.patient_id.clone(),
            submission_id: shared.submission_id.clone(),
            item_id: self.item_id,
            decision: self.decision,
            text_hash: self.text_hash,
            text_version: self.text_version,
            language: self.language,
            recorded_at: shared.recorded_at.clone(),
            device_id: shared.device_id.clone(),
            signature_ref: shared.signature_ref.clone(),
        }
    }
}
