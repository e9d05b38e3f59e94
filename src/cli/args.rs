//! The command line, declared once (clap derive): every command, every flag, what it does and
//! the values it takes. Parsing refuses an unknown command or flag (with a suggestion), a missing
//! or bad value, before any database is opened or any secret asked for; the man page and the
//! shell completions are generated from these same declarations (`man`, `completions`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod rights;
pub use rights::RightsCommand;

/// Shown under every `--help`, and in the README.
pub const EXIT_CODES: &str = "Exit codes:
  0  done
  1  failed (nothing of the failed action was changed; the message says why)
  2  usage error: an unknown command or flag, a missing or bad value (nothing was opened)
  3  partly done: e.g. some bundles were refused while the others were imported";

const SECRETS_HELP: &str = "Secrets (passphrases, PINs) are never command-line arguments. They come from --secrets FILE \
(one per line), else from $CREDENTIALS_DIRECTORY/secrets (a systemd credential, LoadCredential=secrets:…), \
else they are asked for at a terminal without echo, else read one per line from stdin. \
A patient's details (names, date of birth, contact details, an answer, request and breach notes) \
given as - are read from the same input after the secrets, one per line in the order of the \
options below: any user of the machine can read a command line.";

#[derive(Parser, Debug)]
#[command(
    name = "intake-kiosk",
    version,
    about = "A touchscreen patient intake kiosk and its back office (desk).",
    long_about = "A touchscreen patient intake kiosk and its back office (desk).\n\n\
        Without a command: the kiosk's window (full screen). `kiosk …` and `desk …` run one \
        action each for scripts and the back office; `desk window` is the desk's window for staff.",
    after_help = EXIT_CODES,
    args_conflicts_with_subcommands = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub window: KioskWindowArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The kiosk's window (no command given).
#[derive(Args, Debug)]
pub struct KioskWindowArgs {
    /// A ready demo clinic in a throwaway folder (staff and PINs in the README), deleted on exit
    #[arg(long)]
    pub demo: bool,
    /// Where the encrypted database lives [default: $STATE_DIRECTORY, else
    /// $XDG_DATA_HOME/intake-kiosk, else ~/.local/share/intake-kiosk]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Do not go full screen (development)
    #[arg(long)]
    pub windowed: bool,
    /// Use this form definition for this run (JSON, see src/forms/default_form.json); a file that
    /// fails its checks is reported and the stored (or built-in) form is used
    #[arg(long, value_name = "FILE")]
    pub form: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The tablet's sync, check and backup actions, for device-management scripts
    Kiosk {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        command: KioskCommand,
    },
    /// The back office: pairing, import, patients' rights, oversight, settings, backup, its window
    Desk {
        #[command(flatten)]
        common: Common,
        #[command(subcommand)]
        command: DeskCommand,
    },
    /// Writes the man pages (intake-kiosk.1 and one per command) into a folder
    Man {
        /// The folder to write them into (created if missing)
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Prints the shell completion script for SHELL on stdout
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The whole command line, with the secrets and exit-code notes under every command's `--help`
/// (clap does not pass `after_help` down): parse, man pages and completions all use this.
pub fn command() -> clap::Command {
    fn with_notes(cmd: clap::Command) -> clap::Command {
        let notes = if cmd.get_name() == "intake-kiosk"
            || ["man", "completions"].contains(&cmd.get_name())
        {
            EXIT_CODES.to_owned()
        } else {
            after_help()
        };
        cmd.after_help(notes).mut_subcommands(with_notes)
    }
    with_notes(<Cli as clap::CommandFactory>::command())
}

/// Parses the process's arguments; a usage error exits 2 (`--help`, `--version`: 0) here.
pub fn parse() -> Cli {
    let mut command = command();
    let matches = command.get_matches_mut();
    let cli =
        <Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Err(refused) = typed_values(&cli) {
        command
            .error(clap::error::ErrorKind::ValueValidation, refused)
            .exit();
    }
    cli
}

/// What clap's one-value parsers cannot check, checked as they are (usage, exit 2) before any
/// passphrase is asked for: a setting's value, which depends on its key. The rule is the
/// settings table's ([`intake_kiosk::settings::validate_for`]), as the store applies it.
fn typed_values(cli: &Cli) -> Result<(), intake_kiosk::settings::SettingError> {
    use intake_kiosk::settings::{App, validate_for};
    match &cli.command {
        Some(Command::Kiosk {
            command: KioskCommand::Set { key, value },
            ..
        }) => validate_for(App::Kiosk, key, value).map(drop),
        Some(Command::Desk {
            command: DeskCommand::Rights(RightsCommand::Set { key, value }),
            ..
        }) => validate_for(App::Desk, key, value).map(drop),
        _ => Ok(()),
    }
}

/// A date of birth as YYYY-MM-DD, by the rule the forms use, refused in the desk window's words.
pub(super) fn date_of_birth(text: &str) -> Result<String, String> {
    if text.trim() == super::secrets::FROM_INPUT {
        return Ok(text.trim().to_owned());
    }
    intake_kiosk::forms::identity::parse_date_of_birth(text)
        .map(|_| text.trim().to_owned())
        .map_err(|_| intake_kiosk::desk::SearchProblem::NotADate.to_string())
}

/// An email address by the rule the kiosk's form and the store use, or empty for none.
pub(super) fn email_or_none(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() || text == super::secrets::FROM_INPUT {
        return Ok(String::new());
    }
    intake_kiosk::forms::check_email(text)
        .map(|()| text.to_owned())
        .map_err(|_| "an email address, written as name@example.com (or empty for none)".to_owned())
}

fn after_help() -> String {
    format!("{SECRETS_HELP}\n\n{EXIT_CODES}")
}

/// Flags every `kiosk …` / `desk …` command takes, before or after the command name.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// The data folder [default: $STATE_DIRECTORY, else $XDG_DATA_HOME/intake-kiosk, else
    /// ~/.local/share/intake-kiosk]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Read the secrets (passphrases, PINs) from FILE, one per line
    #[arg(long, global = true, value_name = "FILE")]
    pub secrets: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum KioskCommand {
    /// What waits to be sent, what was delivered, and the pairing
    Status,
    /// Shows the pairing QR code and its text (scan it at the desk)
    PairStart,
    /// Reads the desk's answer from the exchange folder and shows the code to type at the desk
    PairFinish {
        /// The exchange folder (e.g. the USB stick)
        #[arg(long, value_name = "EXCHANGE")]
        from: PathBuf,
        /// The code the desk showed: confirms the pairing at once when it matches
        #[arg(long, value_name = "CODE")]
        confirm: Option<String>,
    },
    /// Withdraws the pairing code shown by pair-start before its answer is read: the code, or a
    /// photo of it, no longer pairs a desk. Logged
    PairCancel,
    /// Confirms the pairing with the code the desk showed on confirming
    PairConfirm {
        /// The six-digit code the desk shows
        #[arg(long, value_name = "CODE")]
        code: String,
    },
    /// Seals the waiting forms into a bundle in the exchange folder
    Export {
        /// The exchange folder
        #[arg(long, value_name = "EXCHANGE")]
        to: PathBuf,
    },
    /// Reads the desk's receipts; delivered forms are removed from this kiosk
    Receipts {
        /// The exchange folder
        #[arg(long, value_name = "EXCHANGE")]
        from: PathBuf,
    },
    /// Forgets the desk: nothing more is exported until a new pairing is confirmed
    Unpair,
    /// Confirms that the clock is right although it reads behind what this kiosk recorded (a
    /// clock that ran ahead, put right): handovers start again. Logged. Not for a clock that was
    /// set back: set the date and time instead
    ConfirmClock,
    /// Gives this tablet a new kiosk id and keys (the old ones are deleted) and forgets the desk:
    /// for a kiosk the desk revoked, or one restored from a backup. Pair again afterwards; the
    /// desk pairs it as a new kiosk and takes each form it has not received once
    NewId,
    /// Checks every row, reference, consent chain and the audit chain (exit 1 naming the first
    /// failure)
    Verify,
    /// Every setting: its value, its default and what it does
    Settings,
    /// Sets a setting (checked before it is stored; `kiosk settings` lists them), e.g.
    /// kiosk.handover_idle_seconds, kiosk.staff_idle_seconds; the tablet reads them on opening
    Set {
        /// The setting
        #[arg(long, value_name = "KEY")]
        key: String,
        /// Its new value
        #[arg(long, value_name = "VALUE")]
        value: String,
    },
    #[command(flatten)]
    Backup(BackupCommand),
    #[command(flatten)]
    StaffKeys(StaffKeysCommand),
}

/// Staff and key administration, the same for kiosk and desk. The first secret is the
/// passphrase of the manager acting (or, for change-pin, of any manager opening the database;
/// for reset-passphrase, the recovery key).
#[derive(Subcommand, Debug)]
pub enum StaffKeysCommand {
    /// Changes your passphrase (secrets: the current one, then the new one twice; at least 12
    /// characters, not the old one, not a common phrase)
    ChangePassphrase,
    /// A manager forgot their passphrase: opens with the recovery key printed at setup and sets
    /// their passphrase anew (secrets: the recovery key, then the new passphrase twice)
    ResetPassphrase {
        /// The manager's id (default: the only active manager; with several, the error lists
        /// them)
        #[arg(long, value_name = "ID")]
        staff: Option<String>,
    },
    /// Adds a manager with their own passphrase and PIN (secrets: yours, then theirs twice, then
    /// their PIN)
    AddManager {
        /// The new manager's name
        #[arg(long, value_name = "NAME")]
        name: String,
    },
    /// Retires a staff member: they can no longer sign in; their name stays in the history (a
    /// manager's key wrap is deleted at once; the last manager cannot be retired)
    RetireStaff {
        /// The staff member's id (see `desk audit` or the staff list)
        #[arg(long, value_name = "ID")]
        staff: String,
    },
    /// Sets a new PIN for someone else (secrets: yours, then the new PIN twice)
    ResetPin {
        /// The staff member's id
        #[arg(long, value_name = "ID")]
        staff: String,
    },
    /// Changes a PIN with the current one (secrets: a manager's passphrase, the current PIN, then
    /// the new PIN twice)
    ChangePin {
        /// Whose PIN (default: the manager opening)
        #[arg(long, value_name = "ID")]
        staff: Option<String>,
    },
    /// A new random data key: every sealed value, index and tag redone in one transaction (secrets:
    /// yours, then one line per other active manager, each their current passphrase, in any
    /// order; at a terminal each is asked for by name); prints the new recovery key
    RotateKey,
    /// A new recovery key, shown once; the old one stops working at once
    NewRecoveryKey,
}

/// Backup and restore, the same for kiosk and desk.
#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// A consistent copy of the database (safe while the window is open), checked before "done":
    /// intake-kiosk-<role>-<time>.sqlite3, readable by its owner only
    Backup {
        /// The folder to write the backup into (e.g. a mounted backup disk); created if missing,
        /// unless --keep is given
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// For cron or a systemd timer: keep only the newest N backups of this role in DIR
        /// (older files named as this command names them are removed; nothing else is touched).
        /// DIR must then exist (an unmounted disk is not replaced by an empty folder) and must
        /// not be a symbolic link. The desk window's own schedule (settings backup.*) does the same
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=365))]
        keep: Option<u16>,
    },
    /// Restores a backup into an empty data folder (--data-dir), after checking the file and the
    /// passphrase
    Restore {
        /// The backup file (intake-kiosk-<role>-<time>.sqlite3)
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The newer database this backup replaces, when it is at hand: the erasure requests
        /// recorded after the backup was taken are listed, to be carried out again
        #[arg(long, value_name = "FILE")]
        newer: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeskCommand {
    /// Sets the desk up: a new database (the passphrase twice, then the manager's PIN)
    Init {
        /// The clinic's name
        #[arg(long, value_name = "NAME")]
        clinic: String,
        /// The first manager's name
        #[arg(long, value_name = "NAME")]
        manager: String,
    },
    /// Pairs a kiosk: first with its code or QR picture (it then waits for confirmation), then
    /// --confirm with the code the kiosk shows
    Pair {
        /// The kiosk's pairing text (IKP1:…)
        #[arg(long, value_name = "TEXT", conflicts_with_all = ["qr_image", "confirm"],
              required_unless_present_any = ["qr_image", "confirm"])]
        code: Option<String>,
        /// A photo or screenshot (PNG, JPEG) of the kiosk's pairing QR code
        #[arg(long, value_name = "PICTURE", conflicts_with = "confirm")]
        qr_image: Option<PathBuf>,
        /// The exchange folder the answer is written to, and (with --confirm) where the kiosk
        /// left its pairing nonce (default: the setting exchange_folder)
        #[arg(long, value_name = "EXCHANGE")]
        exchange: Option<PathBuf>,
        /// A known kiosk id gets the new key (never a revoked one: a re-installed tablet pairs
        /// under a new id)
        #[arg(long, conflicts_with = "confirm")]
        replace: bool,
        /// Second step: which kiosk to confirm (when several wait)
        #[arg(long, value_name = "ID", requires = "confirm")]
        kiosk: Option<String>,
        /// Second step: the six-digit code the kiosk shows
        #[arg(long, value_name = "CODE")]
        confirm: Option<String>,
    },
    /// Each kiosk (waiting / confirmed / revoked) and the bundles imported
    Kiosks,
    /// Checks every row, reference, consent chain and the audit chain (exit 1 naming the first
    /// failure)
    Verify,
    /// Every setting: its value, its default and what it does
    Settings,
    #[command(flatten)]
    StaffKeys(StaffKeysCommand),
    /// Revokes a kiosk: its bundles are refused from now on
    Revoke {
        /// The kiosk's id
        #[arg(long, value_name = "ID")]
        kiosk: String,
    },
    /// Imports every bundle in the exchange folder and writes receipts (exit 3 if some are refused)
    Import {
        /// The exchange folder [default: setting exchange_folder]
        #[arg(long, value_name = "EXCHANGE")]
        from: Option<PathBuf>,
        /// Where each imported form is written for the clinic's records system (FHIR, JSON,
        /// HTML) [default: setting outbox_folder]
        #[arg(long, value_name = "DIR")]
        outbox: Option<PathBuf>,
    },
    /// Finds a patient by name and date of birth (prints the ids)
    Find {
        /// Given name
        #[arg(long, value_name = "NAME")]
        given: String,
        /// Family name
        #[arg(long, value_name = "NAME")]
        family: String,
        /// Date of birth
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_of_birth)]
        dob: String,
    },
    /// A patient's consent history and current state
    Consents {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
    },
    /// Withdraws a granted consent
    Withdraw {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
        /// The consent item (e.g. marketing_sms, treatment)
        #[arg(long, value_name = "ITEM")]
        item: String,
    },
    /// The patients with a channel's marketing granted, as CSV
    MarketingList {
        /// The channel
        #[arg(long, value_parser = ["email", "sms", "whatsapp"])]
        channel: String,
        /// The CSV file to write (readable by its owner only)
        #[arg(long, value_name = "FILE.csv")]
        to: PathBuf,
    },
    /// Adds a staff member (the manager's passphrase, then the new PIN)
    AddStaff {
        /// Their name
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Their role
        #[arg(long, value_parser = ["clinician", "reception"])]
        role: String,
    },
    /// The desk's window for staff (the manager's passphrase, then a PIN per person)
    Window {
        /// A demo back office in a throwaway folder (passphrase and PINs in the README), deleted on
        /// exit; `--demo` alone means yes
        #[arg(long, num_args = 0..=1, default_missing_value = "yes", default_value = "no",
              value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set,
              value_name = "yes|no")]
        demo: bool,
        /// Where exports are written [default: DATA-DIR/exports]
        #[arg(long, value_name = "DIR")]
        exports: Option<PathBuf>,
    },
    #[command(flatten)]
    Backup(BackupCommand),
    #[command(flatten)]
    Rights(RightsCommand),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_declarations_are_consistent() {
        Cli::command().debug_assert();
    }
}
