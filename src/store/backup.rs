//! Backups: a consistent copy of the open database through SQLite's online backup API (safe
//! while the window or another connection writes), checked before it is called done, and the
//! restore of such a copy into an empty data folder.
//!
//! - The copy is taken inside one read transaction: the row counts and the pages are the same
//!   snapshot, and nothing still in the WAL is missed.
//! - The file is created new (`O_EXCL`: never over another, even one made at the same moment),
//!   readable by its owner only (0600), switched to a single file (no WAL beside it) and
//!   synced. Its name carries the time to the second, sortable, and a number from the second
//!   backup of the same second on (`…T180000Z.sqlite3`, `…T180000Z_02.sqlite3`, …).
//! - Then it is reopened read-only and checked: `quick_check`, every row's tag, every consent
//!   chain, the audit chain to its head (with the data key in memory: the copy has the same
//!   one), and each table's row count against the snapshot's. A copy that fails is removed.
//! - Beside it, `<file>.sha256` (the `sha256sum` format) holds the whole file's digest: a restore
//!   refuses a copy changed anywhere since, even in pages no check reads.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use super::audit::AuditKind;
use super::open_store::verify_connection;
use super::{OpenStore, Store, StoreError, SyncRole};
use crate::vault::Vault;

/// A backup written and checked.
#[derive(Debug)]
pub struct BackupDone {
    pub file: PathBuf,
    /// Rows and audit entries whose tags were checked in the copy.
    pub rows_checked: usize,
    /// Each table's rows in the copy (the same as in the database when it was taken).
    pub counts: Vec<(String, i64)>,
}

/// `intake-kiosk-<role>-<time>.sqlite3`, the time in UTC, sortable: the name of the first
/// backup of that second (the others: [`numbered_backup_file_name`]).
pub fn backup_file_name(role: &str, now: DateTime<Utc>) -> String {
    numbered_backup_file_name(role, now, 1)
}

/// The `n`th backup of `role` within one second: `n` 1 is [`backup_file_name`]; from 2 on,
/// `intake-kiosk-<role>-<time>_<nn>.sqlite3` (two digits, so a plain byte-order listing such as
/// `LC_ALL=C ls` keeps them in the order they were made: `_02` after the first, before the next
/// second's).
pub fn numbered_backup_file_name(role: &str, now: DateTime<Utc>, n: u32) -> String {
    let time = now.format("%Y%m%dT%H%M%SZ");
    match n {
        0 | 1 => format!("intake-kiosk-{role}-{time}.sqlite3"),
        n => format!("intake-kiosk-{role}-{time}_{n:02}.sqlite3"),
    }
}

/// The most backups of one role a folder takes within one second.
pub const MAX_BACKUPS_PER_SECOND: u32 = 99;

/// Where a backup file name puts it among the others of its role: its time (UTC, as written,
/// which sorts as text) and its number within that second (1 for the first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BackupStamp<'a> {
    pub time: &'a str,
    pub n: u32,
}

/// `name`'s stamp when it is one of [`numbered_backup_file_name`]'s for `role`; `None` for
/// anything else (a file a person put beside it, a copy renamed, another role's).
pub fn backup_stamp<'a>(name: &'a str, role: &str) -> Option<BackupStamp<'a>> {
    let rest = name
        .strip_prefix("intake-kiosk-")?
        .strip_prefix(role)?
        .strip_prefix('-')?
        .strip_suffix(".sqlite3")?;
    let (time, n) = match rest.split_once('_') {
        None => (rest, 1),
        Some((time, digits)) => {
            let n: u32 = digits.parse().ok()?;
            // Exactly as written: two digits at least, no sign, no leading zero beyond them.
            let canonical =
                (2..=MAX_BACKUPS_PER_SECOND).contains(&n) && digits == format!("{n:02}");
            if !canonical {
                return None;
            }
            (time, n)
        }
    };
    let b = time.as_bytes();
    let is_time = b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z';
    is_time.then_some(BackupStamp { time, n })
}

/// Whether `name` is one of [`numbered_backup_file_name`]'s for `role` (and nothing else: a
/// file a person put beside it, a copy renamed, another role's).
pub fn is_backup_file_name(name: &str, role: &str) -> bool {
    backup_stamp(name, role).is_some()
}

/// Creates the file for a backup of `role` taken at `now` in `dir`: new (never over another
/// file, even one a second process creates at the same moment), 0600, under the first free
/// name of that second (one whose `.sha256` is not there either).
fn create_backup_file(dir: &Path, role: &str, now: DateTime<Utc>) -> Result<PathBuf, StoreError> {
    for n in 1..=MAX_BACKUPS_PER_SECOND {
        let file = dir.join(numbered_backup_file_name(role, now, n));
        if std::fs::symlink_metadata(checksum_file(&file)).is_ok() {
            continue;
        }
        match create_owner_only(&file) {
            Ok(()) => return Ok(file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Invalid(format!(
        "{} already holds {MAX_BACKUPS_PER_SECOND} backups made at {}: try again in a second",
        dir.display(),
        now.format("%Y-%m-%d %H:%M:%S UTC")
    )))
}

impl OpenStore {
    /// Writes a checked backup of this database into `dir` (created 0700 if missing); `role`
    /// ("kiosk" or "desk") names the file.
    pub fn backup_into(
        &self, dir: &Path, role: &str, now: DateTime<Utc>,
    ) -> Result<BackupDone, StoreError> {
        super::create_private_dir(dir)?;
        self.write_backup(dir, role, now)
    }

    /// Writes a checked backup into the existing folder `dir`, leaving the folder as it is.
    pub(super) fn write_backup(
        &self, dir: &Path, role: &str, now: DateTime<Utc>,
    ) -> Result<BackupDone, StoreError> {
        let file = create_backup_file(dir, role, now)?;
        let written = self.copy_to(&file).and_then(|counts| {
            let rows_checked = verify_copy(&file, self.vault(), &counts)?;
            write_checksum(&file)?;
            Ok(BackupDone {
                file: file.clone(),
                rows_checked,
                counts,
            })
        });
        if written.is_err() {
            // The copy's own side files too (a copy that failed mid-way, e.g. on a full disk,
            // leaves its WAL and shared memory beside it), so that a retry leaves nothing.
            remove_with_side_files(&file);
            let _ = std::fs::remove_file(checksum_file(&file));
        }
        written
    }

    /// Copies the database into the (empty) file at `file`; returns the row counts of the same
    /// snapshot.
    fn copy_to(&self, file: &Path) -> Result<Vec<(String, i64)>, StoreError> {
        let mut dest = Connection::open(file)?;
        // One read transaction: the counts and the pages are the same snapshot.
        let snapshot = self.conn().unchecked_transaction()?;
        let counts = table_counts(&snapshot)?;
        {
            let backup = rusqlite::backup::Backup::new(&snapshot, &mut dest)?;
            // All pages in one step, inside the snapshot: a writer never restarts the copy.
            backup.step(-1)?;
        }
        snapshot.finish()?;
        // A single file: the copy carries no WAL and is complete on its own.
        dest.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        drop(dest);
        std::fs::File::open(file)?.sync_all()?;
        Ok(counts)
    }
}

/// `<file>.sha256` beside the backup.
pub(super) fn checksum_file(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// Removes `file` and the journal, WAL and shared-memory files SQLite may have left beside it.
fn remove_with_side_files(file: &Path) {
    for side in ["", "-wal", "-shm", "-journal"] {
        let mut name = file.as_os_str().to_owned();
        name.push(side);
        let _ = std::fs::remove_file(name);
    }
}

/// The lowercase hex SHA-256 of what `file` holds from its start, streamed.
fn hex_sha256(file: &mut std::fs::File) -> Result<String, StoreError> {
    use std::io::Seek;
    file.rewind()?;
    let digest = crate::vault::sha256_of_reader(file)?;
    Ok(crate::hex::encode(&digest))
}

/// Opens `path` for reading when it is an ordinary file (after links): a FIFO, a device or a
/// folder named like a backup or its checksum is refused, not read (a FIFO would wait for ever,
/// a device would never end).
fn open_regular(path: &Path) -> Result<std::fs::File, StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading otherwise waits for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(StoreError::Invalid(format!(
            "{} is not an ordinary file, so it was not read",
            path.display()
        )));
    }
    Ok(file)
}

/// The most a `.sha256` file holds: one line of `sha256sum`.
const CHECKSUM_FILE_MAX: u64 = 4096;

/// Writes `<file>.sha256` as `sha256sum` does (0600).
fn write_checksum(file: &Path) -> Result<(), StoreError> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sum = checksum_file(file);
    create_owner_only(&sum)?;
    let hex = hex_sha256(&mut std::fs::File::open(file)?)?;
    std::fs::write(&sum, format!("{hex}  {name}\n"))?;
    Ok(())
}

/// A backup whose `.sha256` is beside it must match it; one without is checked by its content
/// alone (an admin may have copied the database file only).
fn check_checksum(file: &Path, content: &mut std::fs::File) -> Result<(), StoreError> {
    use std::io::Read;
    let sum = checksum_file(file);
    if std::fs::symlink_metadata(&sum).is_err() {
        return Ok(());
    }
    let mut expected = String::new();
    open_regular(&sum)?
        .take(CHECKSUM_FILE_MAX + 1)
        .read_to_string(&mut expected)
        .map_err(|e| StoreError::Invalid(format!("{}: {e}", sum.display())))?;
    if expected.len() as u64 > CHECKSUM_FILE_MAX {
        return Err(StoreError::Invalid(format!(
            "{} is larger than a checksum file can be, so it was not read",
            sum.display()
        )));
    }
    let expected = expected.split_whitespace().next().unwrap_or("");
    if expected != hex_sha256(content)? {
        return Err(StoreError::Corrupt {
            detail: format!(
                "the file differs from the SHA-256 written beside it ({}): it was damaged or changed after the backup",
                sum.display()
            ),
        });
    }
    Ok(())
}

/// Creates `file` new, 0600, refusing one that exists (`AlreadyExists`).
fn create_owner_only(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(file)?;
    Ok(())
}

/// Every table's row count, in name order.
fn table_counts(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let tables: Vec<String> = super::first_column(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        [],
    )?;
    tables
        .into_iter()
        .map(|t| {
            let n: i64 =
                conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))?;
            Ok((t, n))
        })
        .collect()
}

/// Reopens the copy read-only and checks it: `quick_check`, every tag and chain, the counts.
fn verify_copy(file: &Path, vault: &Vault, counts: &[(String, i64)]) -> Result<usize, StoreError> {
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Corrupt { detail: check });
    }
    let rows = verify_connection(&conn, vault)?;
    let copied = table_counts(&conn)?;
    if copied != counts {
        return Err(StoreError::Invalid(format!(
            "the backup {} does not hold the rows it should; it was removed",
            file.display()
        )));
    }
    Ok(rows)
}

/// A restore's outcome: where the database now is, and the erasure requests the newer database
/// recorded after the backup was taken (to be carried out again).
#[derive(Debug)]
pub struct Restored {
    pub file: PathBuf,
    pub rows_checked: usize,
    /// The newest audit entry in the backup: the backup's time.
    pub backup_time: Option<String>,
    /// (when, patient id) of each erasure requested after `backup_time`.
    pub erasures_since: Vec<(String, String)>,
}

/// The newest audit entry's time in an open store, before `before` (our own unlock is later).
pub(crate) fn latest_audit_time(
    open: &OpenStore, before: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let before = before.to_rfc3339();
    let latest: Option<String> = open.conn().query_row(
        "SELECT max(at) FROM audit_log WHERE at < ?1",
        [before],
        |r| r.get(0),
    )?;
    Ok(latest)
}

/// Restores `backup` as `target` (a file in an empty data folder): copied to a temporary name
/// there, opened (header, ownership, `quick_check`), unlocked with `unlock` (the passphrase
/// check), verified whole, closed, then renamed into place. On any failure nothing is left.
/// `newer`, when given, is the database this backup replaces: unlocked with the same `unlock`,
/// its erasure requests recorded after the backup's time are listed.
pub fn restore(
    backup: &Path, target: &Path, side: SyncRole, newer: Option<&Path>,
    unlock: &dyn Fn(Store) -> Result<(OpenStore, crate::store::Actor), StoreError>,
    now: DateTime<Utc>,
) -> Result<Restored, StoreError> {
    let dir = target
        .parent()
        .ok_or_else(|| StoreError::Invalid("the data folder has no name".into()))?;
    // Only opened, never made: a path with a slip must not become a new empty database.
    if let Some(newer) = newer
        && !std::fs::metadata(newer).is_ok_and(|m| m.is_file() && m.len() > 0)
    {
        return Err(StoreError::Invalid(format!(
            "there is no database at {} (--newer names the database this backup replaces)",
            newer.display()
        )));
    }
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(StoreError::Invalid(format!(
            "{} is not empty: a backup is restored into an empty data folder only (move the old one aside)",
            dir.display()
        )));
    }
    super::create_private_dir(dir)?;
    let temporary = dir.join(".restoring.sqlite3");
    let restored = restore_checked(backup, &temporary, side, newer, unlock, now).and_then(|r| {
        put_in_place(&temporary, target)?;
        Ok(Restored {
            file: target.to_owned(),
            ..r
        })
    });
    if restored.is_err() {
        remove_with_side_files(&temporary);
    }
    restored
}

/// Names the checked copy `target`, never over a database that appeared there meanwhile (a
/// kiosk service restarted during a long check would make a new one): linked under the new
/// name, which fails when it exists, then the temporary name removed.
fn put_in_place(temporary: &Path, target: &Path) -> Result<(), StoreError> {
    match std::fs::hard_link(temporary, target) {
        Ok(()) => {
            std::fs::remove_file(temporary)?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(StoreError::Invalid(format!(
                "{} appeared while the backup was checked (is the app running?): nothing was restored",
                target.display()
            )))
        }
        Err(e) => Err(e.into()),
    }
}

fn restore_checked(
    backup: &Path, temporary: &Path, side: SyncRole, newer: Option<&Path>,
    unlock: &dyn Fn(Store) -> Result<(OpenStore, crate::store::Actor), StoreError>,
    now: DateTime<Utc>,
) -> Result<Restored, StoreError> {
    use std::io::Seek;
    let mut content = open_regular(backup)?;
    check_checksum(backup, &mut content)?;
    create_owner_only(temporary)?;
    {
        // Streamed: a database of gigabytes is copied without holding it.
        content.rewind()?;
        let mut copy = std::fs::OpenOptions::new().write(true).open(temporary)?;
        std::io::copy(&mut content, &mut copy)?;
        copy.sync_all()?;
    }
    let store = Store::open(temporary)?;
    let (open, actor) = unlock(store)?;
    // A kiosk's backup is not a desk (nor the other way round): its keys and records are the
    // other side's.
    if let Some(identity) = open.sync_identity()?
        && identity.role != side
    {
        return Err(StoreError::Invalid(format!(
            "{} is a {}'s backup, not a {}'s: nothing was restored",
            backup.display(),
            identity.role.as_str(),
            side.as_str()
        )));
    }
    let rows_checked = open.verify_everything()?;
    let backup_time = latest_audit_time(&open, now)?;
    // Closed (the WAL folded in) before the file is renamed into place.
    drop(open.close(Some(&actor), now)?);
    let mut erasures_since = Vec::new();
    if let Some(newer) = newer {
        let (current, actor) = unlock(Store::open(newer)?)?;
        for entry in current.audit_entries(&actor, None, None)? {
            let after = backup_time.as_deref().is_none_or(|t| entry.at.as_str() > t);
            if entry.kind == AuditKind::ErasureRequested.as_str() && after {
                erasures_since.push((entry.at, entry.subject));
            }
        }
        current.close(Some(&actor), now)?;
    }
    Ok(Restored {
        file: temporary.to_owned(),
        rows_checked,
        backup_time,
        erasures_since,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, s)
            .single()
            .expect("a time")
    }

    #[test]
    fn names_carry_the_second_and_a_number_within_it() {
        let t = at(18, 0, 0);
        assert_eq!(
            backup_file_name("desk", t),
            "intake-kiosk-desk-20261201T180000Z.sqlite3"
        );
        assert_eq!(
            numbered_backup_file_name("desk", t, 2),
            "intake-kiosk-desk-20261201T180000Z_02.sqlite3"
        );
        for n in 1..=MAX_BACKUPS_PER_SECOND {
            let name = numbered_backup_file_name("kiosk", t, n);
            assert_eq!(
                backup_stamp(&name, "kiosk"),
                Some(BackupStamp {
                    time: "20261201T180000Z",
                    n
                }),
                "{name}"
            );
            assert!(!is_backup_file_name(&name, "desk"), "{name}");
        }
        // Ordered by time, then by number; as text too, byte by byte.
        let names = [
            numbered_backup_file_name("desk", at(17, 59, 59), 12),
            backup_file_name("desk", t),
            numbered_backup_file_name("desk", t, 2),
            numbered_backup_file_name("desk", t, 10),
            backup_file_name("desk", at(18, 0, 1)),
        ];
        let stamps: Vec<_> = names.iter().map(|n| backup_stamp(n, "desk")).collect();
        assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        // Not ours: numbers written otherwise, words, another suffix.
        for name in [
            "intake-kiosk-desk-20261201T180000Z_1.sqlite3",
            "intake-kiosk-desk-20261201T180000Z_01.sqlite3",
            "intake-kiosk-desk-20261201T180000Z_2.sqlite3",
            "intake-kiosk-desk-20261201T180000Z_002.sqlite3",
            "intake-kiosk-desk-20261201T180000Z_+2.sqlite3",
            "intake-kiosk-desk-20261201T180000Z_100.sqlite3",
            "intake-kiosk-desk-20261201T180000Z_copy.sqlite3",
            "intake-kiosk-desk-20261201T180000Z_02.sqlite3.bak",
            "intake-kiosk-desk-20261201T180000_02.sqlite3",
        ] {
            assert!(!is_backup_file_name(name, "desk"), "{name}");
        }
    }

    #[test]
    fn a_name_taken_is_never_written_over_the_next_number_is_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let t = at(18, 0, 0);
        // Someone else's file under the first name, and a checksum left without its backup.
        std::fs::write(d.join(backup_file_name("desk", t)), b"not to be touched").unwrap();
        std::fs::write(
            d.join(format!(
                "{}.sha256",
                numbered_backup_file_name("desk", t, 2)
            )),
            b"left over",
        )
        .unwrap();
        let third = create_backup_file(d, "desk", t).expect("a free name");
        assert_eq!(third, d.join(numbered_backup_file_name("desk", t, 3)));
        let fourth = create_backup_file(d, "desk", t).expect("another");
        assert_eq!(fourth, d.join(numbered_backup_file_name("desk", t, 4)));
        assert_eq!(
            std::fs::read(d.join(backup_file_name("desk", t))).unwrap(),
            b"not to be touched"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&third).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A full second is refused, naming the folder; nothing is overwritten.
        for _ in 5..=MAX_BACKUPS_PER_SECOND {
            create_backup_file(d, "desk", t).expect("free");
        }
        let full = create_backup_file(d, "desk", t).expect_err("full");
        assert!(full.to_string().contains("try again"), "{full}");
        // The next second starts again at its first name.
        assert_eq!(
            create_backup_file(d, "desk", at(18, 0, 1)).expect("next second"),
            d.join(backup_file_name("desk", at(18, 0, 1)))
        );
    }

    #[test]
    fn backups_started_at_once_each_get_their_own_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = at(18, 0, 0);
        let made: Vec<PathBuf> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| create_backup_file(dir.path(), "kiosk", t).expect("made")))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("joined"))
                .collect()
        });
        let mut names: Vec<String> = made
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names.dedup();
        let expected: Vec<String> = (1..=8)
            .map(|n| numbered_backup_file_name("kiosk", t, n))
            .collect();
        assert_eq!(names, expected);
    }
}
