//! `intake-kiosk desk …`: the back office.

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use intake_kiosk::desk::actions::{self, ActionError, ListTo};
use intake_kiosk::exchange::desk_side::{self, BundleOutcome, KnownKiosk, PairingCode};
use intake_kiosk::store::{LinkState, OpenStore, SetupRequest, Store, StoreError, SyncRole};
use intake_kiosk::vault::{Passphrase, Pin};

use super::args::{Common, DeskCommand};
use super::progress::Progress;
use super::{PartlyDone, open_as_manager};
use intake_kiosk::settings::App;

const DB: &str = "desk.sqlite3";

pub fn run(command: DeskCommand, common: &Common) -> Result<()> {
    let command = match command {
        DeskCommand::Init { clinic, manager } => return init(common, &clinic, &manager),
        DeskCommand::Window { demo, exports } => return window(common, demo, exports.as_deref()),
        DeskCommand::Backup(backup) => return super::backup_or_restore(&backup, common, DB),
        DeskCommand::StaffKeys(staff_keys) => return super::staff_keys(staff_keys, common, DB),
        other => other,
    };
    let mut secrets = common.secrets()?;
    let (mut store, actor) = open_as_manager(common, DB, &mut secrets)?;
    let now = Utc::now();
    match command {
        DeskCommand::Pair {
            code,
            qr_image,
            exchange,
            replace,
            kiosk,
            confirm,
        } => match confirm {
            Some(typed) => {
                let confirmed = actions::confirm_kiosk(
                    &store,
                    &actor,
                    kiosk.as_deref(),
                    &typed,
                    exchange.as_deref(),
                    now,
                )?;
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
                // clap requires one of the two (args.rs).
                let code = zeroize::Zeroizing::new(code.unwrap_or_default());
                let code = match &qr_image {
                    Some(picture) => PairingCode::Picture(picture),
                    None => PairingCode::Text(&code),
                };
                let known = if replace {
                    KnownKiosk::Replace
                } else {
                    KnownKiosk::Refuse
                };
                let answered =
                    actions::pair_kiosk(&store, &actor, code, exchange.as_deref(), known, now)
                        .map_err(|e| match e {
                    ActionError::Store(known @ StoreError::KioskAlreadyPaired { .. }) => anyhow!(
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
        DeskCommand::Verify => super::verify(&store)?,
        DeskCommand::Settings => super::settings(&store, App::Desk)?,
        DeskCommand::Kiosks => {
            for k in store.kiosk_links()? {
                let code = match k.state() {
                    // Shown once confirmed: confirming means reading the kiosk's screen.
                    LinkState::Pending => "shown once confirmed".to_owned(),
                    // Revoked before it was confirmed: it never had a code.
                    _ if !k.confirmed => "none (never confirmed)".to_owned(),
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
        DeskCommand::Find { given, family, dob } => {
            let given = secrets.value(given, "the given name")?;
            let family = secrets.value(family, "the family name")?;
            let dob =
                secrets.checked_value(dob, "the date of birth", super::args::date_of_birth)?;
            for found in actions::search(&store, &actor, &given, &family, &dob, now)? {
                println!("{}", found.patient_id);
            }
        }
        DeskCommand::Consents { patient } => {
            let history = store.consent_history(&actor, &patient, now)?;
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
        DeskCommand::Withdraw { patient, item } => {
            let (patient, item) = (patient.as_str(), item.as_str());
            let event =
                actions::withdraw(&store, &actor, patient, item, now).map_err(|e| match e {
                    ActionError::Store(StoreError::NotFound) => {
                        anyhow!("patient {patient} has no granted {item:?} to withdraw")
                    }
                    other => other.into(),
                })?;
            println!("{item} withdrawn for {patient} at {}", event.recorded_at);
        }
        DeskCommand::MarketingList { channel, to } => {
            let channel = channel.as_str();
            let list = actions::marketing_list(&store, &actor, channel, ListTo::File(&to), now)?;
            println!(
                "{} with {channel} marketing granted: {}",
                super::counted(list.patients, "patient", "patients"),
                list.file.display()
            );
        }
        DeskCommand::AddStaff { name, role } => {
            let role = match role.as_str() {
                "clinician" => intake_kiosk::staff::Role::Clinician,
                "reception" => intake_kiosk::staff::Role::Reception,
                other => bail!("--role is clinician or reception, not {other:?}"),
            };
            // The line after the manager's passphrase, from the same source.
            let pin = secrets.next("the new staff member's PIN")?;
            let id = store
                .add_staff(&actor, &name, role, &Pin::new(pin.as_str()), now)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("staff member {id} added");
        }
        DeskCommand::Revoke { kiosk } => {
            actions::revoke_kiosk(&store, &actor, &kiosk, now)?;
            println!("kiosk {kiosk} revoked: its bundles are refused from now on");
        }
        DeskCommand::Import { from, outbox } => {
            let folders = actions::import_folders(&store, from.as_deref(), outbox.as_deref())?;
            let from = folders.exchange.clone();
            let mut bars: Option<(String, Progress)> = None;
            let outcomes = actions::import_bundles(
                &mut store,
                &actor,
                folders,
                now,
                &mut |file, done, total| {
                    if bars.as_ref().is_none_or(|(f, _)| f != file) {
                        bars = Some((file.to_owned(), Progress::new(file)));
                    }
                    if let Some((_, bar)) = bars.as_mut() {
                        bar.update(done, total);
                    }
                },
            )?
            .outcomes;
            // A bar left part-way (a bundle refused in the middle) ends its line first.
            drop(bars);
            let (mut refused, mut not_acknowledged) = (0, 0);
            for outcome in &outcomes {
                match outcome {
                    BundleOutcome::Refused { file, .. } if outcome.already_imported() => println!(
                        "{file}: imported before; the kiosk removes it once it reads its receipt"
                    ),
                    BundleOutcome::Imported {
                        file,
                        report,
                        receipt,
                        receipt_error,
                        ..
                    } => match receipt_error {
                        None => println!(
                            "{file}: {}, {} already held; receipt {}",
                            super::counted(report.added.len(), "new form", "new forms"),
                            report.duplicates.len(),
                            receipt.display()
                        ),
                        Some(e) => {
                            not_acknowledged += 1;
                            println!(
                                "{file}: {}, {} already held; stored, but its receipt was not written ({e}): the kiosk keeps the forms until it has one",
                                super::counted(report.added.len(), "new form", "new forms"),
                                report.duplicates.len(),
                            );
                        }
                    },
                    BundleOutcome::Refused { file, error } => {
                        refused += 1;
                        println!("{file}: REFUSED: {error}");
                    }
                }
            }
            if outcomes.is_empty() {
                println!("no bundles in {}", from.display());
            }
            let mut said = Vec::new();
            if refused > 0 {
                said.push(format!(
                    "{} refused; nothing of them was imported",
                    super::counted(refused, "bundle", "bundles")
                ));
            }
            if not_acknowledged > 0 {
                said.push(format!(
                    "{} stored but not acknowledged: import again once the exchange folder can \
                     be written to, and their receipts are written then",
                    super::counted(not_acknowledged, "bundle", "bundles")
                ));
            }
            if !said.is_empty() {
                let message = said.join("; ");
                if refused < outcomes.len() {
                    // Some were imported: a script must tell this from a failure (exit 3).
                    return Err(PartlyDone(message).into());
                }
                bail!(message);
            }
        }
        DeskCommand::Rights(rights) => {
            // The window's export folder (`desk window` without --exports): an erasure removes
            // the patient's access export from it.
            let exports = common.data_dir()?.join("exports");
            super::desk_rights::run(rights, &store, &actor, &exports, &mut secrets)?
        }
        // Handled above, before the store was opened.
        DeskCommand::Init { .. }
        | DeskCommand::Window { .. }
        | DeskCommand::Backup(_)
        | DeskCommand::StaffKeys(_) => {}
    }
    Ok(())
}

fn init(common: &Common, clinic: &str, manager: &str) -> Result<()> {
    let dir = common.data_dir()?;
    let path = dir.join(DB);
    let store = Store::open_for(&path, SyncRole::Desk)
        .with_context(|| format!("creating {}", path.display()))?;
    let mut secrets = common.secrets()?;
    let passphrase = secrets.next("the new manager passphrase")?;
    let repeat = secrets.next("the passphrase again")?;
    let pin = secrets.next("the manager's PIN")?;
    let result = OpenStore::setup(
        store,
        SetupRequest {
            clinic_name: clinic.to_owned(),
            manager_name: manager.to_owned(),
            manager_passphrase: Passphrase::new(passphrase.as_str()),
            manager_passphrase_again: Passphrase::new(repeat.as_str()),
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
fn window(_: &Common, _: bool, _: Option<&std::path::Path>) -> Result<()> {
    bail!(
        "this intake-kiosk was built without its window (the `ui` feature): `desk window` is not here"
    )
}

/// The desk's window for staff: opened with a manager's passphrase, then a PIN per person.
#[cfg(feature = "ui")]
fn window(common: &Common, demo: bool, exports: Option<&std::path::Path>) -> Result<()> {
    let (dir, demo) = if demo {
        let dir = intake_kiosk::demo::demo_dir().context("making the demo folder")?;
        intake_kiosk::demo::create_demo_desk(&dir.join(DB))?;
        eprintln!(
            "Demo back office in {} — passphrase \"{}\"; staff PINs in the README.",
            dir.display(),
            intake_kiosk::demo::DEMO_PASSPHRASE
        );
        (dir, true)
    } else {
        (common.data_dir()?, false)
    };
    let path = dir.join(DB);
    if !demo && !path.exists() {
        bail!(
            "no {DB} in {}: set the desk up with `intake-kiosk desk init` first",
            dir.display()
        );
    }
    let store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let exports = exports.map_or_else(|| dir.join("exports"), std::path::Path::to_path_buf);
    // The staff's language from the environment, for the window and the desk's own text alike.
    let language = intake_kiosk::i18n::language_from_env();
    let _ = slint::select_bundled_translation(language);
    let desk = intake_kiosk::desk::Desk::new(store, exports, Utc::now()).with_language(language);
    let ui = intake_kiosk::ui::DeskUi::new(
        desk,
        std::sync::Arc::new(Utc::now),
        intake_kiosk::ui::WorkMode::Background,
    )?;
    #[cfg(feature = "probe")]
    let _probe = intake_kiosk::ui::probe::start(&ui.window, intake_kiosk::ui::probe::desk_header);
    crate::stop_signals::quit_event_loop_on_signals()?;
    let lost = intake_kiosk::ui::WindowLost::watch(slint::ComponentHandle::window(&ui.window));
    tracing::info!(demo, "desk window started");
    let result = ui.run();
    // The desk (its store and keys) goes with the window.
    drop(ui);
    tracing::info!("desk window stopped");
    if demo {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result?;
    if lost.happened() {
        bail!("another program destroyed the desk's window: the desk was closed");
    }
    Ok(())
}
