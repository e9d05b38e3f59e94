//! A submission as a bundle carries it, in the two shapes a desk reads.
//!
//! - [`EntryKind::Submission`] (written until session 22, still read): the JSON of
//!   [`ExportedSubmission`], the same JSON the desk's outbox hands on.
//! - [`EntryKind::CompactSubmission`] (written now): the same values, each run of consent
//!   decisions taken together (same patient, form, time, device, signature: `consent_runs`)
//!   saying what its decisions share once, as the store's consent ledger keeps them. A form's nine
//!   decisions repeated those six values in every one: 4 KB of a 7.4 KB entry, JSON-written,
//!   packed, sealed, opened and parsed again for each form. Now 1.8 KB.
//!
//! Decoding gives back exactly the events encoded, in order (tested). A compact entry is outside
//! input like any other (a taken-over kiosk signs what it likes): before its decisions are given
//! back whole, what that would take is weighed — each event's own struct, the shared values
//! copied into it and an allocation for each — and an entry that would grow past
//! [`MAX_EXPANSION`] times its own size, or that holds more than [`MAX_DECISIONS`] decisions, is
//! refused. (Parsing itself costs what parsing the earlier shape costs: about ten times the
//! smallest decision's bytes, as for any JSON of many small values.)
//!
//! The kind is the shape's version: a later change to it gets a kind of its own, and the
//! `ExportedSubmission` a compact entry gives back is of [`EXPORT_VERSION`].

use serde::{Deserialize, Serialize};

use crate::forms::consent_runs::{self, OwnDecision, Shared};
use crate::store::{EXPORT_VERSION, ExportedSubmission};
use crate::sync::EntryKind;

/// How many times its own size a compact entry's decisions may come to, given back whole. A real
/// form's come to about once; a form of very many decisions and few answers approaches three
/// times (a decision's JSON is ~200 bytes, given back ~560); one written to fill memory, e.g.
/// decisions of empty values, fourteen times or more.
pub const MAX_EXPANSION: usize = 6;

/// The most consent decisions one form may carry (the built-in form has nine; a clinic's own
/// form a few dozen at most).
pub const MAX_DECISIONS: usize = 4_096;

/// What one decision given back whole costs beside its shared values' bytes: the event itself and
/// an allocation for each of the five shared values copied into it.
const EVENT_COST: usize = std::mem::size_of::<crate::forms::ConsentEvent>() + 5 * 32;

/// The entry kind [`write`] writes.
pub const WRITTEN_KIND: EntryKind = EntryKind::CompactSubmission;

/// A compact entry's fields. `S` is `&str` when written, `String` when read; `I`, `A` and `G`
/// the identity, answers and signature, borrowed or owned likewise.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Compact<S, I, A, G> {
    submission_id: S,
    kiosk_patient_id: S,
    identity: I,
    answers: A,
    signature: G,
    consents: Vec<Group<S>>,
    form_hash: S,
    notice_hash: S,
    language: S,
    submitted_at: S,
}

/// Decisions taken together ([`consent_runs`]), with what they share.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group<S> {
    patient_id: S,
    submission_id: Option<S>,
    recorded_at: S,
    device_id: S,
    signature_ref: Option<S>,
    decisions: Vec<OwnDecision<S>>,
}

/// Appends `s` as a compact entry's JSON to `out`.
pub fn write(s: &ExportedSubmission, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let groups: Vec<Group<&str>> = consent_runs::runs(&s.consents)
        .map(|run| {
            let shared = Shared::of(&run[0]);
            Group {
                patient_id: shared.patient_id,
                submission_id: shared.submission_id,
                recorded_at: shared.recorded_at,
                device_id: shared.device_id,
                signature_ref: shared.signature_ref,
                decisions: run.iter().map(OwnDecision::of).collect(),
            }
        })
        .collect();
    serde_json::to_writer(
        out,
        &Compact {
            submission_id: s.submission_id.as_str(),
            kiosk_patient_id: &s.kiosk_patient_id,
            identity: &s.identity,
            answers: &s.answers,
            signature: &s.signature,
            consents: groups,
            form_hash: &s.form_hash,
            notice_hash: &s.notice_hash,
            language: &s.language,
            submitted_at: &s.submitted_at,
        },
    )
}

/// Why an entry's bytes are not a submission.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error("its consent decisions would grow to {would} bytes from a {size}-byte entry")]
    Expands { would: usize, size: usize },
    #[error("it carries {0} consent decisions (at most {MAX_DECISIONS})")]
    TooManyDecisions(usize),
    #[error("entries of kind {0:?} are not submissions")]
    NotASubmission(EntryKind),
}

/// The submission in an entry of `kind` (either shape).
pub fn read(kind: EntryKind, plain: &[u8]) -> Result<ExportedSubmission, EntryError> {
    match kind {
        EntryKind::Submission => Ok(serde_json::from_slice(plain)?),
        EntryKind::CompactSubmission => read_compact(plain),
        other => Err(EntryError::NotASubmission(other)),
    }
}

fn read_compact(plain: &[u8]) -> Result<ExportedSubmission, EntryError> {
    let c: Compact<String, _, _, _> = serde_json::from_slice(plain)?;
    let groups: Vec<(Shared<String>, Vec<OwnDecision<String>>)> = c
        .consents
        .into_iter()
        .map(|g| {
            let shared = Shared {
                patient_id: g.patient_id,
                submission_id: g.submission_id,
                recorded_at: g.recorded_at,
                device_id: g.device_id,
                signature_ref: g.signature_ref,
            };
            (shared, g.decisions)
        })
        .collect();
    let count: usize = groups.iter().map(|(_, d)| d.len()).sum();
    if count > MAX_DECISIONS {
        return Err(EntryError::TooManyDecisions(count));
    }
    let would = groups
        .iter()
        .map(|(shared, decisions)| {
            (EVENT_COST + shared.copied_len()).saturating_mul(decisions.len())
        })
        .fold(0usize, usize::saturating_add);
    if would > plain.len().saturating_mul(MAX_EXPANSION) {
        return Err(EntryError::Expands {
            would,
            size: plain.len(),
        });
    }
    let mut consents = Vec::with_capacity(count);
    for (shared, decisions) in groups {
        consents.extend(decisions.into_iter().map(|d| d.with(&shared)));
    }
    Ok(ExportedSubmission {
        version: EXPORT_VERSION,
        submission_id: c.submission_id,
        kiosk_patient_id: c.kiosk_patient_id,
        identity: c.identity,
        answers: c.answers,
        signature: c.signature,
        consents,
        form_hash: c.form_hash,
        notice_hash: c.notice_hash,
        language: c.language,
        submitted_at: c.submitted_at,
    })
}

#[cfg(test)]
mod tests;
