//! `intake-kiosk kiosk …` and `intake-kiosk desk …`: every sync and back-office action as a
//! scriptable subcommand. Passphrases and PINs come from `--secrets FILE` or stdin, one per line.

mod desk;
mod desk_rights;
mod kiosk;
mod progress;
mod secrets;
mod staff_keys;

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use intake_kiosk::store::{Actor, OpenStore, Store};
use intake_kiosk::vault::Passphrase;

pub use secrets::SecretSource;

pub const USAGE: &str = "usage:
  intake-kiosk kiosk status      [--data-dir DIR]
  intake-kiosk kiosk pair-start  [--data-dir DIR]            shows the pairing QR code and its text
  intake-kiosk kiosk pair-finish [--data-dir DIR] --from EXCHANGE [--confirm CODE]   shows the code to type at the desk
  intake-kiosk kiosk pair-confirm [--data-dir DIR] --code CODE       (the code the desk showed on confirming)
  intake-kiosk kiosk export      [--data-dir DIR] --to EXCHANGE
  intake-kiosk kiosk receipts    [--data-dir DIR] --from EXCHANGE
  intake-kiosk kiosk unpair      [--data-dir DIR]
  intake-kiosk kiosk verify      [--data-dir DIR]   checks every row, consent chain and the audit chain
  intake-kiosk kiosk settings    [--data-dir DIR]   every setting: its value, default and what it does
  intake-kiosk desk init         [--data-dir DIR] --clinic NAME --manager NAME   (passphrase twice, PIN)
  intake-kiosk desk pair         [--data-dir DIR] (--code TEXT | --qr-image PICTURE) --exchange EXCHANGE [--replace]
                                 pairs the kiosk WAITING FOR CONFIRMATION; --replace: a known kiosk id gets the
                                 new key (never a revoked one: a re-installed tablet pairs under a new id)
  intake-kiosk desk pair         [--data-dir DIR] [--kiosk ID] --confirm CODE   (the code the kiosk shows)
  intake-kiosk desk kiosks       [--data-dir DIR]                    (each kiosk: waiting / confirmed / revoked)
  intake-kiosk desk verify       [--data-dir DIR]   checks every row, consent chain and the audit chain
  intake-kiosk desk revoke       [--data-dir DIR] --kiosk ID
  intake-kiosk desk import       [--data-dir DIR] --from EXCHANGE --outbox DIR
  intake-kiosk desk find         [--data-dir DIR] --given NAME --family NAME --dob YYYY-MM-DD
  intake-kiosk desk consents     [--data-dir DIR] --patient ID
  intake-kiosk desk withdraw     [--data-dir DIR] --patient ID --item ITEM  (e.g. marketing_sms)
  intake-kiosk desk marketing-list [--data-dir DIR] --channel email|sms|whatsapp --to FILE.csv
  intake-kiosk desk record       [--data-dir DIR] --patient ID        (need-to-know view; logged)
  intake-kiosk desk access-history [--data-dir DIR] --patient ID      (who opened this record)
  intake-kiosk desk access-export [--data-dir DIR] --patient ID --to DIR   (JSON, FHIR R4, HTML)
  intake-kiosk desk amend-details [--data-dir DIR] --patient ID --reason TEXT [--given --family --dob --postcode --email --phone]
  intake-kiosk desk merge        [--data-dir DIR] --into ID --from ID --reason TEXT   (a duplicate record into the right one; managers)
  intake-kiosk desk amend-answer [--data-dir DIR] --submission ID --question QID --value TEXT --reason TEXT
  intake-kiosk desk restrict|unrestrict [--data-dir DIR] --patient ID
  intake-kiosk desk erase        [--data-dir DIR] --patient ID [--statement FILE]
  intake-kiosk desk retention    [--data-dir DIR]                     (erases what passed retention)
  intake-kiosk desk request      [--data-dir DIR] --kind KIND --requester TEXT --identity-check TEXT [--patient ID] [--received YYYY-MM-DD] [--notes TEXT]
  intake-kiosk desk requests     [--data-dir DIR]
  intake-kiosk desk request-extend [--data-dir DIR] --id ID --months 1|2 --reason TEXT
  intake-kiosk desk request-close  [--data-dir DIR] --id ID --status done|refused --outcome TEXT
  intake-kiosk desk breach       [--data-dir DIR] --what TEXT --risk unlikely|risk|high [--discovered TIME] [--staff ID --from TIME --until TIME]
  intake-kiosk desk breaches     [--data-dir DIR]
  intake-kiosk desk breach-reported [--data-dir DIR] --id ID --reference TEXT
  intake-kiosk desk audit        [--data-dir DIR] [--patient ID | --staff ID]
  intake-kiosk desk flags        [--data-dir DIR] [--days N]
  intake-kiosk desk set          [--data-dir DIR] --key KEY --value VALUE  (hours.time_zone, retention.adult_years, flags.records, hours.opens…)
  intake-kiosk desk settings     [--data-dir DIR]   every setting: its value, default and what it does
  intake-kiosk desk window       [--data-dir DIR | --demo yes] [--exports DIR]   (the desk's window for staff)
  intake-kiosk desk add-staff    [--data-dir DIR] --name NAME --role clinician|reception  (passphrase, then the PIN)
Secrets (the manager's passphrase, and for `desk init` the new passphrase twice and a PIN) are
read one per line from --secrets FILE, or from stdin.
Staff and keys: kiosk|desk change-passphrase | add-manager --name NAME | retire-staff --staff ID
  | reset-pin --staff ID | change-pin [--staff ID] | rotate-key | new-recovery-key (see README).";

/// Options that take no value.
const FLAGS: &[&str] = &["replace"];

/// `--name value` options and bare flags (`FLAGS`) after the subcommand.
pub struct Opts {
    values: HashMap<String, String>,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Opts> {
        let mut values = HashMap::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--") else {
                bail!("unexpected argument {arg:?}\n{USAGE}");
            };
            if FLAGS.contains(&name) {
                values.insert(name.to_owned(), String::new());
                continue;
            }
            let value = it
                .next()
                .with_context(|| format!("--{name} needs a value"))?;
            values.insert(name.to_owned(), value.clone());
        }
        Ok(Opts { values })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether the bare flag `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn need(&self, name: &str) -> Result<&str> {
        self.get(name)
            .with_context(|| format!("--{name} is needed\n{USAGE}"))
    }

    pub fn path(&self, name: &str) -> Result<PathBuf> {
        self.need(name).map(PathBuf::from)
    }

    fn data_dir(&self) -> PathBuf {
        self.get("data-dir")
            .map(PathBuf::from)
            .unwrap_or_else(crate::default_data_dir)
    }

    pub fn secrets(&self) -> Result<SecretSource> {
        SecretSource::new(self.get("secrets").map(std::path::Path::new))
    }
}

/// Runs `kiosk …` or `desk …`; `args` start after the program name.
pub fn run(args: &[String]) -> Result<()> {
    let (Some(side), Some(command)) = (args.first(), args.get(1)) else {
        bail!("{USAGE}");
    };
    let opts = Opts::parse(&args[2..])?;
    if let Some(done) = staff_keys::dispatch(side, command, &opts) {
        return done;
    }
    match side.as_str() {
        "kiosk" => kiosk::run(command, &opts),
        "desk" => desk::run(command, &opts),
        _ => bail!("{USAGE}"),
    }
}

/// Opens `file` in the data folder with a manager's passphrase from the secrets input.
fn open_as_manager(opts: &Opts, file: &str) -> Result<(OpenStore, Actor)> {
    let path = opts.data_dir().join(file);
    if !path.exists() {
        bail!("no {} in {}", file, opts.data_dir().display());
    }
    let store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let passphrase = opts.secrets()?.next("the manager's passphrase")?;
    OpenStore::unlock_as_manager(store, &Passphrase::new(passphrase.as_str()), Utc::now())
        .map_err(|failure| anyhow::anyhow!("{}", failure.error))
}

/// `kiosk verify` / `desk verify`: the whole database checked (every row's tag, every patient's
/// consent chain, the audit chain to its head). A failure names the table and row; exit 1.
/// `kiosk settings` / `desk settings`: every known setting, its stored value and its default.
fn settings(store: &OpenStore) -> Result<()> {
    let rows = store.settings_listing()?;
    print!("{}", intake_kiosk::settings::listing_text(&rows));
    Ok(())
}

fn verify(store: &OpenStore) -> Result<()> {
    let rows = store
        .verify_everything()
        .context("the database failed its check")?;
    println!(
        "every row, consent chain and the audit chain checked: {rows} rows and entries, all sound"
    );
    Ok(())
}
