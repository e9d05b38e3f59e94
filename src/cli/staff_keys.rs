//! `kiosk|desk change-passphrase`, `reset-passphrase`, `add-manager`, `retire-staff`,
//! `reset-pin`, `change-pin`, `rotate-key`, `new-recovery-key`: staff and key administration from
//! the command line.
//!
//! Each command is a function taking parsed values (the database path, ids, the secrets input),
//! so a different argument parser can call them unchanged. Secrets come one per line from
//! `--secrets FILE` or stdin, never from the command line; the first is always the passphrase
//! of the manager acting, which opens the database and names them in the audit log. The rules
//! themselves live in the store (`store::staff_admin`, `store::rotate`).

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use intake_kiosk::store::{Actor, OpenStore, Store, WalCheckpoint, rotation_signers};
use intake_kiosk::vault::{Passphrase, Pin, RecoveryKey};

use super::SecretSource;
use super::args::StaffKeysCommand;
use super::progress::Progress;

/// Runs one staff-and-keys command on the database at `db`.
pub fn run(command: StaffKeysCommand, db: &Path, secrets: SecretSource) -> Result<()> {
    match command {
        StaffKeysCommand::ChangePassphrase => change_passphrase(db, secrets),
        StaffKeysCommand::ResetPassphrase { staff } => {
            reset_passphrase(db, staff.as_deref(), secrets)
        }
        StaffKeysCommand::AddManager { name } => add_manager(db, &name, secrets),
        StaffKeysCommand::RetireStaff { staff } => retire_staff(db, &staff, secrets),
        StaffKeysCommand::ResetPin { staff } => reset_pin(db, &staff, secrets),
        StaffKeysCommand::ChangePin { staff } => change_pin(db, staff.as_deref(), secrets),
        StaffKeysCommand::RotateKey => rotate_key(db, secrets),
        StaffKeysCommand::NewRecoveryKey => new_recovery_key(db, secrets),
    }
}

/// Opens the database with the acting manager's passphrase; returns it too (some commands
/// need it again).
fn open(db: &Path, secrets: &mut SecretSource) -> Result<(OpenStore, Actor, Passphrase)> {
    if !db.exists() {
        bail!("no database at {}", db.display());
    }
    let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let passphrase = Passphrase::new(secrets.next("your passphrase")?.as_str());
    let (open, actor) = OpenStore::unlock_as_manager(store, &passphrase, Utc::now())
        .map_err(|failure| anyhow!("{}", failure.error))?;
    Ok((open, actor, passphrase))
}

fn close(store: OpenStore, actor: &Actor) -> Result<()> {
    drop(store.close(Some(actor), Utc::now())?);
    Ok(())
}

fn say_cleared(cleared: WalCheckpoint) {
    if cleared == WalCheckpoint::OldCopiesRemain {
        eprintln!(
            "note: another program (the window?) has the database open; old copies stay in its \
             journal until it closes"
        );
    }
}

fn pin_twice(secrets: &mut SecretSource, what: &str) -> Result<Pin> {
    let pin = secrets.next(what)?;
    let again = secrets.next(&format!("{what} again"))?;
    if pin != again {
        bail!("the two new PINs differ; nothing was changed");
    }
    Ok(Pin::new(pin.as_str()))
}

/// `change-passphrase`: the current passphrase, then the new one twice.
pub fn change_passphrase(db: &Path, mut secrets: SecretSource) -> Result<()> {
    let (mut store, actor, current) = open(db, &mut secrets)?;
    let new = Passphrase::new(secrets.next("the new passphrase")?.as_str());
    let again = Passphrase::new(secrets.next("the new passphrase again")?.as_str());
    let cleared = store.change_my_passphrase(&actor, &current, &new, &again, Utc::now())?;
    say_cleared(cleared);
    close(store, &actor)?;
    println!("passphrase changed; the old one no longer opens this database");
    println!("copies made before (backups) still open with the old one: replace them");
    Ok(())
}

/// `reset-passphrase [--staff ID]`: the recovery key, then the new passphrase twice.
pub fn reset_passphrase(db: &Path, staff: Option<&str>, mut secrets: SecretSource) -> Result<()> {
    if !db.exists() {
        bail!("no database at {}", db.display());
    }
    let store = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let key = RecoveryKey::parse(secrets.next("the recovery key")?.as_str())
        .map_err(|e| anyhow!("{e}"))?;
    let mut open = OpenStore::unlock_with_recovery(store, &key, Utc::now())
        .map_err(|failure| anyhow!("{}", failure.error))?;
    let new = Passphrase::new(secrets.next("the new passphrase")?.as_str());
    let again = Passphrase::new(secrets.next("the new passphrase again")?.as_str());
    let outcome = open.reset_passphrase_by_recovery(staff, &new, &again, Utc::now());
    drop(open.close(None, Utc::now())?);
    let (manager, cleared) = outcome?;
    say_cleared(cleared);
    println!("passphrase set anew for {manager}; their old one no longer opens this database");
    println!("the recovery key still works: keep it locked away (or make a new one)");
    Ok(())
}

/// `add-manager --name NAME`: your passphrase, theirs twice, their PIN.
pub fn add_manager(db: &Path, name: &str, mut secrets: SecretSource) -> Result<()> {
    let (mut store, actor, _) = open(db, &mut secrets)?;
    let theirs = Passphrase::new(secrets.next("the new manager's passphrase")?.as_str());
    let again = Passphrase::new(secrets.next("the new manager's passphrase again")?.as_str());
    let pin = Pin::new(secrets.next("the new manager's PIN")?.as_str());
    let id = store.add_manager_checked(&actor, name, &pin, &theirs, &again, Utc::now())?;
    close(store, &actor)?;
    println!("manager added: {id}");
    Ok(())
}

/// `retire-staff --staff ID`: your passphrase.
pub fn retire_staff(db: &Path, staff_id: &str, mut secrets: SecretSource) -> Result<()> {
    let (mut store, actor, _) = open(db, &mut secrets)?;
    let cleared = store.retire_staff(&actor, staff_id, Utc::now())?;
    say_cleared(cleared);
    close(store, &actor)?;
    println!("{staff_id} retired: they can no longer sign in; their name stays in the history");
    Ok(())
}

/// `reset-pin --staff ID`: your passphrase, the new PIN twice.
pub fn reset_pin(db: &Path, staff_id: &str, mut secrets: SecretSource) -> Result<()> {
    let (mut store, actor, _) = open(db, &mut secrets)?;
    let pin = pin_twice(&mut secrets, "the new PIN")?;
    store.reset_pin(&actor, staff_id, &pin, Utc::now())?;
    close(store, &actor)?;
    println!("PIN reset for {staff_id}; the old PIN no longer works");
    Ok(())
}

/// `change-pin [--staff ID]`: a manager's passphrase (to open the database), the current PIN of
/// the staff member (yourself by default), then the new PIN twice.
pub fn change_pin(db: &Path, staff_id: Option<&str>, mut secrets: SecretSource) -> Result<()> {
    let (mut store, manager, _) = open(db, &mut secrets)?;
    let staff_id = staff_id.unwrap_or(manager.staff_id()).to_owned();
    let current = Pin::new(secrets.next("the current PIN")?.as_str());
    let new = pin_twice(&mut secrets, "the new PIN")?;
    let now = Utc::now();
    let them = store
        .sign_in(&staff_id, &current, now)
        .map_err(|e| anyhow!("{e}"))?;
    store.change_pin(&them, &current, &new, now)?;
    close(store, &manager)?;
    println!("PIN changed");
    Ok(())
}

/// `rotate-key`: your passphrase, then one line for each other active manager (the store's
/// rule, as the windows ask it; in any order), each their current passphrase.
pub fn rotate_key(db: &Path, mut secrets: SecretSource) -> Result<()> {
    let (mut store, actor, yours) = open(db, &mut secrets)?;
    let mut passphrases = vec![yours];
    for other in rotation_signers(&store.all_staff(&actor)?, actor.staff_id())
        .into_iter()
        .filter(|s| !s.me)
    {
        let line = secrets.next(&format!(
            "the passphrase of {} ({})",
            other.name, other.staff_id
        ))?;
        passphrases.push(Passphrase::new(line.as_str()));
    }
    let mut bar = Progress::new("re-sealing under the new key");
    let rotation =
        store.rotate_data_key(&actor, &passphrases, Utc::now(), &mut |done, total| {
            bar.update(
                usize::try_from(done).unwrap_or(usize::MAX),
                usize::try_from(total).unwrap_or(usize::MAX),
            );
        })?;
    say_cleared(rotation.cleared);
    close(store, &actor)?;
    println!(
        "data key rotated: {} rows and audit entries re-sealed and re-tagged",
        rotation.rows
    );
    print_recovery_key(&rotation.recovery_key.to_printable());
    println!(
        "copies made before the rotation (backups, old tablets) still open with the old \
         passphrases and the old recovery key: replace them now"
    );
    Ok(())
}

/// `new-recovery-key`: your passphrase.
pub fn new_recovery_key(db: &Path, mut secrets: SecretSource) -> Result<()> {
    let (mut store, actor, _) = open(db, &mut secrets)?;
    let (key, cleared) = store.new_recovery_key(&actor, Utc::now())?;
    say_cleared(cleared);
    close(store, &actor)?;
    print_recovery_key(&key.to_printable());
    println!("the old recovery key no longer opens this database");
    Ok(())
}

fn print_recovery_key(key: &str) {
    println!("NEW RECOVERY KEY (shown once; print it and keep it offline):");
    println!("  {key}");
}
