//! Operational log lines on stderr (the journal collects them under systemd): started, unlocked,
//! locked, handover started/ended/wiped, exported N, imported N, a refused bundle and why, backup
//! done, errors. Never a patient value, name, answer or secret: the events carry counts, ids and
//! error kinds only (tests/cli_sync.rs checks a scripted day's lines for canary values).
//!
//! Level control as `RUST_LOG` (e.g. `RUST_LOG=debug`, `RUST_LOG=intake_kiosk=warn`); `info` by
//! default. Under systemd (`JOURNAL_STREAM` set) the journal adds the time, so the lines do not.

use std::io::IsTerminal;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub fn init() {
    let filter = log_filter(std::env::var("RUST_LOG").ok().as_deref());
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    // A second init (never in this program) would fail; nothing to do then.
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().finish().with(filter).try_init()
    } else {
        builder.finish().with(filter).try_init()
    };
}

/// What `RUST_LOG` asks for: a level (`debug`) and/or `target=level` pairs separated by commas
/// (`intake_kiosk=warn`), tracing's directive syntax without span or field filters; `info` when
/// unset or not understood. (A plain target filter: tracing's `EnvFilter` compiles regular
/// expressions at start-up, which cost the kiosk's first frame memory for nothing it needs.)
fn log_filter(rust_log: Option<&str>) -> Targets {
    rust_log
        .and_then(|directives| directives.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

#[cfg(test)]
mod tests {
    use super::log_filter;
    use tracing::Level;

    #[test]
    fn info_by_default_and_when_rust_log_is_not_understood() {
        for rust_log in [None, Some("intake_kiosk=loud")] {
            let filter = log_filter(rust_log);
            assert!(filter.would_enable("intake_kiosk", &Level::INFO));
            assert!(
                !filter.would_enable("intake_kiosk", &Level::DEBUG),
                "{rust_log:?}"
            );
        }
    }

    #[test]
    fn rust_log_sets_a_level_or_a_level_per_target() {
        assert!(log_filter(Some("debug")).would_enable("intake_kiosk", &Level::DEBUG));
        let quiet = log_filter(Some("intake_kiosk=warn"));
        assert!(!quiet.would_enable("intake_kiosk", &Level::INFO));
        assert!(quiet.would_enable("intake_kiosk", &Level::WARN));
    }
}
