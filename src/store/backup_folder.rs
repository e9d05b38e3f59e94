//! The folder kept backups go into, and keeping only the newest of them.
//!
//! - The folder must already exist (an unmounted backup disk must not be replaced, unseen, by
//!   an empty folder on the system disk), not lie under a mount point whose disk is not mounted
//!   ([`crate::mounts`]: the empty mount point itself is such a folder), be a folder itself
//!   rather than a symbolic link to one, and be writable; each failure is a [`FolderProblem`]
//!   that says which.
//! - Pruning removes only files named as this app names its backups for this role
//!   ([`super::backup::is_backup_file_name`]), in that folder only (never below it), regular
//!   files only (a symbolic link is never followed nor removed), with their `.sha256` beside
//!   them, the oldest first: by the time in the name, then by the number within that second
//!   (`…T180000Z.sqlite3` before `…T180000Z_02.sqlite3`); the file just written is always
//!   kept, even when a clock set back gave it an older name than the others.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::backup::{backup_stamp, checksum_file, is_backup_file_name};

/// Why a folder cannot take kept backups.
#[derive(Debug, thiserror::Error)]
pub enum FolderProblem {
    /// The folder is not there: a backup folder (which must exist), or an exchange folder read
    /// before anything was written into it.
    #[error("the folder {0} does not exist (is its disk connected?)")]
    Missing(PathBuf),
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    #[error("the backup folder {0} is a symbolic link: give the folder it points to")]
    Link(PathBuf),
    #[error("the backup folder {0} may not be written by this user")]
    NotWritable(PathBuf),
    #[error("the folder {0} could not be read: {1}")]
    Io(PathBuf, std::io::Error),
    /// The folder lies under a mount point `/etc/fstab` names (the second path) whose disk is
    /// not mounted now ([`crate::mounts`]).
    #[error(
        "the folder {0} is on the disk mounted at {1}, which is not mounted now: mount it first"
    )]
    NotMounted(PathBuf, PathBuf),
    /// Neither the folder nor the one it would be made in exists: a slip in a typed path, or a
    /// share or drive not connected. Only the last step of a path is ever made.
    #[error(
        "neither {0} nor the folder it would be made in exists: check the path, and that its disk is connected"
    )]
    NothingToMakeItIn(PathBuf),
}

impl FolderProblem {
    /// The problem in a word, for the audit entry and the desk's words (never a path).
    pub fn kind(&self) -> &'static str {
        match self {
            FolderProblem::Missing(_) => "folder_missing",
            FolderProblem::NotAFolder(_) => "not_a_folder",
            FolderProblem::Link(_) => "folder_is_link",
            FolderProblem::NotWritable(_) => "folder_not_writable",
            FolderProblem::Io(..) => "folder_unreadable",
            FolderProblem::NotMounted(..) => "disk_not_mounted",
            FolderProblem::NothingToMakeItIn(_) => "no_parent_folder",
        }
    }

    /// The folder the problem is with.
    pub fn folder(&self) -> &Path {
        match self {
            FolderProblem::Missing(p)
            | FolderProblem::NotAFolder(p)
            | FolderProblem::Link(p)
            | FolderProblem::NotWritable(p)
            | FolderProblem::Io(p, _)
            | FolderProblem::NotMounted(p, _)
            | FolderProblem::NothingToMakeItIn(p) => p,
        }
    }

    /// [`FolderProblem::NotMounted`] when `dir` lies on a disk that is not mounted now.
    pub fn unless_mounted(dir: &Path) -> Result<(), FolderProblem> {
        match crate::mounts::unmounted_disk_under(dir) {
            Some(disk) => Err(FolderProblem::NotMounted(dir.to_owned(), disk)),
            None => Ok(()),
        }
    }

    /// Whether files can be written into `dir` as the exchange folder and the outbox are: on a
    /// mounted disk, and a folder (a link to one is followed) or, when missing, the last step of
    /// a path whose parent is a folder (it is made when first written into). The rule both a
    /// folder's setting and every write into it ask.
    pub fn unless_writable_there(dir: &Path) -> Result<(), FolderProblem> {
        Self::unless_mounted(dir)?;
        let owned = || dir.to_owned();
        match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => Ok(()),
            Ok(_) => Err(FolderProblem::NotAFolder(owned())),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                // A bare name's parent is "" (the current folder).
                let parent = dir.parent().map(|p| {
                    if p.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        p
                    }
                });
                match parent.map(std::fs::metadata) {
                    Some(Ok(parent)) if parent.is_dir() => Ok(()),
                    _ => Err(FolderProblem::NothingToMakeItIn(owned())),
                }
            }
            Err(e) => Err(FolderProblem::Io(owned(), e)),
        }
    }
}

/// Creates `dir` (0700) for a one-off backup when it is missing; an existing one is left as is.
/// Never on a disk that is not mounted ([`FolderProblem::NotMounted`]).
pub fn create_backup_folder(dir: &Path) -> Result<(), super::StoreError> {
    FolderProblem::unless_mounted(dir)?;
    if std::fs::symlink_metadata(dir).is_err() {
        super::create_private_dir(dir)?;
    }
    Ok(())
}

/// Checks that `dir` is on a mounted disk, exists, is a real folder (not a link) and can be
/// written.
pub fn check_backup_folder(dir: &Path) -> Result<(), FolderProblem> {
    FolderProblem::unless_mounted(dir)?;
    let owned = || dir.to_owned();
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(FolderProblem::Missing(owned())),
        Err(e) => return Err(FolderProblem::Io(owned(), e)),
    };
    if meta.file_type().is_symlink() {
        return Err(FolderProblem::Link(owned()));
    }
    if !meta.is_dir() {
        return Err(FolderProblem::NotAFolder(owned()));
    }
    // Writable for this process (permissions, a read-only mount, ACLs): tried, not guessed.
    let probe = dir.join(format!(".intake-kiosk-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e)
            if e.kind() == ErrorKind::PermissionDenied
                || e.kind() == ErrorKind::ReadOnlyFilesystem =>
        {
            Err(FolderProblem::NotWritable(owned()))
        }
        Err(e) => Err(FolderProblem::Io(owned(), e)),
    }
}

/// Removes `role`'s backups in `dir` beyond the newest `keep` (at least one: `written`, the
/// one just made, always stays). Only finished backups count and go: those with their
/// `.sha256` beside them, written once the copy was checked. A file without one (a backup cut
/// off mid-way, or a copy an admin put there) neither takes a good backup's place nor is
/// removed. Returns the files removed.
pub fn prune_backups(
    dir: &Path, role: &str, keep: usize, written: &Path,
) -> std::io::Result<Vec<PathBuf>> {
    // (name, path) of each of this role's own backups but `written`.
    let mut own: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        // `file_type` does not follow links: a link named like a backup is left alone.
        if is_backup_file_name(&name, role)
            && entry.file_type()?.is_file()
            && entry.path() != written
            && std::fs::symlink_metadata(checksum_file(&entry.path()))
                .is_ok_and(|m| m.file_type().is_file())
        {
            own.push((name, entry.path()));
        }
    }
    // Newest first: by the time in the name, then by the number within that second.
    own.sort_by(|(a, _), (b, _)| backup_stamp(b, role).cmp(&backup_stamp(a, role)));
    let mut removed = Vec::new();
    for (_, old) in own.into_iter().skip(keep.saturating_sub(1)) {
        std::fs::remove_file(&old)?;
        std::fs::remove_file(checksum_file(&old))?;
        removed.push(old);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_files::names_in;

    fn touch(dir: &Path, name: &str) {
        std::fs::write(dir.join(name), b"x").unwrap();
    }

    /// A finished backup: the file and its `.sha256`.
    fn finished(dir: &Path, name: &str) {
        touch(dir, name);
        touch(dir, &format!("{name}.sha256"));
    }

    /// A folder named bare (`--to newdir`) is made in the current folder, like `./newdir`; a
    /// bare path two steps deep that is not there is still refused.
    #[test]
    fn a_bare_folder_name_is_made_in_the_current_folder() {
        let name = Path::new("a-folder-this-test-never-makes");
        assert!(!name.exists());
        assert!(FolderProblem::unless_writable_there(name).is_ok());
        assert!(FolderProblem::unless_writable_there(&Path::new(".").join(name)).is_ok());
        assert!(matches!(
            FolderProblem::unless_writable_there(&name.join("deeper")),
            Err(FolderProblem::NothingToMakeItIn(_))
        ));
    }

    #[test]
    fn only_this_roles_own_backups_beyond_the_newest_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for day in 1..=4 {
            let name = format!("intake-kiosk-desk-2026120{day}T180000Z.sqlite3");
            finished(d, &name);
        }
        // Not ours to touch: another role's, a renamed copy, a person's notes, a sub-folder,
        // a link named like a backup (pointing at a file that must survive too).
        touch(d, "intake-kiosk-kiosk-20261101T180000Z.sqlite3");
        touch(d, "intake-kiosk-desk-20261101T180000Z.sqlite3.bak");
        touch(d, "intake-kiosk-desk-20261101.sqlite3");
        touch(d, "notes.txt");
        std::fs::create_dir(d.join("intake-kiosk-desk-20261102T180000Z.sqlite3")).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        touch(elsewhere.path(), "precious");
        std::os::unix::fs::symlink(
            elsewhere.path().join("precious"),
            d.join("intake-kiosk-desk-20261103T180000Z.sqlite3"),
        )
        .unwrap();

        let written = d.join("intake-kiosk-desk-20261204T180000Z.sqlite3");
        let removed = prune_backups(d, "desk", 2, &written).unwrap();
        assert_eq!(removed.len(), 2, "{removed:?}");
        assert_eq!(
            names_in(d),
            [
                "intake-kiosk-desk-20261101.sqlite3",
                "intake-kiosk-desk-20261101T180000Z.sqlite3.bak",
                "intake-kiosk-desk-20261102T180000Z.sqlite3",
                "intake-kiosk-desk-20261103T180000Z.sqlite3",
                "intake-kiosk-desk-20261203T180000Z.sqlite3",
                "intake-kiosk-desk-20261203T180000Z.sqlite3.sha256",
                "intake-kiosk-desk-20261204T180000Z.sqlite3",
                "intake-kiosk-desk-20261204T180000Z.sqlite3.sha256",
                "intake-kiosk-kiosk-20261101T180000Z.sqlite3",
                "notes.txt",
            ]
        );
        assert!(elsewhere.path().join("precious").exists());
    }

    #[test]
    fn a_backup_cut_off_before_its_checksum_neither_counts_nor_goes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let good = "intake-kiosk-desk-20261201T180000Z.sqlite3";
        finished(d, good);
        // Newer, but cut off mid-way (no checksum): with --keep 2 it must not push the good
        // one out.
        touch(d, "intake-kiosk-desk-20261202T180000Z.sqlite3");
        let written = d.join("intake-kiosk-desk-20261203T180000Z.sqlite3");
        finished(d, "intake-kiosk-desk-20261203T180000Z.sqlite3");
        let removed = prune_backups(d, "desk", 2, &written).unwrap();
        assert!(removed.is_empty(), "{removed:?}");
        assert!(d.join(good).exists() && d.join(format!("{good}.sha256")).exists());
        assert!(
            d.join("intake-kiosk-desk-20261202T180000Z.sqlite3")
                .exists()
        );
    }

    #[test]
    fn backups_of_one_second_are_pruned_by_their_number_and_a_persons_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in [
            "intake-kiosk-kiosk-20261202T235959Z_03.sqlite3",
            "intake-kiosk-kiosk-20261203T180000Z.sqlite3",
            "intake-kiosk-kiosk-20261203T180000Z_02.sqlite3",
            "intake-kiosk-kiosk-20261203T180000Z_10.sqlite3",
        ] {
            finished(d, name);
        }
        // A person's: named nearly like ours.
        touch(d, "intake-kiosk-kiosk-20261203T180000Z_2.sqlite3");
        touch(d, "intake-kiosk-kiosk-20261203T180000Z_copy.sqlite3");
        let written = d.join("intake-kiosk-kiosk-20261203T180000Z_11.sqlite3");
        touch(d, "intake-kiosk-kiosk-20261203T180000Z_11.sqlite3");
        let removed = prune_backups(d, "kiosk", 3, &written).unwrap();
        let removed: Vec<_> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(
            removed,
            [
                "intake-kiosk-kiosk-20261203T180000Z.sqlite3",
                "intake-kiosk-kiosk-20261202T235959Z_03.sqlite3",
            ]
        );
        assert_eq!(
            names_in(d),
            [
                "intake-kiosk-kiosk-20261203T180000Z_02.sqlite3",
                "intake-kiosk-kiosk-20261203T180000Z_02.sqlite3.sha256",
                "intake-kiosk-kiosk-20261203T180000Z_10.sqlite3",
                "intake-kiosk-kiosk-20261203T180000Z_10.sqlite3.sha256",
                "intake-kiosk-kiosk-20261203T180000Z_11.sqlite3",
                "intake-kiosk-kiosk-20261203T180000Z_2.sqlite3",
                "intake-kiosk-kiosk-20261203T180000Z_copy.sqlite3",
            ]
        );
    }

    #[test]
    fn the_file_just_written_stays_even_with_an_older_name() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // The clock was set back a year before the second was written.
        for name in [
            "intake-kiosk-desk-20261201T180000Z.sqlite3",
            "intake-kiosk-desk-20251201T180000Z.sqlite3",
        ] {
            finished(d, name);
        }
        let written = d.join("intake-kiosk-desk-20251201T180000Z.sqlite3");
        prune_backups(d, "desk", 1, &written).unwrap();
        assert_eq!(
            names_in(d),
            [
                "intake-kiosk-desk-20251201T180000Z.sqlite3",
                "intake-kiosk-desk-20251201T180000Z.sqlite3.sha256"
            ]
        );
    }

    #[test]
    fn a_folder_must_exist_be_a_real_folder_and_writable() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        check_backup_folder(d).unwrap();
        assert!(
            d.read_dir().unwrap().next().is_none(),
            "the probe is removed"
        );
        assert!(matches!(
            check_backup_folder(&d.join("unmounted")),
            Err(FolderProblem::Missing(_))
        ));
        touch(d, "file");
        assert!(matches!(
            check_backup_folder(&d.join("file")),
            Err(FolderProblem::NotAFolder(_))
        ));
        std::os::unix::fs::symlink(d, d.join("link")).unwrap();
        assert!(matches!(
            check_backup_folder(&d.join("link")),
            Err(FolderProblem::Link(_))
        ));
        // The empty folder a backup disk is mounted over, while it is not.
        let mount_point = d.join("backup-disk");
        std::fs::create_dir(&mount_point).unwrap();
        crate::mounts::testing::expect_disk_at(&mount_point);
        for folder in [mount_point.clone(), mount_point.join("desk")] {
            let refused = check_backup_folder(&folder).unwrap_err();
            assert!(
                matches!(&refused, FolderProblem::NotMounted(f, disk) if *f == folder && *disk == mount_point.canonicalize().unwrap()),
                "{refused:?}"
            );
            assert_eq!(refused.kind(), "disk_not_mounted");
        }
        assert!(matches!(
            create_backup_folder(&mount_point.join("one-off")),
            Err(crate::store::StoreError::Folder(FolderProblem::NotMounted(
                ..
            )))
        ));
        assert!(
            mount_point.read_dir().unwrap().next().is_none(),
            "nothing written or made"
        );
        // Root may write anywhere: the permission check means something only for others.
        let locked = d.join("locked");
        std::fs::create_dir(&locked).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let writable_anyway = std::fs::write(locked.join("try"), b"").is_ok();
        let checked = check_backup_folder(&locked);
        if writable_anyway {
            assert!(checked.is_ok());
        } else {
            assert!(matches!(checked, Err(FolderProblem::NotWritable(_))));
        }
    }
}
