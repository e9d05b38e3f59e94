//! `kiosk backup|restore` and `desk backup|restore`: the command-line side of the store's
//! backup (`intake_kiosk::store::OpenStore::backup_into`, `intake_kiosk::store::restore`).

use std::path::Path;

use anyhow::{Context, Result};
use chrono::Utc;
use intake_kiosk::store::{Actor, OpenStore, StoreError, SyncRole, create_backup_folder};
use intake_kiosk::vault::Passphrase;

use super::args::Common;

/// The role in the file name: "kiosk" or "desk", from the database's file name.
fn role(file: &str) -> &str {
    file.strip_suffix(".sqlite3").unwrap_or(file)
}

/// Writes a checked backup of the open store into `to` (created if missing, unless `keep`);
/// with `keep`, only the newest `keep` of this role's backups stay there.
pub fn backup(
    store: &OpenStore, actor: &Actor, file: &str, to: &Path, keep: Option<usize>,
) -> Result<()> {
    if keep.is_none() {
        create_backup_folder(to).with_context(|| format!("creating {}", to.display()))?;
    }
    let kept = store
        .backup_kept(to, role(file), keep, actor.staff_id(), Utc::now())
        .with_context(|| format!("backing up into {}", to.display()))?;
    let done = &kept.done;
    for old in &kept.removed {
        println!("removed an older backup: {}", old.display());
    }
    println!(
        "backup written and checked (quick_check, {} rows' tags, consent chains, audit chain, {} tables' counts): {}",
        done.rows_checked,
        done.counts.len(),
        done.file.display()
    );
    Ok(())
}

/// Restores `from` into the (empty) data folder as `file`, after checking it and the passphrase.
pub fn restore(common: &Common, file: &str, from: &Path, newer: Option<&Path>) -> Result<()> {
    let dir = common.data_dir()?;
    if !from.is_file() {
        anyhow::bail!("no backup file {}", from.display());
    }
    if dir.join(file).exists() {
        anyhow::bail!(
            "{} already holds a {file}: a backup is restored into an empty data folder only",
            dir.display()
        );
    }
    let passphrase = common.secrets()?.next("the manager's passphrase")?;
    let unlock = |store| {
        OpenStore::unlock_as_manager(store, &Passphrase::new(passphrase.as_str()), Utc::now())
            .map_err(|failure| failure.error)
    };
    let side = if role(file) == SyncRole::Desk.as_str() {
        SyncRole::Desk
    } else {
        SyncRole::Kiosk
    };
    let restored =
        intake_kiosk::store::restore(from, &dir.join(file), side, newer, &unlock, Utc::now())
            .map_err(|e| match e {
                e @ StoreError::Invalid(_) => anyhow::Error::new(e),
                e => anyhow::Error::new(e).context(format!(
                    "the backup {} was refused; nothing was restored",
                    from.display()
                )),
            })?;
    tracing::info!("restore done: {}", restored.file.display());
    println!(
        "restored and checked ({} rows and entries): {}",
        restored.rows_checked,
        restored.file.display()
    );
    println!(
        "the backup holds what was recorded up to {}",
        restored
            .backup_time
            .as_deref()
            .unwrap_or("(no audit entries)")
    );
    match newer {
        Some(_) if restored.erasures_since.is_empty() => {
            println!("no erasure was requested after the backup's time in the newer database");
        }
        Some(_) => {
            println!(
                "ERASURES TO REPEAT: these were requested after the backup was taken; erase them again now (desk erase --patient ID):"
            );
            for (at, patient) in &restored.erasures_since {
                println!("  {at}  patient {patient}");
            }
        }
        None => println!(
            "erasures requested after the backup's time must be repeated: give --newer FILE (the database this replaces) to list them, or see the erasure log"
        ),
    }
    Ok(())
}
