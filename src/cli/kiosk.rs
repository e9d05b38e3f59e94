//! `intake-kiosk kiosk …`: the tablet's sync actions for device-management scripts.

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use intake_kiosk::exchange::kiosk_side;
use intake_kiosk::settings::App;
use intake_kiosk::store::{Actor, DeskLink, OpenStore, Withdrawal};

use super::args::{Common, KioskCommand};
use super::open_as_manager;
use super::progress::Progress;

const DB: &str = "kiosk.sqlite3";

pub fn run(command: KioskCommand, common: &Common) -> Result<()> {
    let command = match command {
        KioskCommand::Backup(backup) => return super::backup_or_restore(&backup, common, DB),
        KioskCommand::StaffKeys(staff_keys) => return super::staff_keys(staff_keys, common, DB),
        other => other,
    };
    let (store, actor) = open_as_manager(common, DB, &mut common.secrets()?)?;
    let now = Utc::now();
    match command {
        KioskCommand::Status => {
            let s = store.sync_status()?;
            println!("pending: {}", s.pending);
            println!("exported, awaiting receipt: {}", s.exported);
            println!("delivered and purged: {}", s.delivered);
            println!(
                "last export: {}",
                s.last_export_at.as_deref().unwrap_or("never")
            );
            println!(
                "last receipt: {}",
                s.last_delivery_at.as_deref().unwrap_or("never")
            );
            match &s.own_id {
                Some(id) => println!("this kiosk: {id}"),
                None => println!("this kiosk: no id yet (made at its first pairing)"),
            }
            match intake_kiosk::store::runs_behind(now, store.newest_recorded_time()?) {
                None => println!(
                    "clock: {} (not behind what this kiosk recorded)",
                    now.to_rfc3339()
                ),
                Some(passed) => println!(
                    "clock: {} is BEHIND {}, a time this kiosk has passed: no handover starts \
                     until the date and time are set (or, if the clock is right, kiosk confirm-clock)",
                    now.to_rfc3339(),
                    passed.to_rfc3339()
                ),
            }
            match s.desk {
                Some(d) => println!(
                    "paired with desk {} (code {}){}",
                    d.desk_id,
                    d.comparison_code,
                    if d.confirmed { "" } else { ", NOT confirmed" }
                ),
                None => println!("not paired"),
            }
        }
        KioskCommand::PairStart => {
            let (code, expires) = kiosk_side::start_pairing(&store, &actor, now)?;
            let qr = qrcode::QrCode::new(code.as_bytes())?;
            let picture = qr
                .render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build();
            println!("{picture}");
            println!("{}", code.as_str());
            eprintln!(
                "Scan this on the desk (intake-kiosk desk pair --code …) before {}.",
                expires.to_rfc3339()
            );
        }
        KioskCommand::PairFinish { from, confirm } => {
            let link = kiosk_side::read_pairing_answer(&store, &actor, &from, now)?;
            println!("comparison code: {}", link.comparison_code);
            match confirm.as_deref() {
                Some(seen) => confirm_if_same(&store, &actor, &link, seen, now)?,
                None => eprintln!(
                    "Type this code at the desk (intake-kiosk desk pair --confirm CODE). When the desk \
                     shows the same code, confirm here: intake-kiosk kiosk pair-confirm --code CODE \
                     (or on the tablet)."
                ),
            }
        }
        KioskCommand::PairCancel => match store.withdraw_pairing_offer(&actor, now)? {
            Withdrawal::Withdrawn(_) => {
                println!("pairing code withdrawn: it no longer pairs a desk")
            }
            Withdrawal::Answered(desk_id) => bail!(
                "no pairing code is open: its answer was read already (desk {desk_id}, codes not \
                 yet compared), so nothing was withdrawn; `kiosk unpair` drops that pairing"
            ),
            Withdrawal::NoneOpen => println!("no pairing code was open: nothing to withdraw"),
        },
        KioskCommand::PairConfirm { code } => {
            let link = store
                .desk_link()?
                .ok_or_else(|| anyhow::anyhow!("this kiosk is not paired: start pairing first"))?;
            let seen = code.as_str();
            if link.confirmed {
                println!("already paired with desk {}", link.desk_id);
            } else {
                confirm_if_same(&store, &actor, &link, seen, now)?;
            }
        }
        KioskCommand::Export { to } => {
            let mut progress = Progress::new("sealing");
            let done =
                kiosk_side::export(&store, &actor, &to, now, &mut |d, t| progress.update(d, t))?;
            match done {
                Some(e) => println!(
                    "bundle {} with {}: {}",
                    e.seq,
                    super::counted(e.submissions, "form", "forms"),
                    e.file.display()
                ),
                None => println!("nothing to export"),
            }
        }
        KioskCommand::Receipts { from } => {
            let read = kiosk_side::read_receipts(&store, &actor, &from, now)?;
            println!(
                "{} read; {} delivered and removed from this kiosk",
                super::counted(read.receipts, "receipt", "receipts"),
                super::counted(read.purged, "form", "forms")
            );
            if read.old_copies_remain {
                eprintln!("{}", intake_kiosk::store::OLD_COPIES_REMAIN);
            }
            for (file, why) in &read.refused {
                println!("{}: REFUSED: {why}", file.escape_debug());
            }
            if !read.refused.is_empty() {
                let message = format!(
                    "{} refused; each changed nothing",
                    super::counted(read.refused.len(), "receipt file", "receipt files")
                );
                if read.receipts > 0 {
                    // Some were applied: a script must tell this from a failure (exit 3).
                    return Err(super::PartlyDone(message).into());
                }
                anyhow::bail!(message);
            }
        }
        KioskCommand::NewId => {
            let (old, new) = kiosk_side::new_kiosk_id(&store, &actor, now)?;
            match old {
                Some(old) => println!("this tablet was kiosk {old} and is now kiosk {new}"),
                None => println!("this tablet is kiosk {new}"),
            }
            println!("not paired: pair it with the desk again (kiosk pair-start), as a new kiosk");
        }
        KioskCommand::ConfirmClock => {
            let newest = store.newest_recorded_time()?;
            if intake_kiosk::store::runs_behind(now, newest).is_none() {
                println!(
                    "the clock ({}) is not behind what this kiosk recorded: nothing to confirm",
                    now.to_rfc3339()
                );
            } else {
                store.confirm_clock(&actor, now)?;
                println!(
                    "clock confirmed as right at {}: handovers can start",
                    now.to_rfc3339()
                );
            }
        }
        KioskCommand::Unpair => {
            store.revoke_desk(&actor, now)?;
            println!("unpaired: nothing more is exported until a new pairing is confirmed");
        }
        KioskCommand::Verify => super::verify(&store)?,
        KioskCommand::Settings => super::settings(&store, App::Kiosk)?,
        KioskCommand::Set { key, value } => {
            // Checked before it is stored: a bad value, or a setting only the desk reads, is
            // refused and nothing is written.
            intake_kiosk::settings::validate_for(App::Kiosk, &key, &value)?;
            store.set_setting(&actor, &key, &value, now)?;
            let stored = store.setting(&key)?.unwrap_or_default();
            println!("{key} set to {stored}");
        }
        // Handled above: they open the store themselves.
        KioskCommand::Backup(_) | KioskCommand::StaffKeys(_) => {}
    }
    Ok(())
}

/// Confirms the pairing when the code the desk shows (`seen`, as typed: spaces optional) is this
/// kiosk's; otherwise refuses, the link left waiting.
fn confirm_if_same(
    store: &OpenStore, actor: &Actor, link: &DeskLink, seen: &str, now: DateTime<Utc>,
) -> Result<()> {
    if !intake_kiosk::sync::comparison_codes_match(&link.comparison_code, seen) {
        bail!(
            "the desk shows {seen:?} but this kiosk {:?}: not confirmed. If that is what the desk \
             shows, the two do not hold the same keys: start pairing again.",
            link.comparison_code
        );
    }
    kiosk_side::confirm_pairing(store, actor, now)?;
    println!("paired with desk {}", link.desk_id);
    Ok(())
}
