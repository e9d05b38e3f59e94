//! An opened bundle's contents as the desk reads them: its form definitions and security events
//! read whole (a few), its forms read one at a time from the sealed entries — as the import
//! stores them, and again as the outbox hands the stored ones on — so that a bundle of any size
//! is never held decoded all at once.

use std::borrow::Cow;

use super::ExchangeError;
use super::outbox::FormsToHandOn;
use super::submission_entry;
use crate::store::{ExportedForm, ExportedSubmission, SecurityEvent};
use crate::sync::{EntryKind, OpenedBundle, SyncError};

/// An opened bundle's contents (see the module doc). Every error names the file and says what
/// is wrong with the entry, for the manager.
pub struct BundleForms<'o, 'b, 'a> {
    opened: &'o OpenedBundle<'b, 'a>,
    file: String,
    pub forms: Vec<ExportedForm>,
    pub security: Vec<SecurityEvent>,
    /// The entries that hold forms, in bundle order.
    submissions: Vec<usize>,
}

impl<'o, 'b, 'a> BundleForms<'o, 'b, 'a> {
    /// Reads the form definitions and security events of `opened` (from file `file`) and notes
    /// where its forms are.
    pub fn read(opened: &'o OpenedBundle<'b, 'a>, file: &str) -> Result<Self, ExchangeError> {
        let mut read = BundleForms {
            opened,
            file: file.to_owned(),
            forms: Vec::new(),
            security: Vec::new(),
            submissions: Vec::with_capacity(opened.len()),
        };
        for (i, entry) in opened.entries().iter().enumerate() {
            match entry.kind {
                EntryKind::Form => {
                    let plain = opened.open_entry(i).map_err(|e| read.format(e))?;
                    let form: ExportedForm = serde_json::from_slice(&plain)
                        .map_err(|e| read.bad(format!("form entry {i}: {e}")))?;
                    if form.hash != entry.id {
                        return Err(
                            read.bad(format!("form entry {i} is labelled with another hash"))
                        );
                    }
                    read.forms.push(form);
                }
                EntryKind::SecurityLog => {
                    let plain = opened.open_entry(i).map_err(|e| read.format(e))?;
                    let events: Vec<SecurityEvent> = serde_json::from_slice(&plain)
                        .map_err(|e| read.bad(format!("security log entry {i}: {e}")))?;
                    read.security.extend(events);
                }
                EntryKind::Submission
                | EntryKind::CompactSubmission
                | EntryKind::PackedSubmission
                | EntryKind::RunsSubmission => read.submissions.push(i),
            }
        }
        Ok(read)
    }

    /// How many forms the bundle holds.
    pub fn len(&self) -> usize {
        self.submissions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.submissions.is_empty()
    }

    /// The `n`th form of the bundle, opened and read; its entry's label checked against it.
    pub fn submission(&self, n: usize) -> Result<ExportedSubmission, ExchangeError> {
        let i = self.submissions[n];
        let entry = &self.opened.entries()[i];
        let plain = self.opened.open_entry(i).map_err(|e| self.format(e))?;
        let submission = submission_entry::read(entry.kind, &plain)
            .map_err(|e| self.bad(format!("submission entry {i}: {e}")))?;
        if submission.submission_id != entry.id {
            return Err(self.bad(format!("submission entry {i} is labelled with another id")));
        }
        Ok(submission)
    }

    fn format(&self, error: SyncError) -> ExchangeError {
        ExchangeError::Format {
            file: self.file.clone(),
            error,
        }
    }

    fn bad(&self, detail: String) -> ExchangeError {
        ExchangeError::BadContent {
            file: self.file.clone(),
            detail,
        }
    }
}

impl FormsToHandOn for BundleForms<'_, '_, '_> {
    fn definitions(&self) -> &[ExportedForm] {
        &self.forms
    }

    fn form_ids(&self) -> impl Iterator<Item = &str> {
        let entries = self.opened.entries();
        self.submissions.iter().map(|&i| entries[i].id)
    }

    fn form(&self, n: usize) -> Result<Cow<'_, ExportedSubmission>, ExchangeError> {
        self.submission(n).map(Cow::Owned)
    }
}
