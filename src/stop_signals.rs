//! SIGTERM (systemd stopping the service) and SIGINT (Ctrl-C) end a window's event loop, so the
//! caller's normal shutdown runs: a handover wiped, the store closed, the keys dropped, the demo
//! folder removed, exit 0. Without this the default action killed the process mid-write.

use anyhow::{Context, Result};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// From now on the first SIGTERM or SIGINT quits the Slint event loop (later ones are ignored
/// while the shutdown runs; systemd's stop timeout still ends a stuck process).
pub fn quit_event_loop_on_signals() -> Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT]).context("listening for SIGTERM/SIGINT")?;
    std::thread::Builder::new()
        .name("stop-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let name = if signal == SIGTERM {
                    "SIGTERM"
                } else {
                    "SIGINT"
                };
                tracing::info!("{name} received: stopping");
                if slint::invoke_from_event_loop(|| {
                    let _ = slint::quit_event_loop();
                })
                .is_err()
                {
                    // No event loop (it already ended): the caller is shutting down anyway.
                    tracing::warn!("{name}: no event loop to stop");
                }
            }
        })
        .context("starting the signal thread")?;
    Ok(())
}
