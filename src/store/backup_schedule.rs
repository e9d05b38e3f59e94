//! Scheduled and kept backups: the settings that ask for them (`backup.folder`,
//! `backup.daily_time` on the clinic's clock, `backup.keep`), the rule that says when one is due,
//! the last outcomes as the audit log holds them, and a backup that keeps only the newest N of
//! its own files. The desk window's schedule and `backup --to DIR --keep N` (for cron or a
//! systemd timer) both go through [`OpenStore::backup_kept`].
//!
//! The rule ([`backup_due`], plain and tested): a backup is due when none has succeeded since
//! the latest time the clinic's clock showed the daily time — so a machine that was off then
//! catches up once when it is next open, never once per missed day; on the day the clock goes
//! forward over that time it counts from the change, on the day it goes back, from the first of
//! the two. A success recorded later than now (the clock was set back) does not count, so a
//! wrong clock never silences backups for as long as it is wrong. After a failure the next try
//! waits [`RETRY_AFTER`], so a missing disk costs one audit entry and log line per half hour,
//! not one a minute. Setting the schedule up makes the first backup due at once: it shows the
//! folder works.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::audit::AuditKind;
use super::backup::BackupDone;
use super::backup_folder::{FolderProblem, check_backup_folder, prune_backups};
use super::{OpenStore, StoreError};
use crate::settings::{BACKUP_DAILY_TIME, BACKUP_FOLDER, ClinicZone, parse_clock};

/// How long after a failed scheduled backup the next one is tried.
pub const RETRY_AFTER: Duration = Duration::minutes(30);

/// What the settings ask for; there is none unless both a folder and a daily time are set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupPlan {
    pub folder: PathBuf,
    /// On the clinic's clock.
    pub daily_time: NaiveTime,
    pub keep: usize,
}

/// One backup's outcome, from the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupOutcome {
    pub at: DateTime<Utc>,
    /// The file's name, or why it failed ([`BackupError::kind`]).
    pub subject: String,
}

/// The latest success and the latest failure, latest as written (not by their clock times).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackupHistory {
    pub last_written: Option<BackupOutcome>,
    pub last_failed: Option<BackupOutcome>,
    /// The latest outcome of all is the failure (by the audit log's order, so two in the same
    /// second, or a clock set back, still read in the order they happened).
    pub failed_last: bool,
}

/// Why a kept backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Folder(#[from] FolderProblem),
    #[error("the backup could not be written or did not check out: {0}")]
    Store(#[from] StoreError),
    #[error("the backup was written, but older backups could not be removed: {0}")]
    Prune(std::io::Error),
}

impl BackupError {
    /// The failure in a word, for the audit entry (never a value from the records).
    pub fn kind(&self) -> &'static str {
        match self {
            BackupError::Folder(problem) => problem.kind(),
            BackupError::Store(StoreError::DiskFull) => "disk_full",
            BackupError::Store(_) => "not_written",
            BackupError::Prune(_) => "not_pruned",
        }
    }
}

/// A kept backup: the file written and checked, and the older ones removed.
#[derive(Debug)]
pub struct KeptBackup {
    pub done: BackupDone,
    pub removed: Vec<PathBuf>,
}

/// The latest instant, not after `now`, at which the clinic's clock showed `daily_time`.
pub fn latest_slot(zone: &ClinicZone, daily_time: NaiveTime, now: DateTime<Utc>) -> DateTime<Utc> {
    let today = zone.local(now).date();
    let slot = zone.first_instant(today.and_time(daily_time));
    if slot <= now {
        return slot;
    }
    let yesterday = today.pred_opt().unwrap_or(today);
    zone.first_instant(yesterday.and_time(daily_time))
}

/// Whether a scheduled backup is due at `now` (see the module doc).
pub fn backup_due(
    zone: &ClinicZone, daily_time: NaiveTime, now: DateTime<Utc>, history: &BackupHistory,
) -> bool {
    let slot = latest_slot(zone, daily_time, now);
    let since_slot = |o: &BackupOutcome| slot <= o.at && o.at <= now;
    if history.last_written.as_ref().is_some_and(since_slot) {
        return false;
    }
    !history
        .last_failed
        .as_ref()
        .is_some_and(|f| since_slot(f) && now - f.at < RETRY_AFTER)
}

impl OpenStore {
    /// The scheduled backup the settings ask for, if any.
    pub fn backup_plan(&self) -> Result<Option<BackupPlan>, StoreError> {
        let folder = self.setting(BACKUP_FOLDER)?.unwrap_or_default();
        let time = self.setting(BACKUP_DAILY_TIME)?.unwrap_or_default();
        if folder.is_empty() || time.is_empty() {
            return Ok(None);
        }
        let invalid = |reason: String| StoreError::Invalid(format!("setting {reason}"));
        let daily_time =
            parse_clock(&time).map_err(|r| invalid(format!("backup.daily_time: {r}")))?;
        let keep = match self.setting("backup.keep")? {
            Some(n) => n
                .parse()
                .map_err(|_| invalid(format!("backup.keep: {n:?} is not a number")))?,
            None => 7,
        };
        Ok(Some(BackupPlan {
            folder: PathBuf::from(folder),
            daily_time,
            keep,
        }))
    }

    /// The latest backup written and the latest that failed, from the audit log.
    pub fn backup_history(&self) -> Result<BackupHistory, StoreError> {
        let latest = |kind: AuditKind| -> Result<(i64, Option<BackupOutcome>), StoreError> {
            let row: Option<(i64, String, String)> = self
                .conn()
                .prepare_cached(
                    "SELECT seq, at, subject FROM audit_log WHERE kind = ?1
                     ORDER BY seq DESC LIMIT 1",
                )?
                .query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .next()
                .transpose()?;
            let Some((seq, at, subject)) = row else {
                return Ok((0, None));
            };
            let at = DateTime::parse_from_rfc3339(&at)
                .ok()
                .map(|at| at.with_timezone(&Utc));
            Ok((seq, at.map(|at| BackupOutcome { at, subject })))
        };
        let (written_seq, last_written) = latest(AuditKind::BackupWritten)?;
        let (failed_seq, last_failed) = latest(AuditKind::BackupFailed)?;
        Ok(BackupHistory {
            failed_last: last_failed.is_some() && failed_seq > written_seq,
            last_written,
            last_failed,
        })
    }

    /// A checked backup into the existing folder `dir`, then, with `keep`, only the newest
    /// `keep` of `role`'s backups left there. Either way an audit entry (by `who`) and a log
    /// line say how it went; neither holds anything from the records.
    pub fn backup_kept(
        &self, dir: &Path, role: &str, keep: Option<usize>, who: &str, now: DateTime<Utc>,
    ) -> Result<KeptBackup, BackupError> {
        let kept = check_backup_folder(dir)
            .map_err(BackupError::from)
            .and_then(|()| Ok(self.write_backup(dir, role, now)?))
            .and_then(|done| {
                let removed = match keep {
                    Some(keep) => prune_backups(dir, role, keep, &done.file),
                    None => Ok(Vec::new()),
                };
                removed
                    .map(|removed| KeptBackup { done, removed })
                    .map_err(BackupError::Prune)
            });
        let entry = match &kept {
            Ok(k) => {
                let name = file_name(&k.done.file);
                tracing::info!(
                    removed = k.removed.len(),
                    "backup written and checked: {}",
                    k.done.file.display()
                );
                self.record_event(who, AuditKind::BackupWritten, &name, now)
            }
            Err(e) => {
                tracing::error!(kind = e.kind(), "backup failed: {e}");
                self.record_event(who, AuditKind::BackupFailed, e.kind(), now)
            }
        };
        if let Err(e) = entry {
            tracing::error!("the backup's audit entry could not be written: {e}");
        }
        kept
    }
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, mo, d, h, mi, 0).unwrap()
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn written(at: DateTime<Utc>) -> BackupHistory {
        BackupHistory {
            last_written: Some(BackupOutcome {
                at,
                subject: "intake-kiosk-desk-x.sqlite3".into(),
            }),
            last_failed: None,
            failed_last: false,
        }
    }

    const LONDON: ClinicZone = ClinicZone::Named(chrono_tz::Tz::Europe__London);

    /// [`backup_due`] for a clinic in London.
    fn due(slot: NaiveTime, now: DateTime<Utc>, history: &BackupHistory) -> bool {
        backup_due(&LONDON, slot, now, history)
    }

    #[test]
    fn one_backup_a_day_at_the_clinics_time() {
        // 18:00 in London in July is 17:00 UTC.
        let done_today = written(utc(7, 6, 17, 1));
        assert!(!due(at(18, 0), utc(7, 6, 17, 30), &done_today));
        assert!(!due(at(18, 0), utc(7, 7, 16, 59), &done_today));
        assert!(due(at(18, 0), utc(7, 7, 17, 0), &done_today));
        // In January 18:00 is 18:00 UTC.
        let done = written(utc(1, 5, 18, 0));
        assert!(!due(at(18, 0), utc(1, 6, 17, 59), &done));
        assert!(due(at(18, 0), utc(1, 6, 18, 0), &done));
        // Never made: due at once (the first one shows the folder works).
        assert!(due(at(18, 0), utc(7, 6, 9, 0), &BackupHistory::default()));
    }

    #[test]
    fn a_machine_that_was_off_catches_up_once() {
        // Last backup Friday; off all weekend; opened Monday 08:00 (before 18:00).
        let friday = written(utc(7, 3, 17, 0));
        let monday_morning = utc(7, 6, 7, 0);
        assert!(due(at(18, 0), monday_morning, &friday));
        let caught_up = written(monday_morning);
        assert!(!due(at(18, 0), utc(7, 6, 16, 59), &caught_up));
        assert!(due(at(18, 0), utc(7, 6, 17, 0), &caught_up));
    }

    #[test]
    fn clock_change_days_have_exactly_one_slot() {
        // 01:30 is skipped on 29 March 2026: the slot is the change, 01:00 UTC (02:00 BST).
        let saturday = written(utc(3, 28, 1, 30));
        assert!(!due(at(1, 30), utc(3, 29, 0, 59), &saturday));
        assert!(due(at(1, 30), utc(3, 29, 1, 0), &saturday));
        let sunday = written(utc(3, 29, 1, 0));
        assert!(!due(at(1, 30), utc(3, 29, 23, 0), &sunday));
        // 01:30 happens twice on 25 October: the first (00:30 UTC) counts, the second does not
        // make another.
        let saturday = written(utc(10, 24, 0, 30));
        assert!(due(at(1, 30), utc(10, 25, 0, 30), &saturday));
        let first = written(utc(10, 25, 0, 30));
        assert!(!due(at(1, 30), utc(10, 25, 1, 30), &first));
        assert!(!due(at(1, 30), utc(10, 26, 1, 29), &first));
        assert!(due(at(1, 30), utc(10, 26, 1, 30), &first));
    }

    #[test]
    fn a_clock_set_back_does_not_silence_backups() {
        // The last backup is stamped a year ahead (the clock was wrong then, or is now).
        let ahead = written(Utc.with_ymd_and_hms(2027, 7, 6, 17, 0, 0).unwrap());
        assert!(due(at(18, 0), utc(7, 6, 18, 0), &ahead));
        // Once made under the clock as it is now, the latest one counts again.
        let now = written(utc(7, 6, 18, 0));
        assert!(!due(at(18, 0), utc(7, 6, 18, 5), &now));
    }

    #[test]
    fn a_failure_is_retried_after_half_an_hour() {
        let history = BackupHistory {
            last_written: Some(BackupOutcome {
                at: utc(7, 5, 17, 0),
                subject: "x".into(),
            }),
            last_failed: Some(BackupOutcome {
                at: utc(7, 6, 17, 0),
                subject: "folder_missing".into(),
            }),
            failed_last: true,
        };
        assert!(!due(at(18, 0), utc(7, 6, 17, 29), &history));
        assert!(due(at(18, 0), utc(7, 6, 17, 30), &history));
        // A failure before today's time does not hold today's back.
        assert!(due(at(18, 0), utc(7, 7, 17, 0), &history));
    }
}
