//! A submission as a bundle carries it, in the shapes a desk reads.
//!
//! - [`EntryKind::Submission`] (written until session 22, still read): the JSON of
//!   [`ExportedSubmission`], the same JSON the desk's outbox hands on.
//! - [`EntryKind::CompactSubmission`] (written until session 24, still read): the same values,
//!   each run of consent decisions taken together (same patient, form, time, device, signature:
//!   `consent_runs`) saying what its decisions share once, as the store's consent ledger keeps
//!   them. A form's nine decisions repeated those six values in every one: 4 KB of a 7.4 KB
//!   entry, JSON-written, packed, sealed, opened and parsed again for each form. Now 1.8 KB.
//! - [`EntryKind::PackedSubmission`] (written until session 38, still read): the compact JSON
//!   without answers and signature, packed, then the answers and the signature as the kiosk's
//!   store sealed them — packed values stay packed. The kiosk used to unpack, parse, write and
//!   pack again ~5 KB of a form's 5.7 KB on its way out; the desk to write and pack them again on
//!   their way in. Now the kiosk copies them, and the desk unpacks and reads them (they are
//!   outside input) and seals the bytes it read. The bundle does not pack this kind again.
//! - [`EntryKind::RunsSubmission`] (written now): the same, with each consent run's value too as
//!   the kiosk's consent ledger sealed it (a [`RunValue`]: device, signature, decisions); the
//!   JSON keeps of each run only what a ledger row keeps in the clear (patient, form, time). The
//!   kiosk no longer opens, reads and writes its decisions again, nor the desk writes and packs
//!   them again: each is read once, at the desk, from the bytes the desk then seals.
//!
//! ```text
//! packed submission = json | answers | signature
//! runs submission   = json | answers | signature | run value (one per run the JSON lists)
//! json              = length (u32 LE) | packed (crate::packing) compact JSON, no answers or signature
//! answers, signature, run value = form (u8: 1 JSON as it is, 2 packed) | length (u32 LE) | bytes
//! ```
//!
//! What the parts unpack to is at most [`MAX_ENTRY_PLAINTEXT`] together, as for any entry.
//!
//! Decoding gives back exactly the events encoded, in order (tested). A compact entry is outside
//! input like any other (a taken-over kiosk signs what it likes): before its decisions are given
//! back whole, what that would take is weighed — each event's own struct, the shared values
//! copied into it and an allocation for each — and an entry that would grow past
//! [`MAX_EXPANSION`] times its own size (its JSON and run values, unpacked), or that holds more
//! than [`MAX_DECISIONS`] decisions, or a run of none, is refused. (Parsing itself costs what
//! parsing the earlier shape costs: about ten times the smallest decision's bytes, as for any
//! JSON of many small values.)
//!
//! The kind is the shape's version: a later change to it gets a kind of its own, and the
//! `ExportedSubmission` a compact entry gives back is of [`EXPORT_VERSION`].

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::forms::consent_runs::{self, OwnDecision, RunValue, Shared};
use crate::forms::{Answers, ConsentEvent, PatientIdentity, Signature};
use crate::packing::{self, Packed};
use crate::store::{EXPORT_VERSION, ExportedSubmission, PackedRun, PackedValues, SealedRun};
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
pub const WRITTEN_KIND: EntryKind = EntryKind::RunsSubmission;

/// A part's form byte: JSON as it is.
const PART_PLAIN: u8 = 1;
/// A part's form byte: packed (`crate::packing`).
const PART_PACKED: u8 = 2;

/// A compact entry's fields. `S` is `&str` when written, `String` when read; `I`, `A` and `G`
/// the identity, answers and signature, borrowed or owned likewise; `C` what it says of each
/// consent run ([`Group`], or [`RunHeader`] in a runs submission). A packed or runs submission's
/// JSON has no answers or signature (they follow it); a compact submission's has both.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Compact<S, I, A, G, C> {
    submission_id: S,
    kiosk_patient_id: S,
    identity: I,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    answers: Option<A>,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    signature: Option<G>,
    consents: Vec<C>,
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

/// A run of a runs submission: what its ledger row holds in the clear (its value follows the
/// JSON, see the module).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunHeader<S> {
    patient_id: S,
    submission_id: Option<S>,
    recorded_at: S,
}

impl<A, G, C> Compact<String, PatientIdentity, A, G, C> {
    /// Its values but its runs, its answers and signature if it had them, and its runs.
    fn split(self) -> (Rest, Option<A>, Option<G>, Vec<C>) {
        let rest = Rest {
            submission_id: self.submission_id,
            kiosk_patient_id: self.kiosk_patient_id,
            identity: self.identity,
            form_hash: self.form_hash,
            notice_hash: self.notice_hash,
            language: self.language,
            submitted_at: self.submitted_at,
        };
        (rest, self.answers, self.signature, self.consents)
    }
}

fn none<T>() -> Option<T> {
    None
}

/// Appends `s` as a runs submission entry to `out`; `scratch` holds its JSON on the way (both
/// buffers are the caller's, to be reserved once and wiped).
pub fn write(
    s: &ExportedSubmission<Opened, Opened, Vec<SealedRun>>, scratch: &mut Vec<u8>,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    let headers = s.consents.iter().map(|run| RunHeader {
        patient_id: run.patient_id.as_str(),
        submission_id: run.submission_id.as_deref(),
        recorded_at: run.recorded_at.as_str(),
    });
    scratch.clear();
    compact_json(s, None::<&()>, None::<&()>, headers.collect(), scratch)?;
    write_json(scratch, out);
    write_part(&s.answers, out);
    write_part(&s.signature, out);
    for run in &s.consents {
        write_part(&run.value, out);
    }
    Ok(())
}

/// Appends `json` packed behind its length (the first part of a packed or runs submission).
fn write_json(json: &[u8], out: &mut Vec<u8>) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    packing::pack_into(out, json);
    let len = u32::try_from(out.len() - at - 4).expect("an entry is far below 4 GiB");
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

/// Appends a value as the kiosk's store sealed it: its form, its length, its bytes.
fn write_part(value: &Opened, out: &mut Vec<u8>) {
    let (form, bytes) = match value {
        Opened::Plain(json) => (PART_PLAIN, json),
        Opened::Packed(packed) => (PART_PACKED, packed),
    };
    out.push(form);
    let len = u32::try_from(bytes.len()).expect("a sealed value is far below 4 GiB");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Appends `s` as a compact entry (the shape kiosks wrote until session 24, still read: what an
/// older kiosk's bundle carries) to `out`.
pub fn write_compact(s: &ExportedSubmission, out: &mut Vec<u8>) -> serde_json::Result<()> {
    compact_json(
        s,
        Some(&s.answers),
        Some(&s.signature),
        groups(&s.consents),
        out,
    )
}

/// `events` as the groups of a compact or packed submission.
fn groups(events: &[ConsentEvent]) -> Vec<Group<&str>> {
    consent_runs::runs(events)
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
        .collect()
}

/// Appends `s`'s compact JSON to `out`, with `answers` and `signature` (a compact submission's)
/// or without (a packed or runs submission's), and `runs` for its consents.
fn compact_json<A: Serialize, G: Serialize, C: Serialize, AS, GS, CS>(
    s: &ExportedSubmission<AS, GS, CS>, answers: Option<&A>, signature: Option<&G>, runs: Vec<C>,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    serde_json::to_writer(
        out,
        &Compact {
            submission_id: s.submission_id.as_str(),
            kiosk_patient_id: &s.kiosk_patient_id,
            identity: &s.identity,
            answers,
            signature,
            consents: runs,
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
    #[error("it carries a consent run of no decisions")]
    EmptyRun,
    #[error("entries of kind {0:?} are not submissions")]
    NotASubmission(EntryKind),
    #[error("its {0} is cut short or followed by stray bytes")]
    Framing(&'static str),
    #[error("its {0} does not unpack within what an entry may hold")]
    Unpack(&'static str),
    #[error("its {0} is not where this kind carries it")]
    Misplaced(&'static str),
    #[error("its text is not UTF-8")]
    NotUtf8,
}

/// The submission in an entry of `kind` (either shape).
pub fn read(kind: EntryKind, plain: &[u8]) -> Result<ExportedSubmission, EntryError> {
    match kind {
        EntryKind::Submission => json(plain),
        EntryKind::CompactSubmission => {
            let c = read_compact(plain)?;
            let (Some(answers), Some(signature)) = (c.answers, c.signature) else {
                return Err(EntryError::Misplaced("answers or signature"));
            };
            Ok(submission(c.rest, answers, signature, c.consents))
        }
        EntryKind::PackedSubmission | EntryKind::RunsSubmission => read_packed(kind, plain),
        other => Err(EntryError::NotASubmission(other)),
    }
}

/// The value `bytes` hold as JSON, their UTF-8 checked once, whole (read as bytes, serde_json
/// checks each string it meets on its own: a tenth of an import's reading of its entries, where
/// one pass over an entry's mostly ASCII text costs a fraction of that).
fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, EntryError> {
    let text = std::str::from_utf8(bytes).map_err(|_| EntryError::NotUtf8)?;
    Ok(serde_json::from_str(text)?)
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

/// What `read` makes of `packed`'s plaintext, unpacked within what is left of `budget` (an
/// entry's plaintext, all parts together), and the packed bytes; the plaintext is wiped once
/// `read` returns (`packing::read_unpacked`).
fn unpack_within<T>(
    packed: &[u8], budget: &mut usize, what: &'static str, read: impl FnOnce(&[u8]) -> T,
) -> Result<(Packed, T), EntryError> {
    let (kept, (len, value)) =
        Packed::check_with(packed, *budget, |plain| (plain.len(), read(plain)))
            .map_err(|_| EntryError::Unpack(what))?;
    *budget -= len;
    Ok((kept, value))
}

/// An answers or signature part: its parsed value, and its packed bytes when it came packed.
fn read_part<T: serde::de::DeserializeOwned>(
    rest: &mut &[u8], budget: &mut usize, what: &'static str,
) -> Result<(T, Option<Packed>), EntryError> {
    let (&form, after) = rest.split_first().ok_or(EntryError::Framing(what))?;
    *rest = after;
    let bytes = take(rest, what)?;
    match form {
        PART_PLAIN => {
            *budget = budget
                .checked_sub(bytes.len())
                .ok_or(EntryError::Unpack(what))?;
            Ok((json(bytes)?, None))
        }
        PART_PACKED => {
            let (kept, value) = unpack_within(bytes, budget, what, |plain| json(plain))?;
            Ok((value?, Some(kept)))
        }
        _ => Err(EntryError::Framing(what)),
    }
}

/// A packed submission, or a runs submission (`kind`).
fn read_packed(kind: EntryKind, plain: &[u8]) -> Result<ExportedSubmission, EntryError> {
    let mut rest = plain;
    let mut budget = MAX_ENTRY_PLAINTEXT;
    let (_, json) = unpack_within(take(&mut rest, "JSON")?, &mut budget, "JSON", |json| {
        Zeroizing::new(json.to_vec())
    })?;
    let (answers, packed_answers) = read_part(&mut rest, &mut budget, "answers")?;
    let (signature, packed_signature) = read_part(&mut rest, &mut budget, "signature")?;
    let (c, runs) = if kind == EntryKind::RunsSubmission {
        read_runs(&json, &mut rest, &mut budget)?
    } else {
        (read_compact(&json)?, Vec::new())
    };
    if !rest.is_empty() {
        let last = if kind == EntryKind::RunsSubmission {
            "consent run"
        } else {
            "signature"
        };
        return Err(EntryError::Framing(last));
    }
    if c.answers.is_some() || c.signature.is_some() {
        return Err(EntryError::Misplaced("answers or signature"));
    }
    let mut s = submission(c.rest, answers, signature, c.consents);
    s.packed = PackedValues {
        answers: packed_answers,
        signature: packed_signature,
        runs,
    };
    Ok(s)
}

/// A runs submission's JSON, and its run values from the front of `rest` (one per run the JSON
/// lists, within `budget`): what they hold, and how each came.
fn read_runs(
    json: &[u8], rest: &mut &[u8], budget: &mut usize,
) -> Result<(Read, Vec<PackedRun>), EntryError> {
    let c: Compact<String, _, _, _, RunHeader<String>> = self::json(json)?;
    let (rest_values, answers, signature, headers) = c.split();
    // Every run holds a decision at least: more runs than decisions allowed is too many.
    if headers.len() > MAX_DECISIONS {
        return Err(EntryError::TooManyDecisions(headers.len()));
    }
    let mut size = json.len();
    let mut groups = Vec::with_capacity(headers.len());
    let mut runs = Vec::with_capacity(headers.len());
    for header in headers {
        let before = *budget;
        let (value, packed): (RunValue<String>, _) = read_part(rest, budget, "consent run")?;
        size = size.saturating_add(before - *budget);
        if value.decisions.is_empty() {
            return Err(EntryError::EmptyRun);
        }
        runs.push(PackedRun {
            decisions: value.decisions.len(),
            packed,
        });
        groups.push(value.with_clear(header.patient_id, header.submission_id, header.recorded_at));
    }
    let read = Read {
        rest: rest_values,
        answers,
        signature,
        consents: given_back(groups, size)?,
    };
    Ok((read, runs))
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
    rest: Rest, answers: Answers, signature: Signature, consents: Vec<ConsentEvent>,
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
    let c: Compact<String, _, _, _, Group<String>> = json(plain)?;
    let (rest, answers, signature, groups) = c.split();
    let groups = groups
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
    Ok(Read {
        rest,
        answers,
        signature,
        consents: given_back(groups, plain.len())?,
    })
}

/// The decisions of `groups` (read from `size` bytes of JSON) given back whole, once weighed:
/// refused when too many, or when they would grow past [`MAX_EXPANSION`] times `size`.
fn given_back(
    groups: Vec<(Shared<String>, Vec<OwnDecision<String>>)>, size: usize,
) -> Result<Vec<ConsentEvent>, EntryError> {
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
    if would > size.saturating_mul(MAX_EXPANSION) {
        return Err(EntryError::Expands { would, size });
    }
    let mut consents = Vec::with_capacity(count);
    for (shared, decisions) in groups {
        consents.extend(decisions.into_iter().map(|d| d.with(&shared)));
    }
    Ok(consents)
}

#[cfg(test)]
mod tests;
