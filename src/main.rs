//! intake-kiosk: parse the command line (`cli::Cli`, clap), then start the kiosk's window or run
//! a `kiosk …` / `desk …` command-line action (see `cli`). The window is there only with the `ui`
//! feature (the default); without it the commands are.
//!
//! Exit codes: 0 done, 1 failed, 2 usage error (clap, before anything is opened), 3 partly done.

mod cli;
mod crash_guard;
mod logging;
#[cfg(feature = "ui")]
mod stop_signals;
#[cfg(feature = "ui")]
mod window;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};

#[cfg(feature = "ui")]
use window::run as run_window;

/// The data folder when `--data-dir` is not given: systemd's `$STATE_DIRECTORY` (the first, when
/// the unit names several), else `$XDG_DATA_HOME/intake-kiosk`, else
/// `~/.local/share/intake-kiosk`. Only absolute paths count (the XDG rule): never a folder
/// relative to wherever the program was started.
pub(crate) fn default_data_dir() -> Result<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(state) = std::env::var_os("STATE_DIRECTORY") {
        let first = state.to_string_lossy().split(':').next().map(PathBuf::from);
        if let Some(dir) = first.filter(|p| p.is_absolute()) {
            return Ok(dir);
        }
    }
    if let Some(data) = absolute("XDG_DATA_HOME") {
        return Ok(data.join("intake-kiosk"));
    }
    if let Some(home) = absolute("HOME") {
        return Ok(home.join(".local/share/intake-kiosk"));
    }
    bail!(
        "no data folder: give --data-dir DIR (none of $STATE_DIRECTORY, $XDG_DATA_HOME, $HOME is an absolute path)"
    )
}

fn main() -> ExitCode {
    if cfg!(feature = "soak-bench") {
        eprintln!(
            "error: this build has the soak bench's weak key derivation; build without --features soak-bench"
        );
        return ExitCode::FAILURE;
    }
    // Usage errors exit 2 here, --help and --version 0, before anything is opened or asked for.
    let parsed = cli::parse();
    logging::init();
    // Before anything is opened: no core file, no memory read from outside, no value in a panic.
    crash_guard::forbid_core_dumps();
    crash_guard::quiet_panics();
    let result = match parsed.command {
        Some(command) => cli::run(command),
        None => run_window(parsed.window),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", cli::error_text(&error));
            ExitCode::from(cli::exit_code(&error))
        }
    }
}

/// A core-only build (`--no-default-features`) has no window.
#[cfg(not(feature = "ui"))]
fn run_window(_: cli::KioskWindowArgs) -> Result<()> {
    bail!(
        "this intake-kiosk was built without its window (the `ui` feature); the `kiosk …` and `desk …` commands work (intake-kiosk --help)"
    )
}
