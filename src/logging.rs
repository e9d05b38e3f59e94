//! Operational log lines on stderr (the journal collects them under systemd): started, unlocked,
//! locked, handover started/ended/wiped, exported N, imported N, a refused bundle and why, backup
//! done, errors. Never a patient value, name, answer or secret: the events carry counts, ids and
//! error kinds only (tests/cli_sync.rs checks a scripted day's lines for canary values).
//!
//! Level control as `RUST_LOG` (e.g. `RUST_LOG=debug`, `RUST_LOG=intake_kiosk=warn`); `info` by
//! default. Under systemd (`JOURNAL_STREAM` set) the journal adds the time, so the lines do not.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    // A second init (never in this program) would fail; nothing to do then.
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().try_init()
    } else {
        builder.try_init()
    };
}
