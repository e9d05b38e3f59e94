//! The desk window's scheduled backups: whether one is due (looked at once a minute, by the
//! store's rule, [`crate::store::backup_due`]), running it (slow: the adapter runs it off the UI
//! thread), and the line a manager sees on home — the last backup, or why the last one failed.
//!
//! The outcome of each run is in the audit log (and a log line), written by the store; the line
//! is read back from there, so it says the same after the window is started again. The desk
//! writes its backups as itself ("desk"), whoever is signed in, and only while its records are
//! open: a closed desk has no key to check a copy with.

use chrono::{DateTime, Duration, Utc};

use super::actions::{self, ActionError};
use super::{Desk, Line};
use crate::i18n::{msgid, t, tn};
use crate::staff::Role;
use crate::store::{BackupOutcome, BackupPlan, backup_due};

/// The name the desk's backups carry, and who a scheduled backup's audit entry names.
const ROLE: &str = actions::DESK_BACKUP_ROLE;

impl Desk {
    /// Whether the schedule asks for a backup now. Looks at most once a minute (a clock set
    /// back looks again at once).
    pub fn backup_due(&mut self, now: DateTime<Utc>) -> bool {
        let looked_lately = self
            .backup_checked
            .is_some_and(|at| at <= now && now - at < Duration::minutes(1));
        if looked_lately || self.records().is_none() {
            return false;
        }
        self.backup_checked = Some(now);
        let Some(records) = self.records() else {
            return false;
        };
        match (
            records.backup_plan(),
            records.backup_history(),
            records.clinic_zone(),
        ) {
            (Ok(Some(plan)), Ok(history), Ok(zone)) => {
                backup_due(&zone, plan.daily_time, now, &history)
            }
            _ => false,
        }
    }

    /// Makes the scheduled backup into the folder the settings give, keeping the newest ones
    /// there. Slow (the copy and its check). How it went is in the audit log and the log, and
    /// on the manager's home.
    pub fn run_scheduled_backup(&mut self, now: DateTime<Utc>) {
        let Some(records) = self.records() else {
            return;
        };
        if let Ok(Some(plan)) = records.backup_plan() {
            // The outcome is recorded by the store either way; the home line reads it back.
            let _ = records.backup_kept(&plan.folder, ROLE, Some(plan.keep), ROLE, now);
        }
    }

    /// Sets the backup folder and daily time (managers); a field left empty keeps its value.
    pub fn save_backup_schedule(&mut self, folder: &str, daily_time: &str, now: DateTime<Utc>) {
        self.act_saying(msgid("Backup schedule saved."), |records, actor| {
            actions::set_backup_schedule(records, actor, folder, daily_time, now)
        });
    }

    /// Makes a checked backup into the backup folder now (managers). Slow. A failure's reason
    /// is on the backups line (read back from the audit log, as for a scheduled one).
    pub fn backup_now(&mut self, now: DateTime<Utc>) {
        let Some((records, actor)) = self.signed_in() else {
            return;
        };
        match actions::backup_now(records, actor, now) {
            Ok(kept) => self.say_t(
                "Backup written and checked: {}.",
                &[&kept.done.file.display().to_string()],
                true,
            ),
            Err(ActionError::Backup(_)) => self.say_t(
                "The backup failed: the reason is under Backups.",
                &[],
                false,
            ),
            Err(e) => self.failed(e),
        }
    }

    /// The backups line on a manager's home: the last backup and the schedule, or the last
    /// failure and why (an alert), or that none was ever made (an alert).
    pub fn backup_status(&self, now: DateTime<Utc>) -> Option<Line> {
        if !matches!(self.signed_in_as(now), Some((_, Role::Manager))) {
            return None;
        }
        let records = self.records()?;
        let history = records.backup_history().ok()?;
        let plan = records.backup_plan().ok().flatten();
        let zone = records.clinic_zone().unwrap_or_default();
        let lang = &self.lang;
        let when = |o: &BackupOutcome| zone.local(o.at).format("%Y-%m-%d %H:%M").to_string();
        let schedule = match &plan {
            Some(p) => tn(
                lang,
                " Scheduled daily at {}; the newest {} backup is kept in {}.",
                " Scheduled daily at {}; the newest {} backups are kept in {}.",
                u64::try_from(p.keep).unwrap_or(u64::MAX),
                &[
                    &p.daily_time.format("%H:%M").to_string(),
                    &p.keep.to_string(),
                    &p.folder.display().to_string(),
                ],
            ),
            None => t(
                lang,
                " No daily backup is scheduled: set its folder and time below.",
                &[],
            ),
        };
        let failed_last = history.failed_last;
        let (text, alert) = match (&history.last_written, &history.last_failed) {
            (_, Some(failed)) if failed_last => {
                let good = history
                    .last_written
                    .as_ref()
                    .map_or_else(|| t(lang, "none", &[]), when);
                let text = t(
                    lang,
                    "Last backup FAILED at {}: {}. Last good backup: {}.",
                    &[
                        &when(failed),
                        &self.backup_failure(&failed.subject, plan.as_ref()),
                        &good,
                    ],
                );
                (text, true)
            }
            (Some(written), _) => (
                t(
                    lang,
                    "Last backup: {} ({}).",
                    &[&when(written), &written.subject],
                ),
                false,
            ),
            (None, _) => (t(lang, "No backup has been made yet.", &[]), true),
        };
        Some(Line {
            text: format!("{text}{schedule}"),
            alert,
            id: String::new(),
        })
    }

    /// Why a backup failed, from the word its audit entry holds.
    fn backup_failure(&self, kind: &str, plan: Option<&BackupPlan>) -> String {
        let folder = plan.map_or_else(String::new, |p| p.folder.display().to_string());
        let lang = &self.lang;
        if let Some(words) = folder_problem_words(lang, kind, &folder) {
            return words;
        }
        match kind {
            "disk_full" => t(lang, "the backup disk is full", &[]),
            "not_pruned" => t(
                lang,
                "the backup was written, but older ones could not be removed (see the log)",
                &[],
            ),
            _ => t(
                lang,
                "the copy could not be written or did not check out (see the log)",
                &[],
            ),
        }
    }
}

/// A folder's problem ([`crate::store::FolderProblem::kind`]) in words for staff, naming
/// `folder`: for a failed backup, a folder refused when set, and a disk not mounted under the
/// exchange folder or the outbox. `None` for another kind.
pub(super) fn folder_problem_words(lang: &str, kind: &str, folder: &str) -> Option<String> {
    Some(match kind {
        "folder_missing" => t(
            lang,
            "the folder {} does not exist (is its disk connected?)",
            &[folder],
        ),
        "not_a_folder" => t(lang, "{} is not a folder", &[folder]),
        "folder_is_link" => t(
            lang,
            "the folder {} is a symbolic link: set the folder it points to",
            &[folder],
        ),
        "folder_not_writable" => t(lang, "the desk may not write into {}", &[folder]),
        "disk_not_mounted" => t(
            lang,
            "the disk for {} is not mounted: connect or mount it, then try again",
            &[folder],
        ),
        "no_parent_folder" => t(
            lang,
            "neither {} nor the folder it would be made in exists: check the path, and that its disk is connected",
            &[folder],
        ),
        _ => return None,
    })
}
