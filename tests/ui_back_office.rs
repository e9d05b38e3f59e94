//! The manager pairs the kiosk with the back office from staff home: the QR code the app draws
//! decodes (zbarimg, an independent decoder) to exactly the pairing code; the desk answers; the
//! codes are compared; forms are sent, imported, acknowledged and purged — all through the UI.

mod common;
mod ui_common;

use i_slint_backend_testing::{TestingBackend, TestingBackendOptions};
use intake_kiosk::exchange::desk_side::{self, BundleOutcome};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{Actor, OpenStore};
use intake_kiosk::ui::{BackOfficeAdapter, KioskAdapter, KioskUi};
use slint::ComponentHandle;
use std::path::Path;
use ui_common::*;

fn message(ui: &KioskUi) -> String {
    ui.window.global::<KioskAdapter>().get_message().to_string()
}

/// The pairing code of the offer the panel shows.
fn open_offer(ui: &KioskUi) -> String {
    ui.with_kiosk(|k| {
        k.back_office()
            .pairing_code
            .as_ref()
            .expect("an open offer")
            .to_string()
    })
}

/// The back office answers `code` (a kiosk id it does not know) and, once the tablet has read
/// the answer, confirms the code the tablet shows: returns the kiosk id and that code.
fn paired_at_the_desk(
    ui: &KioskUi, desk: &OpenStore, manager: &Actor, code: &str, exchange: &Path,
) -> (String, String) {
    let office = ui.window.global::<BackOfficeAdapter>();
    let now = chrono::Utc::now();
    let answered = desk_side::answer_pairing(
        desk,
        manager,
        code,
        exchange,
        desk_side::KnownKiosk::Refuse,
        now,
    )
    .expect("desk answers");
    click(ui, "Read the back office's answer");
    // The manager types the code the tablet shows at the desk; the desk agrees.
    let shown = office.get_code_to_compare().to_string();
    let confirmed = desk_side::confirm_pairing(
        desk,
        manager,
        Some(&answered.kiosk_id),
        &shown,
        exchange,
        now,
    )
    .expect("the desk confirms the tablet's code");
    assert_eq!(shown, confirmed.comparison_code);
    (answered.kiosk_id, shown)
}

#[test]
fn a_manager_pairs_sends_and_reads_receipts_from_staff_home() {
    slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: true,
        threading: false,
        renderer_name: Some("software".into()),
    })))
    .expect("testing platform");
    let dir = tempfile::tempdir().expect("tempdir");
    let exchange = dir.path().join("usb");
    let outbox = dir.path().join("outbox");
    let path = dir.path().join("kiosk.sqlite3");
    drop(intake_kiosk::demo::create_demo_clinic(&path).expect("demo clinic"));
    let ui = new_kiosk(&path);
    ui.with_kiosk(|k| k.unlock(intake_kiosk::demo::DEMO_PASSPHRASE));

    // One form filled by a patient.
    enter_pin(&ui, "Chris (clinician)", "918273");
    click(&ui, "Hand over for a new patient");
    ui.with_kiosk(|k| {
        for (q, v) in [
            ("given_name", "Ada"),
            ("family_name", "Lovelace"),
            ("date_of_birth", "1985-12-10"),
            ("postcode", "SW1A 1AA"),
        ] {
            k.set_text(q, v);
        }
        k.set_yes_no("conditions_any", false);
        k.set_yes_no("pregnant", false);
        k.set_yes_no("allergies_any", false);
        k.set_consent("treatment", true);
        for _ in 0..20 {
            k.next_step();
        }
        k.sign_point(5.0, 5.0, true);
        k.submit();
        k.receipt_done();
    });

    enter_pin(&ui, "Maya (manager)", "402718");
    click(&ui, "Back office");
    let office = ui.window.global::<BackOfficeAdapter>();
    assert_eq!(office.get_pending(), 1);
    assert!(!office.get_paired());
    // A code shown before the folder is chosen is replaced by the next one, picture and all.
    click(&ui, "Start pairing");
    assert!(office.get_pairing_open());
    click(&ui, "Read the back office's answer");
    assert!(
        message(&ui).contains("exchange folder first"),
        "{}",
        message(&ui)
    );
    // A folder typed without its full path is refused in words, and nothing is kept.
    type_into(&ui, "Exchange folder (USB stick or shared folder)", "usb");
    click(&ui, "Use this folder");
    assert_eq!(
        message(&ui),
        "The exchange folder must be a full path starting with /, such as /media/usb."
    );
    assert_eq!(office.get_folder(), "");
    // A full path neither there nor makeable where it says (a stick not in, a slip) is refused.
    let slip = dir.path().join("no-stick").join("exchange");
    type_into(
        &ui,
        "Exchange folder (USB stick or shared folder)",
        slip.to_str().unwrap(),
    );
    click(&ui, "Use this folder");
    assert_eq!(
        message(&ui),
        "Neither that folder nor the one it would be made in exists. Check the path, and that the USB stick is in."
    );
    assert_eq!(office.get_folder(), "");
    type_into(
        &ui,
        "Exchange folder (USB stick or shared folder)",
        exchange.to_str().unwrap(),
    );
    click(&ui, "Use this folder");
    assert_eq!(office.get_folder(), exchange.to_str().unwrap());
    // Said, with the folder as saved: the tap is not left unanswered.
    assert_eq!(
        message(&ui),
        format!(
            "Saved: pairing answers, forms and receipts now go through {}.",
            exchange.display()
        )
    );

    // A code shown and withdrawn (shown to the wrong desk, say) leaves the screen, said so,
    // and logged; a desk's answer to it is then refused.
    click(&ui, "Start pairing");
    let withdrawn = open_offer(&ui);
    click(&ui, "Cancel pairing");
    assert!(!office.get_pairing_open());
    assert_eq!(
        message(&ui),
        "Pairing cancelled: the code that was shown no longer pairs a back office."
    );
    let mut stranger = common::setup_clinic();
    let stranger_manager = common::sign_in(&mut stranger.store, Role::Manager);
    desk_side::answer_pairing(
        &stranger.store,
        &stranger_manager,
        &withdrawn,
        &exchange,
        desk_side::KnownKiosk::Refuse,
        chrono::Utc::now(),
    )
    .expect("the other desk answers the code it saw");
    ui.with_kiosk(|k| k.read_pairing_answer());
    assert!(message(&ui).starts_with("No pairing code is open any more"));
    assert_eq!(office.get_code_to_compare(), "");
    assert!(!office.get_paired());
    // Withdrawn from the command line (another process) while the window shows the code: the
    // next tap says so, and the code leaves the screen.
    click(&ui, "Start pairing");
    let second = intake_kiosk::store::Store::open(&path).expect("a second handle");
    let (cli, cli_manager) = OpenStore::unlock_as_manager(
        second,
        &intake_kiosk::vault::Passphrase::new(intake_kiosk::demo::DEMO_PASSPHRASE),
        chrono::Utc::now(),
    )
    .map_err(|f| f.error)
    .expect("unlocked");
    assert!(matches!(
        cli.withdraw_pairing_offer(&cli_manager, chrono::Utc::now()),
        Ok(intake_kiosk::store::Withdrawal::Withdrawn(_))
    ));
    let logged = cli
        .audit_entries(&cli_manager, None, None)
        .expect("audit")
        .into_iter()
        .filter(|e| e.kind == "pairing_cancelled")
        .count();
    assert_eq!(logged, 2, "the tap's withdrawal and this one");
    assert!(office.get_pairing_open());
    click(&ui, "Read the back office's answer");
    assert!(!office.get_pairing_open());
    assert!(message(&ui).starts_with("No pairing code is open any more"));
    // The open code's offer changed outside the app (given a day longer to live): the read is
    // refused in words naming the table, and the code leaves the screen — the store refuses
    // every use of it. The row as it was, the panel pairs again.
    click(&ui, "Start pairing");
    let raw = rusqlite::Connection::open(&path).expect("the kiosk's file");
    let lengthen = "UPDATE pairing_offers SET expires_at = expires_at + ?1 WHERE used_at IS NULL";
    assert_eq!(raw.execute(lengthen, [86_400]).expect("changed"), 1);
    click(&ui, "Read the back office's answer");
    assert!(
        message(&ui)
            .starts_with("The kiosk's database was changed outside the app (table pairing_offers)"),
        "{}",
        message(&ui)
    );
    assert!(!office.get_pairing_open());
    assert!(ui.with_kiosk(|k| k.back_office().pairing_code.is_none()));
    assert_eq!(raw.execute(lengthen, [-86_400]).expect("put back"), 1);
    drop(raw);
    // The folder still holds the other desk's answer to the withdrawn code. A tap on Read
    // before the back office has answered the code on screen says so, and the code stays to be
    // scanned; the desk's answer to it then takes the file's place and is read.
    click(&ui, "Start pairing");
    let on_screen = open_offer(&ui);
    click(&ui, "Read the back office's answer");
    assert!(
        message(&ui).starts_with("The answer in the exchange folder is not for the code on screen"),
        "{}",
        message(&ui)
    );
    assert_eq!(open_offer(&ui), on_screen, "the code stays on screen");
    desk_side::answer_pairing(
        &stranger.store,
        &stranger_manager,
        &on_screen,
        &exchange,
        desk_side::KnownKiosk::Replace,
        chrono::Utc::now(),
    )
    .expect("the desk, still waiting on its answer to the withdrawn code, answers this one");
    click(&ui, "Read the back office's answer");
    assert!(!office.get_pairing_open());
    assert_ne!(office.get_code_to_compare(), "");
    click(&ui, "Different: cancel");
    assert!(!office.get_paired());
    // Answered and read by another process (`kiosk pair-finish`) while the window shows the
    // code: Cancel comes too late and says so, the codes to compare show, and *Different:
    // cancel* drops that pairing.
    click(&ui, "Start pairing");
    let late = open_offer(&ui);
    desk_side::answer_pairing(
        &stranger.store,
        &stranger_manager,
        &late,
        &exchange,
        desk_side::KnownKiosk::Replace,
        chrono::Utc::now(),
    )
    .expect("the other desk answers again");
    intake_kiosk::exchange::kiosk_side::read_pairing_answer(
        &cli,
        &cli_manager,
        &exchange,
        chrono::Utc::now(),
    )
    .expect("read by the other process");
    drop(cli);
    click(&ui, "Cancel pairing");
    assert!(
        message(&ui).starts_with("Too late to cancel"),
        "{}",
        message(&ui)
    );
    assert!(!office.get_pairing_open());
    assert_ne!(office.get_code_to_compare(), "");
    click(&ui, "Different: cancel");
    assert_eq!(office.get_code_to_compare(), "");
    assert!(!office.get_paired());

    click(&ui, "Start pairing");
    assert!(office.get_pairing_open());
    let code = open_offer(&ui);
    if let Some(decoded) = qr_on_screen(&ui, dir.path()) {
        assert_eq!(
            decoded, code,
            "the drawn QR code holds exactly the pairing code"
        );
    }

    // At the back office.
    let mut desk = common::setup_clinic();
    let desk_manager = common::sign_in(&mut desk.store, Role::Manager);
    let (kiosk_id, desk_code) =
        paired_at_the_desk(&ui, &desk.store, &desk_manager, &code, &exchange);
    assert!(
        !office.get_pairing_open(),
        "the used code leaves the screen"
    );
    click(&ui, "Same code: pair");
    assert!(office.get_paired());
    assert_eq!(office.get_desk_code(), desk_code.as_str());

    click(&ui, "Send forms now");
    assert!(
        message(&ui).contains("1 form was sealed"),
        "{}",
        message(&ui)
    );
    assert_eq!((office.get_pending(), office.get_exported()), (0, 1));

    let outcomes = desk_side::import_folder(
        &mut desk.store,
        &desk_manager,
        &exchange,
        &outbox,
        chrono::Utc::now(),
        &mut |_, _, _| {},
    )
    .expect("import");
    assert!(matches!(
        outcomes.as_slice(),
        [BundleOutcome::Imported { .. }]
    ));

    click(&ui, "Read receipts");
    assert!(
        message(&ui).contains("1 delivered form was removed"),
        "{}",
        message(&ui)
    );
    assert_eq!((office.get_exported(), office.get_delivered()), (0, 1));

    // The back office revokes this kiosk (a tablet thought lost, say): it takes nothing from
    // it again. On the tablet the manager unpairs and pairs it as a new kiosk, asked first.
    let old_id = office.get_kiosk_id().to_string();
    assert_eq!(old_id, kiosk_id, "the panel names the id the desk lists");
    desk.store
        .revoke_kiosk(&desk_manager, &kiosk_id, chrono::Utc::now())
        .expect("revoke");
    assert!(!office.get_new_id_offered(), "not offered while paired");
    click(&ui, "Unpair");
    assert!(office.get_new_id_offered() && !office.get_asking_new_id());
    // The question left open and a pairing started: the pairing closes the question, and no new
    // id is offered beside its code (it would leave the desk's answer for keys gone).
    click(&ui, "Pair as a new kiosk");
    click(&ui, "Start pairing");
    assert!(!office.get_asking_new_id() && !office.get_new_id_offered());
    assert!(ui.with_kiosk(|k| {
        k.new_kiosk_id();
        k.back_office().pairing_code.is_some()
    }));
    assert_eq!(
        office.get_kiosk_id(),
        old_id.as_str(),
        "refused mid-pairing"
    );
    // Locking takes the code off the screen; the manager comes back to the panel.
    click(&ui, "Lock now");
    enter_pin(&ui, "Maya (manager)", "402718");
    click(&ui, "Back office");
    assert!(office.get_new_id_offered() && !office.get_asking_new_id());
    click(&ui, "Pair as a new kiosk");
    assert!(office.get_asking_new_id());
    click(&ui, "Keep this id");
    assert!(!office.get_asking_new_id());
    assert_eq!(
        office.get_kiosk_id(),
        old_id.as_str(),
        "no answer, no change"
    );
    click(&ui, "Pair as a new kiosk");
    click(&ui, "New kiosk id");
    let new_id = office.get_kiosk_id().to_string();
    assert!(!new_id.is_empty() && new_id != old_id, "{new_id}");
    assert!(
        message(&ui).starts_with(&format!("This tablet is now kiosk {new_id}.")),
        "{}",
        message(&ui)
    );
    click(&ui, "Start pairing");
    assert!(
        !office.get_new_id_offered(),
        "not offered beside an open pairing code"
    );
    let (again, _) =
        paired_at_the_desk(&ui, &desk.store, &desk_manager, &open_offer(&ui), &exchange);
    assert_eq!(again, new_id, "the desk pairs it as a new kiosk");
    assert!(
        !office.get_new_id_offered(),
        "nor while the codes are compared"
    );
    click(&ui, "Same code: pair");
    assert!(office.get_paired() && !office.get_new_id_offered());

    // Leaving staff home takes any open pairing code off the screen.
    click(&ui, "Start pairing");
    assert!(office.get_pairing_open());
    click(&ui, "Lock now");
    assert!(ui.with_kiosk(|k| k.back_office().pairing_code.is_none()));

    // The idle limits: shown as in effect, a number out of range refused in words, a good one
    // in effect at once — the next handover left untouched is wiped after 60 s, not 120.
    enter_pin(&ui, "Maya (manager)", "402718");
    click(&ui, "Back office");
    let wipe = "A handover left untouched is wiped after (seconds)";
    assert_eq!(field_value(&ui, wipe), "120");
    assert_eq!(
        field_value(&ui, "Staff home locks without a touch after (seconds)"),
        "180"
    );
    type_into(&ui, wipe, "5");
    click(&ui, "Use this wipe time");
    assert_eq!(
        message(&ui),
        "Please give a whole number of seconds, 60–900."
    );
    type_into(&ui, wipe, "60");
    click(&ui, "Use this wipe time");
    assert!(message(&ui).starts_with("Saved: a handover left untouched for 60 seconds"));
    assert_eq!(office.get_handover_idle(), "60");
    click(&ui, "Lock now");
    enter_pin(&ui, "Chris (clinician)", "918273");
    click(&ui, "Hand over for a new patient");
    ui.with_kiosk(|k| k.set_text("given_name", "Grace"));
    for _ in 0..59 {
        i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(1));
    }
    assert_eq!(screen(&ui), intake_kiosk::ui::Screen::Handover);
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(1));
    assert_eq!(screen(&ui), intake_kiosk::ui::Screen::HandBack);
    assert!(ui.with_kiosk(|k| k.form.answers.is_empty()));
}
