//! A submission as a bundle carries it, in the two shapes a desk reads.
//!
//! - [`EntryKind::Submission`] (written until session 22, still read): the JSON of
//!   [`ExportedSubmission`], the same JSON the desk's outbox hands on.
//! - [`EntryKind::CompactSubmission`] (written now): the same values, each run of consent
//!   decisions taken together (same patient, form, time, device, signature, language) saying
//!   what its decisions share once, as the store's consent ledger keeps them. A form's nine
//!   decisions repeated those six values in every one: 4 KB of a 7.4 KB entry, JSON-written,
//!   packed, sealed, opened and parsed again for each form. Now 1.8 KB.
//!
//! Decoding gives back exactly the events encoded, in order (tested). A compact entry is outside
//! input like any other: what one group's shared values would be copied into its decisions is
//! counted, and an entry that would grow past [`MAX_EXPANSION`] times its own size (a taken-over
//! kiosk's way to make a small entry fill the desk's memory) is refused.

use serde::{Deserialize, Serialize};

use crate::forms::{ConsentEvent, Decision};
use crate::store::{EXPORT_VERSION, ExportedSubmission};
use crate::sync::EntryKind;

/// How many times its own size the shared values copied into a compact entry's decisions may
/// come to (a real form's come to under half).
pub const MAX_EXPANSION: usize = 4;

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

/// Decisions taken together, with what they share.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group<S> {
    patient_id: S,
    submission_id: Option<S>,
    recorded_at: S,
    device_id: S,
    signature_ref: Option<S>,
    language: S,
    decisions: Vec<OneDecision<S>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OneDecision<S> {
    id: S,
    item_id: S,
    decision: Decision,
    text_hash: S,
    text_version: S,
}

/// Whether `b` can join the group `a` opened.
fn shares(a: &ConsentEvent, b: &ConsentEvent) -> bool {
    a.patient_id == b.patient_id
        && a.submission_id == b.submission_id
        && a.recorded_at == b.recorded_at
        && a.device_id == b.device_id
        && a.signature_ref == b.signature_ref
        && a.language == b.language
}

/// Appends `s` as a compact entry's JSON to `out`.
pub fn write(s: &ExportedSubmission, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mut groups: Vec<Group<&str>> = Vec::new();
    let mut opened: Option<&ConsentEvent> = None;
    for event in &s.consents {
        let decision = OneDecision {
            id: event.id.as_str(),
            item_id: event.item_id.as_str(),
            decision: event.decision,
            text_hash: event.text_hash.as_str(),
            text_version: event.text_version.as_str(),
        };
        match (opened, groups.last_mut()) {
            (Some(first), Some(group)) if shares(first, event) => group.decisions.push(decision),
            _ => {
                opened = Some(event);
                groups.push(Group {
                    patient_id: &event.patient_id,
                    submission_id: event.submission_id.as_deref(),
                    recorded_at: &event.recorded_at,
                    device_id: &event.device_id,
                    signature_ref: event.signature_ref.as_deref(),
                    language: &event.language,
                    decisions: vec![decision],
                });
            }
        }
    }
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
    let copied: usize = c
        .consents
        .iter()
        .map(|g| {
            let shared = g.patient_id.len()
                + g.submission_id.as_ref().map_or(0, String::len)
                + g.recorded_at.len()
                + g.device_id.len()
                + g.signature_ref.as_ref().map_or(0, String::len)
                + g.language.len();
            shared.saturating_mul(g.decisions.len())
        })
        .fold(0usize, usize::saturating_add);
    let limit = plain.len().saturating_mul(MAX_EXPANSION);
    if copied > limit {
        return Err(EntryError::Expands {
            would: copied,
            size: plain.len(),
        });
    }
    let mut consents = Vec::with_capacity(c.consents.iter().map(|g| g.decisions.len()).sum());
    for g in c.consents {
        for d in g.decisions {
            consents.push(ConsentEvent {
                id: d.id,
                patient_id: g.patient_id.clone(),
                submission_id: g.submission_id.clone(),
                item_id: d.item_id,
                decision: d.decision,
                text_hash: d.text_hash,
                text_version: d.text_version,
                language: g.language.clone(),
                recorded_at: g.recorded_at.clone(),
                device_id: g.device_id.clone(),
                signature_ref: g.signature_ref.clone(),
            });
        }
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
