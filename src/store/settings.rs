//! Settings through the store: a value is checked against [`crate::settings`] before it is
//! written (an unknown key or a bad value is refused and nothing changes), the listing with
//! stored values, and the clinic's time zone as the flags read it.

use super::{OpenStore, StoreError};
use crate::settings::{self, App, ClinicZone, Listed};

impl OpenStore {
    /// `value` for `key` as it may be stored, checked against the known settings and against
    /// the other settings it must agree with (opening before closing), a backup folder against
    /// the disk ([`super::check_backup_folder`]), and the exchange folder and outbox against the
    /// disks mounted ([`crate::mounts`]). Nothing is written.
    pub(super) fn checked_setting(&self, key: &str, value: &str) -> Result<String, StoreError> {
        let value = settings::validate(key, value)?;
        let other = |k: &str| -> Result<String, StoreError> {
            Ok(self
                .setting(k)?
                .unwrap_or_else(|| settings::spec(k).map_or("", |s| s.default).to_owned()))
        };
        match key {
            "hours.opens" => settings::check_hours(&value, &other("hours.closes")?),
            "hours.closes" => settings::check_hours(&other("hours.opens")?, &value),
            _ => Ok(()),
        }?;
        // The folder backups go into must take them now (README, "Backups"): an unmounted disk's
        // path, a link or a folder this user cannot write is refused when set, not at the first
        // backup hours later.
        if key == settings::BACKUP_FOLDER && !value.is_empty() {
            super::check_backup_folder(std::path::Path::new(&value))?;
        }
        // The exchange folder and the outbox are made when first written into, but only as the
        // last step of a path, and never on a disk that is not mounted (`crate::mounts`): a
        // folder that could not be made then is refused now.
        if [settings::EXCHANGE_FOLDER, settings::OUTBOX_FOLDER].contains(&key) && !value.is_empty()
        {
            super::FolderProblem::unless_writable_there(std::path::Path::new(&value))?;
        }
        Ok(value)
    }

    /// Every setting `app` reads with its stored value and default (the `settings` command).
    pub fn settings_listing(&self, app: App) -> Result<Vec<Listed>, StoreError> {
        settings::listing(app, |key| self.setting(key))
    }

    /// The clinic's time zone: `hours.time_zone` when set; else, for a database set up before
    /// named zones, the fixed `hours.utc_offset_minutes` it was given; else the default zone.
    pub fn clinic_zone(&self) -> Result<ClinicZone, StoreError> {
        let name = self.setting("hours.time_zone")?;
        let offset = match name {
            Some(_) => None,
            None => self.setting("hours.utc_offset_minutes")?,
        };
        ClinicZone::from_settings(name.as_deref(), offset.as_deref())
            .map_err(|reason| StoreError::Invalid(format!("setting {reason}")))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use crate::staff::Role;
    use crate::store::{Actor, FolderProblem, OpenStore, Store, StoreError, SyncRole};
    use crate::vault::Passphrase;

    /// The demo desk in a new folder, open, and its manager.
    fn demo_desk() -> (tempfile::TempDir, OpenStore, Actor) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        crate::demo::create_demo_desk(&path).unwrap();
        let store = Store::open_for(&path, SyncRole::Desk).unwrap();
        let passphrase = Passphrase::new(crate::demo::DEMO_PASSPHRASE);
        let (open, manager) = OpenStore::unlock(store, &passphrase, Utc::now())
            .map_err(|f| f.error)
            .unwrap();
        (dir, open, Actor::new(manager, Role::Manager))
    }

    /// A new folder `name` in `dir`.
    fn made(dir: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
        let folder = dir.path().join(name);
        std::fs::create_dir(&folder).unwrap();
        folder
    }

    #[test]
    fn a_backup_folder_is_refused_when_set_unless_it_can_take_backups_now() {
        let (dir, open, manager) = demo_desk();
        let disk = made(&dir, "disk");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&disk, &link).unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let set = |folder: &std::path::Path| {
            open.set_setting(
                &manager,
                "backup.folder",
                folder.to_str().unwrap(),
                Utc::now(),
            )
        };
        assert!(matches!(
            set(&dir.path().join("unmounted")),
            Err(StoreError::Folder(FolderProblem::Missing(_)))
        ));
        assert!(matches!(
            set(&link),
            Err(StoreError::Folder(FolderProblem::Link(_)))
        ));
        assert!(matches!(
            set(&file),
            Err(StoreError::Folder(FolderProblem::NotAFolder(_)))
        ));
        assert_eq!(open.setting("backup.folder").unwrap(), None, "nothing set");
        set(&disk).unwrap();
        assert_eq!(
            open.setting("backup.folder").unwrap().as_deref(),
            disk.to_str()
        );
        // Empty: no scheduled backups, nothing to check.
        open.set_setting(&manager, "backup.folder", "", Utc::now())
            .unwrap();
    }

    #[test]
    fn no_folder_is_set_on_a_disk_that_is_not_mounted() {
        let (dir, open, manager) = demo_desk();
        // The records system's share, named in fstab, its empty mount point left behind.
        let share = made(&dir, "emr-share");
        crate::mounts::testing::expect_disk_at(&share);
        for key in ["outbox_folder", "exchange_folder", "backup.folder"] {
            let under = share.join("in");
            let refused = open
                .set_setting(&manager, key, under.to_str().unwrap(), Utc::now())
                .unwrap_err();
            assert!(
                matches!(&refused, StoreError::Folder(FolderProblem::NotMounted(f, _)) if *f == under),
                "{key}: {refused:?}"
            );
            assert_eq!(open.setting(key).unwrap(), None, "{key}: nothing set");
        }
        assert!(share.read_dir().unwrap().next().is_none(), "nothing made");
        // Elsewhere, a folder not made yet is taken: the exchange makes it when it writes.
        let local = dir.path().join("outbox");
        open.set_setting(
            &manager,
            "outbox_folder",
            local.to_str().unwrap(),
            Utc::now(),
        )
        .unwrap();
    }

    #[test]
    fn an_exchange_folder_or_outbox_is_set_only_where_it_could_be_made() {
        let (dir, open, manager) = demo_desk();
        let file = dir.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let set = |key: &str, folder: &std::path::Path| {
            open.set_setting(&manager, key, folder.to_str().unwrap(), Utc::now())
        };
        for key in ["exchange_folder", "outbox_folder"] {
            // Only the last step of a path is ever made: a path whose parent is missing (a slip
            // in the typing, a share not connected) is refused now, not at the first import.
            let slip = dir.path().join("mnt-usb").join("exchange");
            assert!(
                matches!(set(key, &slip), Err(StoreError::Folder(FolderProblem::NothingToMakeItIn(f))) if f == slip),
                "{key}"
            );
            assert!(
                matches!(
                    set(key, &file),
                    Err(StoreError::Folder(FolderProblem::NotAFolder(_)))
                ),
                "{key}"
            );
            assert_eq!(open.setting(key).unwrap(), None, "{key}: nothing set");
            assert!(!slip.parent().unwrap().exists(), "nothing made");
            // A folder that is there, or one to be made in one that is, is taken.
            set(key, dir.path()).unwrap();
            set(key, &dir.path().join(key)).unwrap();
        }
    }
}
