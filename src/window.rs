//! The kiosk's window (the `ui` feature): open the store (or the demo clinic), start the window,
//! and on SIGTERM/SIGINT shut down cleanly (handover wiped, store closed, demo folder removed).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use intake_kiosk::demo::{DEMO_PASSPHRASE, create_demo_clinic, demo_dir};
use intake_kiosk::forms::FormDefinition;
use intake_kiosk::kiosk::{Kiosk, Timeouts};
use intake_kiosk::store::Store;
use intake_kiosk::ui::{KioskUi, WorkMode};

use crate::cli::KioskWindowArgs;
use crate::default_data_dir;

/// The clinic's own definition when given and sound; otherwise none (the stored or built-in
/// form is used), saying why.
fn form_definition(path: Option<&PathBuf>) -> Option<FormDefinition> {
    let path = path?;
    let loaded = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("cannot read it: {e}")])
        .and_then(|text| {
            FormDefinition::parse(&text)
                .map_err(|errors| errors.iter().map(ToString::to_string).collect())
        });
    match loaded {
        Ok(definition) => Some(definition),
        Err(problems) => {
            eprintln!(
                "The form definition {} was not used; the clinic's stored form (or the built-in one) stays:",
                path.display()
            );
            for p in problems {
                eprintln!("  {p}");
            }
            None
        }
    }
}

/// For benches/startup.sh: prints the wall-clock time of the first frame and, two seconds later,
/// the process's proportional set size, then leaves the event loop.
fn startup_probe(ui: &KioskUi) {
    use slint::ComponentHandle;
    fn report_first_frame() {
        let ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        println!("first-frame-unix-ns={ns}");
    }
    let mut reported = false;
    let notifier = ui.window.window().set_rendering_notifier(move |state, _| {
        if !reported && matches!(state, slint::RenderingState::AfterRendering) {
            reported = true;
            report_first_frame();
        }
    });
    if notifier.is_err() {
        // The software renderer has no notifier: the first event-loop turn follows the first paint.
        slint::Timer::single_shot(std::time::Duration::ZERO, report_first_frame);
    }
    slint::Timer::single_shot(std::time::Duration::from_secs(2), || {
        let pss = std::fs::read_to_string("/proc/self/smaps_rollup")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("Pss:")).map(str::to_owned))
            .unwrap_or_default();
        println!(
            "{}",
            pss.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join("-kib=")
                .replace("Pss:", "pss")
        );
        let _ = slint::quit_event_loop();
    });
}

/// Starts the kiosk's window with the arguments given.
pub fn run(args: KioskWindowArgs) -> Result<()> {
    let given_form = form_definition(args.form.as_ref());
    let has = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if !has("DISPLAY") && !has("WAYLAND_DISPLAY") {
        bail!(
            "no display: intake-kiosk needs a graphical session (X11 or Wayland); under CI use xvfb-run"
        );
    }
    let (store, demo_folder) = if args.demo {
        let dir = demo_dir().context("making the demo folder")?;
        let store =
            create_demo_clinic(&dir.join("kiosk.sqlite3")).context("creating the demo clinic")?;
        (store, Some(dir))
    } else {
        let dir = match args.data_dir {
            Some(dir) => dir,
            None => default_data_dir()?,
        };
        let path = dir.join("kiosk.sqlite3");
        (
            Store::open(&path).with_context(|| format!("opening {}", path.display()))?,
            None,
        )
    };
    let pinned = given_form.is_some();
    let definition = given_form.unwrap_or_else(FormDefinition::built_in);
    let mut kiosk = Kiosk::new(store, definition, Timeouts::default())?;
    if pinned {
        kiosk.pin_form();
    }
    if args.demo {
        kiosk.unlock(DEMO_PASSPHRASE);
    }
    let ui = KioskUi::new(kiosk, WorkMode::Background).context("starting the window")?;
    ui.set_full_screen(!args.windowed);
    if std::env::var_os("INTAKE_KIOSK_STARTUP_PROBE").is_some() {
        startup_probe(&ui);
    }
    #[cfg(feature = "probe")]
    let _probe = intake_kiosk::ui::probe::start(&ui.window, intake_kiosk::ui::probe::kiosk_header);
    crate::stop_signals::quit_event_loop_on_signals()?;
    let lost = intake_kiosk::ui::WindowLost::watch(slint::ComponentHandle::window(&ui.window));
    let _in_front = (!args.windowed).then(|| lost.keep_in_front(&ui.window));
    tracing::info!(demo = args.demo, "kiosk window started");
    let mut result = ui.run().context("running the window");
    ui.shut_down();
    if result.is_ok() && lost.happened() {
        result = Err(anyhow::anyhow!(
            "another program destroyed the kiosk's window: the handover was wiped and the kiosk stopped (its service starts it again)"
        ));
    }
    drop(ui);
    if let Some(dir) = demo_folder {
        let _ = std::fs::remove_dir_all(dir);
    }
    tracing::info!("kiosk window stopped");
    result
}
