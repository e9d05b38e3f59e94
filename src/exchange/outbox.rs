//! The outbox: each form the desk stores handed on to the clinic's records (FHIR R4 Bundle,
//! plain JSON, printable HTML), and taken back out again when its patient's erasure comes
//! before the records system took it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use zeroize::{Zeroize, Zeroizing};

use super::ExchangeError;
use super::files::{self, Expected};
use crate::forms::FormDefinition;
use crate::handoff::{FormFacts, SubmissionView, write_fhir_bundle, write_printable_html};
use crate::store::{Added, ExportedForm, ExportedSubmission, HandedOnForm, Outgoing, StoreError};

#[cfg(test)]
mod tests;
mod writer;

use writer::FileWriter;

/// Where the forms to hand on are read from: a bundle's contents as decoded ([`Outgoing`]), or
/// an opened bundle read again form by form
/// ([`BundleForms`](super::bundle_forms::BundleForms)).
pub trait FormsToHandOn {
    /// The form definitions the bundle carried.
    fn definitions(&self) -> &[ExportedForm];

    /// The ids of the bundle's forms, in bundle order.
    fn form_ids(&self) -> impl Iterator<Item = &str>;

    /// The `n`th form of the bundle.
    fn form(&self, n: usize) -> Result<Cow<'_, ExportedSubmission>, ExchangeError>;
}

impl FormsToHandOn for Outgoing {
    fn definitions(&self) -> &[ExportedForm] {
        &self.forms
    }

    fn form_ids(&self) -> impl Iterator<Item = &str> {
        self.submissions.iter().map(|s| s.submission_id.as_str())
    }

    fn form(&self, n: usize) -> Result<Cow<'_, ExportedSubmission>, ExchangeError> {
        Ok(Cow::Borrowed(&self.submissions[n]))
    }
}

/// Hands each newly stored form on to the clinic's records: `<id>.fhir.json` (an R4 Bundle),
/// `<id>.json` (the submission as exported, plain JSON) and `<id>.html` (printable), in
/// `outbox`: the forms `added` (stored under the desk's patient) of `bundle`, one of
/// `kiosk_id`'s. Returns how many files were written.
///
/// Each file goes to disk under a temporary name as soon as it is made; every
/// [`OUTBOX_SLICE_BYTES`] the files so far are made durable together and named
/// ([`files::Batch`]) on another thread while the next slice is written, so neither memory nor
/// the number of syncs grows with the bundle. The files are made on this thread and written on
/// another ([`FileWriter`]): the formats are made while the file system creates the files before
/// them. A form that cannot be made, or a panic while making one, leaves none of the files not
/// yet named. The machine formats are compact JSON.
pub fn hand_on(
    kiosk_id: &str, bundle: &impl FormsToHandOn, added: &[Added], outbox: &Path,
) -> Result<usize, ExchangeError> {
    hand_on_in_slices(kiosk_id, bundle, added, outbox, OUTBOX_SLICE_BYTES)
}

/// [`hand_on`], made durable and named every `slice_bytes`.
fn hand_on_in_slices(
    kiosk_id: &str, bundle: &impl FormsToHandOn, added: &[Added], outbox: &Path, slice_bytes: u64,
) -> Result<usize, ExchangeError> {
    let abandoned = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let mut writer = FileWriter::start(scope, outbox, &abandoned, slice_bytes)?;
        let made = make_files(kiosk_id, bundle, added, &mut writer);
        writer.finish(made)
    })
}

/// Makes the files of each form of `added` and hands them to `writer`; returns how many.
fn make_files(
    kiosk_id: &str, bundle: &impl FormsToHandOn, added: &[Added], writer: &mut FileWriter,
) -> Result<usize, ExchangeError> {
    let mut written = 0;
    let forms: HashMap<&str, (FormDefinition, FormFacts)> = bundle
        .definitions()
        .iter()
        .filter_map(|f| {
            FormDefinition::from_stored(&f.definition_json)
                .ok()
                .map(|d| {
                    let facts = FormFacts::of(&d);
                    (f.hash.as_str(), (d, facts))
                })
        })
        .collect();
    // A form id twice in one bundle: the first is the one stored (the store counts the second
    // as held), so the first is the one handed on.
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (n, id) in bundle.form_ids().enumerate() {
        by_id.entry(id).or_insert(n);
    }
    // A patient whose processing is restricted is stored, never handed on.
    for added in added.iter().filter(|a| !a.restricted) {
        let Some(&n) = by_id.get(added.submission_id.as_str()) else {
            continue;
        };
        let s = bundle.form(n)?;
        let s: &ExportedSubmission = &s;
        // A form that joined a record held for erasure goes on as it was stored: no contact
        // details, the treatment consent only.
        let held_copy;
        let s = if added.held_for_erasure {
            let mut copy = s.clone();
            crate::rights::held::clear_contact(&mut copy.identity);
            copy.consents = crate::rights::held::kept_decisions(&copy.consents);
            held_copy = copy;
            &held_copy
        } else {
            s
        };
        let Some((form, facts)) = forms.get(s.form_hash.as_str()) else {
            continue;
        };
        let view = SubmissionView {
            submission_id: &s.submission_id,
            patient_id: &added.patient_id,
            kiosk_id,
            submitted_at: &s.submitted_at,
            language: &s.language,
            identity: &s.identity,
            answers: &s.answers,
            signature: &s.signature,
            consents: &s.consents,
            form,
            notice_hash: &s.notice_hash,
            amended: false,
        };
        // A form goes to the writer whole (its three files, or none of them): a slice ends
        // between forms, never inside one.
        let mut files = writer.buffers();
        let [json, page, fhir] = &mut files;
        serde_json::to_writer(&mut **json, s).map_err(StoreError::from)?;
        page.clear();
        let mut text =
            Zeroizing::new(String::from_utf8(std::mem::take(&mut **page)).unwrap_or_default());
        write_printable_html(&view, &mut text);
        **page = std::mem::take(&mut *text).into_bytes();
        write_fhir_bundle(&view, facts, fhir).map_err(StoreError::from)?;
        writer.write(file_names(&s.submission_id), files)?;
        written += 3;
    }
    Ok(written)
}

/// How many bytes of hand-off files are made durable together (about 1,300 forms of ~50 KB):
/// one file-system sync per slice, however large the bundle.
pub const OUTBOX_SLICE_BYTES: u64 = 64 * 1024 * 1024;

/// The three files a form is handed on as, in the order they are written and named: JSON,
/// printable, FHIR (a form's `.fhir.json` last, so whoever takes a form when its Bundle appears
/// finds the other two already there, even after a crash mid-slice).
fn file_names(submission_id: &str) -> [String; 3] {
    ["json", "html", "fhir.json"].map(|ext| format!("{submission_id}.{ext}"))
}

/// What taking an erased patient's forms back out of the outbox did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TakenBack {
    /// Forms whose files were still waiting and are gone (the whole record was erased, or a
    /// held form's waiting copy could not be read to write it again).
    pub removed: usize,
    /// Held forms whose waiting files were written again as held: no contact details, the
    /// treatment consent only.
    pub rewritten: usize,
}

impl TakenBack {
    /// Whether any form was still waiting in the outbox.
    pub fn any(&self) -> bool {
        self.removed + self.rewritten > 0
    }
}

/// Takes the erased patient's `forms` back out of `outbox` where the records system has not
/// yet taken them: the files of a form still there are removed, or, when its medical record is
/// `held`, written again as the held record is (the same rule as a form arriving after the
/// erasure, [`crate::rights::held`]). Only ordinary files of the form's exact names are touched
/// (a link or anything else under such a name is left, as is every other file); a form the
/// records system already took is erased there under the same rules (the statement says so).
pub fn take_back(
    outbox: &Path, patient_id: &str, forms: &[HandedOnForm], held: bool,
) -> Result<TakenBack, ExchangeError> {
    let mut done = TakenBack::default();
    for form in forms {
        let waiting: Vec<_> = file_names(&form.submission_id)
            .into_iter()
            .map(|name| outbox.join(name))
            .filter(|path| std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()))
            .collect();
        if waiting.is_empty() {
            continue;
        }
        if held && rewrite_held(outbox, patient_id, form)? {
            done.rewritten += 1;
            continue;
        }
        for path in &waiting {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(ExchangeError::Io {
                        path: path.to_owned(),
                        source,
                    });
                }
            }
        }
        done.removed += 1;
    }
    Ok(done)
}

/// Writes a held form's files again from its waiting JSON copy, as held. False (nothing
/// written) when that copy is not there, not readable, or not this form's.
fn rewrite_held(
    outbox: &Path, patient_id: &str, form: &HandedOnForm,
) -> Result<bool, ExchangeError> {
    let Some(definition) = &form.form else {
        return Ok(false);
    };
    let [json, ..] = file_names(&form.submission_id);
    let Ok(mut bytes) = files::read_capped(&outbox.join(json), Expected::OutboxForm) else {
        return Ok(false);
    };
    let parsed = serde_json::from_slice::<ExportedSubmission>(&bytes);
    bytes.zeroize();
    let Ok(submission) = parsed else {
        return Ok(false);
    };
    if submission.submission_id != form.submission_id || submission.form_hash != definition.hash {
        return Ok(false);
    }
    let incoming = Outgoing {
        submissions: vec![submission],
        forms: vec![definition.clone()],
        security: Vec::new(),
    };
    let added = Added {
        submission_id: form.submission_id.clone(),
        patient_id: patient_id.to_owned(),
        restricted: false,
        held_for_erasure: true,
    };
    Ok(hand_on(&form.kiosk_id, &incoming, &[added], outbox)? == 3)
}
