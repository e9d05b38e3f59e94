//! Whether a folder lies on a disk that should be mounted and is not.
//!
//! A clinic's backup disk, USB stick or records-system share is mounted over a folder that, while
//! the disk is away, is an empty folder of the system disk (a mount point `/etc/fstab` names).
//! Written there, plaintext forms meant for the share, or backups meant for the removable disk,
//! land on the system disk unseen, and are hidden under the disk once it is mounted again. So
//! before the app writes into a folder (the exchange folder, the desk's outbox, the backup
//! folder) or takes one as a setting, it asks: is a mount point `/etc/fstab` names on the way to
//! it (the folder itself or a folder above it, after symbolic links) not mounted now
//! (`/proc/self/mountinfo`)? That folder is then refused, naming the mount point.
//!
//! A desktop's own mounting (`/media/<user>/<label>`) needs no rule: that folder is gone while
//! its disk is, and a missing folder is refused where it must exist. A system without
//! `/etc/fstab` or `/proc` expects nothing and is never refused. `/` itself and swap are not
//! mount points in this sense.

use std::path::{Path, PathBuf};

const FSTAB: &str = "/etc/fstab";
const MOUNTINFO: &str = "/proc/self/mountinfo";

/// The mount point on the way to `folder` that `/etc/fstab` names and that is not mounted now
/// (the deepest, when several are not); `None` when every one is, or none is named.
pub fn unmounted_disk_under(folder: &Path) -> Option<PathBuf> {
    // No fstab: no disk expected anywhere. No mountinfo: nothing to tell by, nothing refused.
    let fstab = std::fs::read_to_string(FSTAB).unwrap_or_default();
    let mountinfo = std::fs::read_to_string(MOUNTINFO).ok()?;
    #[cfg(test)]
    let fstab = testing::with_expected(fstab);
    unmounted_on_the_way(&resolved(folder), &fstab, &mountinfo)
}

/// `folder` made absolute (from the working folder), with the symbolic links of its longest
/// existing part resolved (a link into a mount point is on the way to it); the rest, not yet
/// made, as given.
fn resolved(folder: &Path) -> PathBuf {
    let absolute = std::path::absolute(folder).unwrap_or_else(|_| folder.to_owned());
    let folder = absolute.as_path();
    let mut existing = folder;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |path, part| path.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return folder.to_owned(),
        }
    }
}

/// The rule over the two files' text (see the module).
fn unmounted_on_the_way(folder: &Path, fstab: &str, mountinfo: &str) -> Option<PathBuf> {
    let mounted: Vec<PathBuf> = mountinfo
        .lines()
        .filter_map(|line| line.split_whitespace().nth(4))
        .map(|field| PathBuf::from(unescaped(field)))
        .collect();
    fstab
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let point = PathBuf::from(unescaped(fields.nth(1)?));
            let kind = fields.next().unwrap_or_default();
            (kind != "swap" && point.is_absolute() && point.parent().is_some()).then_some(point)
        })
        // Whole names: /srv/backups is not under /srv/backup.
        .filter(|point| folder.starts_with(point))
        .filter(|point| !mounted.contains(point))
        .max_by_key(|point| point.components().count())
}

/// Octal escapes (`\040` for a space) as both files write them, read back.
fn unescaped(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes.get(i + 1..i + 4);
        let code = digits
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)))
            .and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok());
        match code {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Test builds only: mount points a test adds to `/etc/fstab`'s, on its own thread, so that the
/// folders the app writes into can be tested under a disk that is not mounted.
#[cfg(test)]
pub(crate) mod testing {
    use std::cell::RefCell;
    use std::path::Path;

    thread_local! {
        static EXPECTED: RefCell<String> = const { RefCell::new(String::new()) };
    }

    /// Until the thread ends, `point` is named in the fstab this thread reads.
    pub(crate) fn expect_disk_at(point: &Path) {
        let point = point.canonicalize().expect("the mount point exists");
        EXPECTED.with_borrow_mut(|text| {
            text.push_str(&format!("/dev/test {} ext4 noauto 0 0\n", point.display()))
        });
    }

    pub(super) fn with_expected(mut fstab: String) -> String {
        EXPECTED.with_borrow(|text| {
            fstab.push('\n');
            fstab.push_str(text);
        });
        fstab
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FSTAB: &str = "\
# <file system> <mount point> <type> <options> <dump> <pass>
UUID=1234 /               ext4  errors=remount-ro 0 1
UUID=5678 none            swap  sw                0 0
/swapfile swap            swap  defaults          0 0
UUID=9abc /srv/backup     ext4  noauto,nofail     0 2
//nas/emr /mnt/records\\040share cifs credentials=/root/.nas 0 0
   # an indented comment /mnt/commented
LABEL=usb /media/usb      vfat  noauto,user       0 0
";

    fn mountinfo(points: &[&str]) -> String {
        let mut text = String::from("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
        for (i, point) in points.iter().enumerate() {
            text.push_str(&format!(
                "{} 22 8:{} / {point} rw shared:{} - ext4 /dev/sdb{i} rw\n",
                30 + i,
                16 + i,
                2 + i
            ));
        }
        text
    }

    fn check(folder: &str, mounted: &[&str]) -> Option<String> {
        unmounted_on_the_way(Path::new(folder), FSTAB, &mountinfo(mounted))
            .map(|p| p.display().to_string())
    }

    #[test]
    fn a_folder_under_a_named_mount_point_is_refused_only_while_its_disk_is_away() {
        assert_eq!(
            check("/srv/backup", &[]).as_deref(),
            Some("/srv/backup"),
            "the mount point itself"
        );
        assert_eq!(
            check("/srv/backup/desk/2026", &[]).as_deref(),
            Some("/srv/backup")
        );
        assert_eq!(check("/srv/backup/desk", &["/srv/backup"]), None);
        assert_eq!(
            check("/media/usb/exchange", &["/srv/backup"]).as_deref(),
            Some("/media/usb")
        );
        assert_eq!(check("/media/usb/exchange", &["/media/usb"]), None);
    }

    #[test]
    fn names_are_compared_whole_and_escapes_read_back() {
        // Not under /srv/backup: a name that only begins alike.
        assert_eq!(check("/srv/backups", &[]), None);
        assert_eq!(check("/srv", &[]), None, "above a mount point");
        assert_eq!(
            check("/mnt/records share/emr", &[]).as_deref(),
            Some("/mnt/records share")
        );
        assert_eq!(
            check("/mnt/records share/emr", &["/mnt/records\\040share"]),
            None
        );
        assert_eq!(unescaped("a\\040b\\134c\\9"), "a b\\c\\9");
    }

    #[test]
    fn root_swap_comments_and_other_folders_expect_nothing() {
        for folder in ["/home/clinic/out", "/", "/swap", "/mnt/commented/x", "/tmp"] {
            assert_eq!(check(folder, &[]), None, "{folder}");
        }
        assert_eq!(
            unmounted_on_the_way(Path::new("/srv/backup"), "", &mountinfo(&[])),
            None
        );
        assert_eq!(
            unmounted_on_the_way(Path::new("/srv/backup"), "garbage\n\n/dev/x\n", ""),
            None
        );
    }

    #[test]
    fn the_deepest_unmounted_point_is_named() {
        let fstab = "a /mnt/nas nfs defaults 0 0\nb /mnt/nas/emr nfs defaults 0 0\n";
        let deepest = unmounted_on_the_way(Path::new("/mnt/nas/emr/in"), fstab, "");
        assert_eq!(deepest.as_deref(), Some(Path::new("/mnt/nas/emr")));
        let inner_mounted = unmounted_on_the_way(
            Path::new("/mnt/nas/emr/in"),
            fstab,
            &mountinfo(&["/mnt/nas/emr"]),
        );
        assert_eq!(inner_mounted.as_deref(), Some(Path::new("/mnt/nas")));
    }

    #[test]
    fn links_and_folders_not_yet_made_are_followed_to_the_mount_point() {
        let dir = tempfile::tempdir().unwrap();
        let disk = dir.path().join("disk");
        std::fs::create_dir(&disk).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&disk, &link).unwrap();
        let real = disk.canonicalize().unwrap();
        assert_eq!(resolved(&link.join("not/yet")), real.join("not/yet"));
        // A relative folder (`desk backup --to backups`) is taken from the working folder.
        let here = std::env::current_dir().unwrap().canonicalize().unwrap();
        assert_eq!(
            resolved(Path::new("not-yet-made/x")),
            here.join("not-yet-made/x")
        );
        assert_eq!(unmounted_disk_under(&link.join("out")), None);
        testing::expect_disk_at(&disk);
        assert_eq!(unmounted_disk_under(&link.join("out")), Some(real.clone()));
        assert_eq!(unmounted_disk_under(dir.path()), None);
    }
}
