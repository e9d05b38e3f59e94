//! `intake-kiosk kiosk …` and `intake-kiosk desk …`: every sync and back-office action as a
//! scriptable subcommand, declared in `args` (clap). Passphrases and PINs come from
//! `--secrets FILE`, a systemd credential, a terminal prompt without echo, or stdin (`secrets`).

mod args;
mod backup;
mod desk;
mod desk_rights;
mod kiosk;
mod progress;
mod secrets;
mod staff_keys;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use intake_kiosk::settings::App;
use intake_kiosk::store::{Actor, OpenStore, Store};
use intake_kiosk::vault::Passphrase;

pub use args::{Command, KioskWindowArgs, parse};
pub use secrets::SecretSource;

use args::{BackupCommand, Common, StaffKeysCommand};

/// A failure a script must tell from a plain one: part of the action was done (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PartlyDone(pub String);

/// `n` and the noun for it: "1 form", "2 forms" (the commands speak English only).
fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}

/// The exit code for an action's error: 3 partly done, 1 failed (usage errors never get here:
/// clap exits 2 before anything is opened).
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<PartlyDone>().is_some() {
        3
    } else {
        1
    }
}

/// What `error:` says: the error and each cause, joined by ": ", a cause said once — most of
/// the app's errors already name their cause in their own words (`"{path}: {source}"`), where
/// `{:#}` said it again.
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let words = cause.to_string();
        if text.contains(&words) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&words);
    }
    text
}

/// Runs a parsed `kiosk …`, `desk …`, `man` or `completions` command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Kiosk { common, command } => kiosk::run(command, &common),
        Command::Desk { common, command } => desk::run(command, &common),
        Command::Man { to } => man_pages(&to),
        Command::Completions { shell } => {
            let mut cmd = args::command();
            clap_complete::generate(shell, &mut cmd, "intake-kiosk", &mut std::io::stdout());
            Ok(())
        }
    }
}

/// `man --to DIR`: intake-kiosk.1 and a page per command (intake-kiosk-desk-import.1, …).
fn man_pages(to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let cmd = args::command();
    clap_mangen::generate_to(cmd, to).with_context(|| format!("writing to {}", to.display()))?;
    println!("man pages written to {}", to.display());
    Ok(())
}

impl Common {
    fn data_dir(&self) -> Result<PathBuf> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => crate::default_data_dir(),
        }
    }

    pub fn secrets(&self) -> Result<SecretSource> {
        SecretSource::new(self.secrets.as_deref())
    }
}

/// `kiosk backup|restore` and `desk backup|restore`, the same for both (`file` is the database).
fn backup_or_restore(command: &BackupCommand, common: &Common, file: &str) -> Result<()> {
    match command {
        BackupCommand::Backup { to, keep } => {
            let (store, actor) = open_as_manager(common, file, &mut common.secrets()?)?;
            backup::backup(&store, &actor, file, to, keep.map(usize::from))
        }
        BackupCommand::Restore { from, newer } => {
            backup::restore(common, file, from, newer.as_deref())
        }
    }
}

/// `kiosk|desk change-passphrase`, `add-manager`, … on `file` in the data folder.
fn staff_keys(command: StaffKeysCommand, common: &Common, file: &str) -> Result<()> {
    staff_keys::run(command, &common.data_dir()?.join(file), common.secrets()?)
}

/// `kiosk settings` / `desk settings`: every known setting, its stored value and its default.
fn settings(store: &OpenStore, app: App) -> Result<()> {
    let rows = store.settings_listing(app)?;
    print!("{}", intake_kiosk::settings::listing_text(&rows));
    Ok(())
}

/// Opens `file` in the data folder with a manager's passphrase from the secrets input.
/// The manager's passphrase is the first line of `secrets`; a command that needs more (a new
/// staff member's PIN) reads the next lines of the same source.
fn open_as_manager(
    common: &Common, file: &str, secrets: &mut SecretSource,
) -> Result<(OpenStore, Actor)> {
    let dir = common.data_dir()?;
    let path = dir.join(file);
    if !path.exists() {
        bail!("no {} in {}", file, dir.display());
    }
    let store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let passphrase = secrets.next("the manager's passphrase")?;
    let opened =
        OpenStore::unlock_as_manager(store, &Passphrase::new(passphrase.as_str()), Utc::now())
            .map_err(|failure| anyhow::anyhow!("{}", failure.error))?;
    tracing::info!("{file} unlocked by a manager's passphrase");
    Ok(opened)
}

/// `kiosk verify` / `desk verify`: the whole database checked (every row's tag, every patient's
/// consent chain, the audit chain to its head). A failure names the table and row; exit 1.
fn verify(store: &OpenStore) -> Result<()> {
    let rows = store
        .verify_everything()
        .context("the database failed its check")?;
    println!(
        "every row, reference, consent chain and the audit chain checked: {rows} rows and entries, all sound"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::{counted, error_text};

    #[test]
    fn a_count_of_one_takes_the_singular_whatever_its_type() {
        assert_eq!(counted(1usize, "form", "forms"), "1 form");
        assert_eq!(counted(0usize, "form", "forms"), "0 forms");
        assert_eq!(counted(1i64, "day", "days"), "1 day");
        assert_eq!(counted(-1i64, "day", "days"), "-1 days");
        assert_eq!(
            counted(1u64, "audit entry", "audit entries"),
            "1 audit entry"
        );
        assert_eq!(counted(8u32, "year", "years"), "8 years");
    }

    #[test]
    fn an_error_says_each_cause_once() {
        // An error that names its own cause, as `ExchangeError::Io` does, with context above it.
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let io = intake_kiosk::exchange::ExchangeError::Io {
            path: "/srv/outbox".into(),
            source: missing,
        };
        let error = Err::<(), _>(io).context("importing").unwrap_err();
        let said = error_text(&error);
        assert_eq!(said.matches("not found").count(), 1, "{said}");
        assert!(said.starts_with("importing: /srv/outbox: "), "{said}");
        // A cause its error does not name is still said.
        let plain = anyhow::anyhow!("disk gone").context("backing up");
        assert_eq!(error_text(&plain), "backing up: disk gone");
    }
}
