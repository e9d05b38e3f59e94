//! intake-kiosk: parse the arguments, open the store, start the window — or run a `kiosk …` /
//! `desk …` command-line action (see `cli`). The window is there only with the `ui` feature (the
//! default); without it the commands are.

mod cli;
#[cfg(feature = "ui")]
mod window;

use std::path::PathBuf;

use anyhow::Result;

#[cfg(feature = "ui")]
use window::run as run_window;

pub(crate) fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("intake-kiosk")
}

fn main() -> Result<()> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if matches!(raw.first().map(String::as_str), Some("kiosk" | "desk")) {
        if raw.get(1).is_none_or(|c| c == "help" || c == "--help") {
            println!("{}", cli::USAGE);
            return Ok(());
        }
        return cli::run(&raw);
    }
    run_window()
}

/// A core-only build (`--no-default-features`) has no window.
#[cfg(not(feature = "ui"))]
fn run_window() -> Result<()> {
    anyhow::bail!(
        "this intake-kiosk was built without its window (the `ui` feature); the `kiosk …` and `desk …` commands work:\n{}",
        cli::USAGE
    )
}
