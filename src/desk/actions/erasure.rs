//! Erasure with the patient's statement, and the retention run.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{ActionResult, Records};
use crate::exchange::ExchangeError;
use crate::exchange::files::{self, Readers};
use crate::exchange::outbox::{self, TakenBack};
use crate::rights::ErasureStatement;
use crate::settings::OUTBOX_FOLDER;
use crate::store::{Actor, RetentionReport};

/// Where the erasure statement goes.
#[derive(Clone, Copy, Debug)]
pub enum StatementTo<'a> {
    /// `erasure-<patient>.txt` in this folder (the desk window's export folder).
    Folder(&'a Path),
    /// This file.
    File(&'a Path),
    /// Nowhere: the caller shows the text.
    Nowhere,
}

/// What an erasure did.
#[derive(Debug)]
pub struct ErasureDone {
    pub statement: ErasureStatement,
    /// The statement for the patient, as text.
    pub text: String,
    /// Where the statement was saved. The erasure has happened whatever this says: a statement
    /// that could not be saved can be written again from `text`.
    pub saved: Result<Option<PathBuf>, ExchangeError>,
    /// The patient's forms still waiting in the outbox, taken back out ([`outbox::take_back`]);
    /// `None` when no outbox folder is set. The erasure has happened whatever this says.
    pub outbox: Option<(PathBuf, Result<TakenBack, ExchangeError>)>,
}

impl ErasureDone {
    /// Whether a medical record is held under the retention rule (the record stays, reduced).
    pub fn held(&self) -> bool {
        self.statement.held_until.is_some()
    }
}

/// Erases what can be erased now (managers), removes the patient's access export from the
/// desk's export folder `exports`, takes the patient's forms the records system has not yet
/// taken back out of the outbox (or writes them again as held), and writes the statement for the
/// patient.
pub fn erase(
    records: Records, actor: &Actor, patient: &str, to: StatementTo, exports: &Path,
    now: DateTime<Utc>,
) -> ActionResult<ErasureDone> {
    super::clock::may_date(records, now)?;
    let forms = records.handed_on_forms(actor, patient)?;
    let statement = records.request_erasure(actor, patient, now)?;
    let set = records.setting(OUTBOX_FOLDER).unwrap_or_else(|e| {
        tracing::warn!("erasure: the outbox folder setting could not be read: {e}");
        None
    });
    let outbox = set.filter(|dir| !dir.trim().is_empty()).map(|dir| {
        let dir = PathBuf::from(dir.trim());
        let held = statement.held_until.is_some();
        let taken = outbox::take_back(&dir, patient, &forms, held);
        (dir, taken)
    });
    remove_access_copies(exports, patient);
    let text = statement.to_text(&records.clinic_name());
    let saved = match to {
        StatementTo::Folder(dir) => files::write_atomically(
            dir,
            &format!("erasure-{patient}.txt"),
            text.as_bytes(),
            Readers::OwnerOnly,
        )
        .map(Some),
        StatementTo::File(path) => files::write_to_path(path, text.as_bytes(), Readers::OwnerOnly)
            .map(|()| Some(path.to_owned())),
        StatementTo::Nowhere => Ok(None),
    };
    Ok(ErasureDone {
        statement,
        text,
        saved,
        outbox,
    })
}

/// Removes the access export of `patient` the desk wrote into its export folder
/// (`patient-<id>.json`, `.fhir.json`, `.html`; the window's, and the command line's
/// `<data-dir>/exports`): it holds the contact details and consent decisions just erased. Only
/// ordinary files of exactly those names; one that cannot be removed is logged (the erasure
/// stands). An export written with `access-export --to` elsewhere is the operator's to remove.
pub fn remove_access_copies(dir: &Path, patient: &str) {
    for suffix in [".json", ".fhir.json", ".html"] {
        let copy = dir.join(format!("patient-{patient}{suffix}"));
        if std::fs::symlink_metadata(&copy).is_ok_and(|m| m.is_file()) {
            match std::fs::remove_file(&copy) {
                Ok(()) => tracing::info!("erasure: removed the access export {}", copy.display()),
                Err(e) => tracing::warn!("erasure: could not remove {}: {e}", copy.display()),
            }
        }
    }
}

/// Runs the retention check (managers): erases every record past its retention period, and
/// their access exports in the desk's export folder `exports`.
pub fn retention(
    records: Records, actor: &Actor, exports: &Path, now: DateTime<Utc>,
) -> ActionResult<RetentionReport> {
    let report = records.run_retention(actor, now)?;
    remove_retained_copies(exports, &report);
    Ok(report)
}

/// [`remove_access_copies`] of every patient a retention run erased.
pub fn remove_retained_copies(exports: &Path, report: &RetentionReport) {
    for (patient, _) in report.erased_adults.iter().chain(&report.erased_children) {
        remove_access_copies(exports, patient);
    }
}
