//! Exports to files: a patient's data (access and portability) and a channel's marketing list.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{ActionResult, Records};
use crate::exchange::access::AccessExport;
use crate::exchange::files::{self, Readers};
use crate::store::Actor;

/// Writes the patient's data (JSON, FHIR R4, a readable page) to `dir` (managers; logged).
pub fn access_export(
    records: Records, actor: &Actor, patient: &str, dir: &Path, now: DateTime<Utc>,
) -> ActionResult<AccessExport> {
    Ok(records.export_patient(actor, patient, dir, now)?)
}

/// A written marketing list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketingList {
    pub file: PathBuf,
    pub patients: usize,
}

/// Where a marketing list goes: a named file, or `marketing-<channel>-<date>.csv` in a folder.
#[derive(Clone, Copy, Debug)]
pub enum ListTo<'a> {
    Folder(&'a Path),
    File(&'a Path),
}

/// Writes the marketing list of one channel (`email`, `sms`, `whatsapp`) as CSV for the clinic's
/// mailing tool (managers; logged): only patients whose current decision is granted.
pub fn marketing_list(
    records: Records, actor: &Actor, channel: &str, to: ListTo, now: DateTime<Utc>,
) -> ActionResult<MarketingList> {
    let (csv, patients) = records.marketing_csv(actor, channel, now)?;
    let file = match to {
        ListTo::Folder(dir) => files::write_atomically(
            dir,
            &format!("marketing-{channel}-{}.csv", now.format("%Y-%m-%d")),
            csv.as_bytes(),
            Readers::OwnerOnly,
        )?,
        ListTo::File(path) => {
            files::write_to_path(path, csv.as_bytes(), Readers::OwnerOnly)?;
            path.to_owned()
        }
    };
    Ok(MarketingList { file, patients })
}
