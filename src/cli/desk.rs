//! `intake-kiosk desk …`: the back office.

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use intake_kiosk::exchange::ExchangeError;
use intake_kiosk::exchange::desk_side::{self, BundleOutcome, KnownKiosk};
use intake_kiosk::exchange::files;
use intake_kiosk::store::{LinkState, OpenStore, SetupRequest, Store, StoreError};
use intake_kiosk::vault::{Passphrase, Pin};

use super::progress::Progress;
use super::{Opts, USAGE, open_as_manager};

const DB: &str = "desk.sqlite3";

pub fn run(command: &str, opts: &Opts) -> Result<()> {
    match command {
        "init" => return init(opts),
        "window" => return window(opts),
        _ => {}
    }
    let (mut store, actor) = open_as_manager(opts, DB)?;
    let now = Utc::now();
    match command {
        "pair" => match opts.get("confirm") {
            Some(_) if opts.get("code").is_some() || opts.get("qr-image").is_some() => bail!(
                "--confirm is the second step: first `desk pair --code …`, then, with the code the kiosk shows, `desk pair --confirm CODE`"
            ),
            Some(typed) => {
                let confirmed =
                    desk_side::confirm_pairing(&store, &actor, opts.get("kiosk"), typed, now)?;
                println!(
                    "comparison code: {} (the same as the kiosk shows)",
                    confirmed.comparison_code
                );
                println!(
                    "kiosk {} is paired with this desk (confirmed): its bundles are imported from now on",
                    confirmed.kiosk_id
                );
                eprintln!(
                    "On the kiosk, confirm too: \"Same code: pair\" (or `intake-kiosk kiosk pair-confirm --code CODE`)."
                );
            }
            None => {
                let code = match (opts.get("code"), opts.get("qr-image")) {
                    (Some(code), None) => zeroize::Zeroizing::new(code.to_owned()),
                    (None, Some(picture)) => desk_side::decode_qr_image(picture.as_ref())?,
                    _ => bail!("give --code TEXT or --qr-image PICTURE\n{USAGE}"),
                };
                let known = if opts.flag("replace") {
                    KnownKiosk::Replace
                } else {
                    KnownKiosk::Refuse
                };
                let answered = desk_side::answer_pairing(
                    &store,
                    &actor,
                    &code,
                    &opts.path("exchange")?,
                    known,
                    now,
                )
                .map_err(|e| match e {
                    ExchangeError::Store(known @ StoreError::KioskAlreadyPaired { .. }) => anyhow!(
                        "{known}.\nIf this is the same tablet pairing again, run the same command with --replace: \
                         its key is replaced (logged) and must be confirmed again. A tablet that was reset or \
                         re-installed pairs under a new id and needs no --replace."
                    ),
                    other => other.into(),
                })?;
                if answered.replaced {
                    println!(
                        "kiosk {}: its old key is replaced (logged)",
                        answered.kiosk_id
                    );
                }
                println!("answer written to {}", answered.file.display());
                println!(
                    "kiosk {} is paired, WAITING FOR CONFIRMATION: nothing from it is imported until a manager confirms it here",
                    answered.kiosk_id
                );
                eprintln!(
                    "Next, on the kiosk: read the back office's answer; it then shows a six-digit code.\n\
                     Type that code here: intake-kiosk desk pair --kiosk {} --confirm \"NNN NNN\"",
                    answered.kiosk_id
                );
            }
        },
        "verify" => super::verify(&store)?,
        "kiosks" => {
            for k in store.kiosk_links()? {
                let code = match k.state() {
                    // Shown once confirmed: confirming means reading the kiosk's screen.
                    LinkState::Pending => "shown once confirmed".to_owned(),
                    _ => k.comparison_code.clone(),
                };
                println!(
                    "{}  {}  code {}  paired {}{}  audit entries seen {}",
                    k.kiosk_id,
                    k.state().as_str().to_uppercase(),
                    code,
                    k.paired_at,
                    k.key_replaced_at
                        .as_deref()
                        .map(|at| format!("  key replaced {at}"))
                        .unwrap_or_default(),
                    k.audit_length
                );
            }
            for b in store.imported_bundles()? {
                println!(
                    "  bundle {} from {} imported {}: {} new, {} already held",
                    b.seq, b.kiosk_id, b.imported_at, b.added, b.duplicates
                );
            }
        }
        "find" => {
            for id in store.find_patients(
                &actor,
                opts.need("given")?,
                opts.need("family")?,
                opts.need("dob")?,
                now,
            )? {
                println!("{id}");
            }
        }
        "consents" => {
            let patient = opts.need("patient")?;
            let history = store.consent_history(&actor, patient, now)?;
            for e in &history {
                println!(
                    "{}  {:<20} {:<9} text {} v{} ({})",
                    e.recorded_at,
                    e.item_id,
                    format!("{:?}", e.decision).to_lowercase(),
                    e.text_hash
                        .trim_start_matches("sha256:")
                        .get(..12)
                        .unwrap_or(""),
                    e.text_version,
                    e.language
                );
            }
            for (item, decision) in intake_kiosk::forms::current_state(&history) {
                println!("now: {item} = {}", format!("{decision:?}").to_lowercase());
            }
        }
        "withdraw" => {
            let (patient, item) = (opts.need("patient")?, opts.need("item")?);
            let event =
                store
                    .withdraw_consent(&actor, patient, item, now)
                    .map_err(|e| match e {
                        intake_kiosk::store::StoreError::NotFound => {
                            anyhow::anyhow!("patient {patient} has no granted {item:?} to withdraw")
                        }
                        other => other.into(),
                    })?;
            println!("{item} withdrawn for {patient} at {}", event.recorded_at);
        }
        "marketing-list" => {
            let channel = opts.need("channel")?;
            let (csv, count) =
                intake_kiosk::exchange::marketing::marketing_csv(&store, &actor, channel, now)?;
            let to = opts.path("to")?;
            files::write_to_path(&to, csv.as_bytes(), files::Readers::OwnerOnly)?;
            println!(
                "{count} patients with {channel} marketing granted: {}",
                to.display()
            );
        }
        "add-staff" => {
            let role = match opts.need("role")? {
                "clinician" => intake_kiosk::staff::Role::Clinician,
                "reception" => intake_kiosk::staff::Role::Reception,
                other => bail!("--role is clinician or reception, not {other:?}"),
            };
            let pin = opts.secrets()?.next("the new staff member's PIN")?;
            let id = store
                .add_staff(
                    &actor,
                    opts.need("name")?,
                    role,
                    &Pin::new(pin.as_str()),
                    now,
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("staff member {id} added");
        }
        "revoke" => {
            let kiosk = opts.need("kiosk")?;
            store.revoke_kiosk(&actor, kiosk, now)?;
            println!("kiosk {kiosk} revoked: its bundles are refused from now on");
        }
        "import" => {
            let (from, outbox) = (opts.path("from")?, opts.path("outbox")?);
            let mut bars: Option<(String, Progress)> = None;
            let outcomes = desk_side::import_folder(
                &mut store,
                &actor,
                &from,
                &outbox,
                now,
                &mut |file, done, total| {
                    if bars.as_ref().is_none_or(|(f, _)| f != file) {
                        bars = Some((file.to_owned(), Progress::new(file)));
                    }
                    if let Some((_, bar)) = bars.as_mut() {
                        bar.update(done, total);
                    }
                },
            )?;
            let mut failed = 0;
            for outcome in &outcomes {
                match outcome {
                    BundleOutcome::Imported {
                        file,
                        report,
                        receipt,
                        outbox_error,
                        ..
                    } => {
                        println!(
                            "{file}: {} new forms, {} already held; receipt {}",
                            report.added.len(),
                            report.duplicates.len(),
                            receipt.display()
                        );
                        if let Some(e) = outbox_error {
                            failed += 1;
                            println!("{file}: stored, but the outbox was not written: {e}");
                        }
                    }
                    BundleOutcome::Refused { file, error } => {
                        failed += 1;
                        println!("{file}: REFUSED: {error}");
                    }
                }
            }
            if outcomes.is_empty() {
                println!("no bundles in {}", from.display());
            }
            if failed > 0 {
                bail!("{failed} bundle(s) refused; nothing of them was imported");
            }
        }
        other => {
            if !super::desk_rights::run(other, &store, &actor, opts)? {
                bail!("unknown desk command {command:?}\n{USAGE}");
            }
        }
    }
    Ok(())
}

fn init(opts: &Opts) -> Result<()> {
    let dir = opts
        .get("data-dir")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(crate::default_data_dir);
    let path = dir.join(DB);
    let store = Store::open(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut secrets = opts.secrets()?;
    let passphrase = secrets.next("the new manager passphrase")?;
    let repeat = secrets.next("the passphrase again")?;
    if passphrase != repeat {
        bail!("the two passphrases are not the same");
    }
    let pin = secrets.next("the manager's PIN")?;
    let result = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: opts.need("clinic")?.to_owned(),
            manager_name: opts.need("manager")?.to_owned(),
            manager_passphrase: Passphrase::new(passphrase.as_str()),
            manager_pin: Pin::new(pin.as_str()),
            staff: Vec::new(),
        },
        Utc::now(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    desk_side::desk_keys(&result.store, &result.manager(), Utc::now())?;
    println!("desk set up in {}", path.display());
    println!(
        "recovery key (print it and keep it locked away; it is shown once): {}",
        result.recovery_key.to_printable().as_str()
    );
    Ok(())
}

/// A core-only build (`--no-default-features`) has no window.
#[cfg(not(feature = "ui"))]
fn window(_: &Opts) -> Result<()> {
    bail!(
        "this intake-kiosk was built without its window (the `ui` feature): `desk window` is not here"
    )
}

/// The desk's window for staff: opened with a manager's passphrase, then a PIN per person.
#[cfg(feature = "ui")]
fn window(opts: &Opts) -> Result<()> {
    let (dir, demo) = if opts.get("demo").is_some_and(|v| v != "no") {
        let dir = intake_kiosk::demo::demo_dir();
        intake_kiosk::demo::create_demo_desk(&dir.join(DB))?;
        eprintln!(
            "Demo back office in {} — passphrase \"{}\"; staff PINs in the README.",
            dir.display(),
            intake_kiosk::demo::DEMO_PASSPHRASE
        );
        (dir, true)
    } else {
        (
            opts.get("data-dir")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(crate::default_data_dir),
            false,
        )
    };
    let path = dir.join(DB);
    if !demo && !path.exists() {
        bail!(
            "no {DB} in {}: set the desk up with `intake-kiosk desk init` first",
            dir.display()
        );
    }
    let store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let exports = opts
        .get("exports")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.join("exports"));
    // The staff's language from the environment, for the window and the desk's own text alike.
    let language = intake_kiosk::i18n::language_from_env();
    let _ = slint::select_bundled_translation(language);
    let desk = intake_kiosk::desk::Desk::new(store, exports, Utc::now()).with_language(language);
    let ui = intake_kiosk::ui::DeskUi::new(desk, std::rc::Rc::new(Utc::now))?;
    #[cfg(feature = "probe")]
    let _probe = intake_kiosk::ui::probe::start(&ui.window, intake_kiosk::ui::probe::desk_header);
    ui.run()?;
    if demo {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
