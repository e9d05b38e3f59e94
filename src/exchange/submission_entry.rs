//! A submission as a bundle carries it, in the two shapes a desk reads.
//!
//! - [`EntryKind::Submission`] (written until session 22, still read): the JSON of
//!   [`ExportedSubmission`], the same JSON the desk's outbox hands on.
//! - [`EntryKind::CompactSubmission`] (written until session 24, still read): the same values,
//!   each run of consent decisions taken together (same patient, form, time, device, signature:
//!   `consent_runs`) saying what its decisions share once, as the store's consent ledger keeps
//!   them. A form's nine decisions repeated those six values in every one: 4 KB of a 7.4 KB
//!   entry, JSON-written, packed, sealed, opened and parsed again for each form. Now 1.8 KB.
//! - [`EntryKind::PackedSubmission`] (written now): the compact JSON without answers and
//!   signature, packed, then the answers and the signature as the kiosk's store sealed them —
//!   packed values stay packed. The kiosk used to unpack, parse, write and pack again ~5 KB of a
//!   form's 5.7 KB on its way out; the desk to write and pack them again on their way in. Now the
//!   kiosk copies them, and the desk unpacks and reads them (they are outside input) and seals
//!   the bytes it read. The bundle does not pack this kind again.
//!
//! ```text
//! packed submission = json | answers | signature
//! json              = length (u32 LE) | packed (crate::packing) compact JSON, no answers or signature
//! answers, signature = form (u8: 1 JSON as it is, 2 packed) | length (u32 LE) | bytes
//! ```
//!
//! What the three parts unpack to is at most [`MAX_ENTRY_PLAINTEXT`] together, as for any entry.
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
use zeroize::Zeroizing;

use crate::forms::consent_runs::{self, OwnDecision, Shared};
use crate::forms::{Answers, ConsentEvent, PatientIdentity, Signature};
use crate::packing::{self, Packed};
use crate::store::{EXPORT_VERSION, ExportedSubmission, PackedValues};
use crate::sync::{EntryKind, MAX_ENTRY_PLAINTEXT};
use crate::vault::Opened;

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
const EVENT_COST: usize = std::mem::size_of::<ConsentEvent>() + 5 * 32;

/// The entry kind [`write`] writes.
pub const WRITTEN_KIND: EntryKind = EntryKind::PackedSubmission;

/// A part's form byte: JSON as it is.
const PART_PLAIN: u8 = 1;
/// A part's form byte: packed (`crate::packing`).
const PART_PACKED: u8 = 2;

/// A compact entry's fields. `S` is `&str` when written, `String` when read; `I`, `A` and `G`
/// the identity, answers and signature, borrowed or owned likewise. A packed submission's JSON
/// has no answers or signature (they follow it); a compact submission's has both.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Compact<S, I, A, G> {
    submission_id: S,
    kiosk_patient_id: S,
    identity: I,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    answers: Option<A>,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    signature: Option<G>,
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

fn none<T>() -> Option<T> {
    None
}

/// Appends `s` as a packed submission entry to `out`; `scratch` holds its JSON on the way (both
/// buffers are the caller's, to be reserved once and wiped).
pub fn write(
    s: &ExportedSubmission<Opened, Opened>,
    scratch: &mut Vec<u8>,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    scratch.clear();
    compact_json(s, None::<&()>, None::<&()>, scratch)?;
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    packing::pack_into(out, scratch);
    let len = u32::try_from(out.len() - at - 4).expect("an entry is far below 4 GiB");
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    for part in [&s.answers, &s.signature] {
        let (form, bytes) = match part {
            Opened::Plain(json) => (PART_PLAIN, json),
            Opened::Packed(packed) => (PART_PACKED, packed),
        };
        out.push(form);
        let len = u32::try_from(bytes.len()).expect("a sealed value is far below 4 GiB");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(bytes);
    }
    Ok(())
}

/// Appends `s` as a compact entry (the shape kiosks wrote until session 24, still read: what an
/// older kiosk's bundle carries) to `out`.
pub fn write_compact(s: &ExportedSubmission, out: &mut Vec<u8>) -> serde_json::Result<()> {
    compact_json(s, Some(&s.answers), Some(&s.signature), out)
}

/// Appends `s`'s compact JSON to `out`, with `answers` and `signature` (a compact submission's)
/// or without (a packed submission's).
fn compact_json<A: Serialize, G: Serialize, AS, GS>(
    s: &ExportedSubmission<AS, GS>,
    answers: Option<&A>,
    signature: Option<&G>,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
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
            answers,
            signature,
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
    #[error("its {0} is cut short or followed by stray bytes")]
    Framing(&'static str),
    #[error("its {0} does not unpack within what an entry may hold")]
    Unpack(&'static str),
    #[error("its {0} is not where this kind carries it")]
    Misplaced(&'static str),
}

/// The submission in an entry of `kind` (either shape).
pub fn read(kind: EntryKind, plain: &[u8]) -> Result<ExportedSubmission, EntryError> {
    match kind {
        EntryKind::Submission => Ok(serde_json::from_slice(plain)?),
        EntryKind::CompactSubmission => {
            let c = read_compact(plain)?;
            let (Some(answers), Some(signature)) = (c.answers, c.signature) else {
                return Err(EntryError::Misplaced("answers or signature"));
            };
            Ok(submission(c.rest, answers, signature, c.consents))
        }
        EntryKind::PackedSubmission => read_packed(plain),
        other => Err(EntryError::NotASubmission(other)),
    }
}

/// The part at the front of `rest` (a length, then that many bytes), taken off it.
fn take<'a>(rest: &mut &'a [u8], what: &'static str) -> Result<&'a [u8], EntryError> {
    let (len, after) = rest
        .split_first_chunk::<4>()
        .ok_or(EntryError::Framing(what))?;
    let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| EntryError::Framing(what))?;
    if after.len() < len {
        return Err(EntryError::Framing(what));
    }
    let (part, after) = after.split_at(len);
    *rest = after;
    Ok(part)
}

/// Unpacks `packed` within what is left of `budget` (an entry's plaintext, all parts together).
fn unpack_within(
    packed: &[u8],
    budget: &mut usize,
    what: &'static str,
) -> Result<(Packed, Zeroizing<Vec<u8>>), EntryError> {
    let (kept, plain) = Packed::check(packed, *budget).map_err(|_| EntryError::Unpack(what))?;
    *budget -= plain.len();
    Ok((kept, plain))
}

/// An answers or signature part: its parsed value, and its packed bytes when it came packed.
fn read_part<T: serde::de::DeserializeOwned>(
    rest: &mut &[u8],
    budget: &mut usize,
    what: &'static str,
) -> Result<(T, Option<Packed>), EntryError> {
    let (&form, after) = rest.split_first().ok_or(EntryError::Framing(what))?;
    *rest = after;
    let bytes = take(rest, what)?;
    match form {
        PART_PLAIN => {
            *budget = budget
                .checked_sub(bytes.len())
                .ok_or(EntryError::Unpack(what))?;
            Ok((serde_json::from_slice(bytes)?, None))
        }
        PART_PACKED => {
            let (kept, plain) = unpack_within(bytes, budget, what)?;
            Ok((serde_json::from_slice(&plain)?, Some(kept)))
        }
        _ => Err(EntryError::Framing(what)),
    }
}

fn read_packed(plain: &[u8]) -> Result<ExportedSubmission, EntryError> {
    let mut rest = plain;
    let mut budget = MAX_ENTRY_PLAINTEXT;
    let (_, json) = unpack_within(take(&mut rest, "JSON")?, &mut budget, "JSON")?;
    let (answers, packed_answers) = read_part(&mut rest, &mut budget, "answers")?;
    let (signature, packed_signature) = read_part(&mut rest, &mut budget, "signature")?;
    if !rest.is_empty() {
        return Err(EntryError::Framing("signature"));
    }
    let c = read_compact(&json)?;
    if c.answers.is_some() || c.signature.is_some() {
        return Err(EntryError::Misplaced("answers or signature"));
    }
    let mut s = submission(c.rest, answers, signature, c.consents);
    s.packed = PackedValues {
        answers: packed_answers,
        signature: packed_signature,
    };
    Ok(s)
}

/// A compact entry's values but its decisions, answers and signature.
struct Rest {
    submission_id: String,
    kiosk_patient_id: String,
    identity: PatientIdentity,
    form_hash: String,
    notice_hash: String,
    language: String,
    submitted_at: String,
}

/// What a compact JSON held: its answers and signature if it had them, its decisions given back
/// whole, and the rest.
struct Read {
    rest: Rest,
    answers: Option<Answers>,
    signature: Option<Signature>,
    consents: Vec<ConsentEvent>,
}

fn submission(
    rest: Rest,
    answers: Answers,
    signature: Signature,
    consents: Vec<ConsentEvent>,
) -> ExportedSubmission {
    ExportedSubmission {
        version: EXPORT_VERSION,
        submission_id: rest.submission_id,
        kiosk_patient_id: rest.kiosk_patient_id,
        identity: rest.identity,
        answers,
        signature,
        consents,
        form_hash: rest.form_hash,
        notice_hash: rest.notice_hash,
        language: rest.language,
        submitted_at: rest.submitted_at,
        packed: PackedValues::default(),
    }
}

/// A compact JSON's values and its decisions given back whole (weighed first, see the module).
fn read_compact(plain: &[u8]) -> Result<Read, EntryError> {
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
    let read = Read {
        rest: Rest {
            submission_id: c.submission_id,
            kiosk_patient_id: c.kiosk_patient_id,
            identity: c.identity,
            form_hash: c.form_hash,
            notice_hash: c.notice_hash,
            language: c.language,
            submitted_at: c.submitted_at,
        },
        answers: c.answers,
        signature: c.signature,
        consents,
    };
    Ok(read)
}

#[cfg(test)]
mod tests;
