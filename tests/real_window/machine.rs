//! The machine: Xvfb with a window manager, xdotool taps and keys, screenshots.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_intake-kiosk");

/// The binary to drive: `REAL_WINDOW_BIN` when set (a copy, safe from other builds sharing the
/// target folder), else the one cargo built for this test.
pub(crate) fn bin() -> std::ffi::OsString {
    std::env::var_os("REAL_WINDOW_BIN").unwrap_or_else(|| BIN.into())
}
/// `intake-kiosk kiosk ARGS… --data-dir DATA --secrets FILE` with `secrets` one per line;
/// returns its standard output, failing the test on a non-zero exit.
pub(crate) fn kiosk_cli(data: &Path, args: &[&str], secrets: &[&str]) -> String {
    app_cli("kiosk", data, args, secrets)
}

/// [`kiosk_cli`] for either app: `intake-kiosk ROLE ARGS… --data-dir DATA --secrets FILE`.
pub(crate) fn app_cli(role: &str, data: &Path, args: &[&str], secrets: &[&str]) -> String {
    let file = tempfile::NamedTempFile::new().expect("secrets file");
    std::fs::write(file.path(), secrets.join("\n") + "\n").expect("write the secrets");
    let out = Command::new(bin())
        .arg(role)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .arg("--secrets")
        .arg(file.path())
        .output()
        .expect("run intake-kiosk");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{role} {args:?}: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// An upper bound for a screen to change after a tap; a slow CI machine stays far below it.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);
/// The kiosk's accent colour (a selected button) in the default theme.
pub(crate) const ACCENT: (u8, u8, u8) = (0x1d, 0x5c, 0x63);

// ----- the machine ------------------------------------------------------------------------------

/// Whether the tools are here; outside CI a missing tool skips the test with the reason printed.
pub(crate) fn tools_present() -> bool {
    let missing: Vec<&str> = [
        "Xvfb",
        "xdotool",
        "import",
        "matchbox-window-manager",
        "wmctrl",
    ]
    .into_iter()
    .filter(|tool| {
        !std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
    })
    .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI installs them (.ci/run): missing {missing:?}"
    );
    eprintln!(
        "real-window test skipped: {missing:?} not installed (apt-get install xvfb xdotool imagemagick matchbox-window-manager wmctrl)"
    );
    false
}

/// A child process killed when dropped.
pub(crate) struct Proc(pub(crate) Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb display of the given size with a window manager.
pub(crate) struct Display {
    pub(crate) name: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
    _wm: Proc,
    _xvfb: Proc,
}

impl Display {
    pub(crate) fn start(width: u32, height: u32) -> Display {
        // Xvfb picks a free display number itself and writes it once it accepts clients: no
        // race with another process starting an X server at the same time.
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut number = String::new();
        let stdout = xvfb.stdout.take().expect("Xvfb's stdout");
        let xvfb = Proc(xvfb);
        BufReader::new(stdout)
            .read_line(&mut number)
            .expect("Xvfb's display number");
        let n: u32 = number
            .trim()
            .parse()
            .expect("Xvfb started (a display number)");
        let name = format!(":{n}");
        let wm = Command::new("matchbox-window-manager")
            .args(["-use_titlebar", "no"])
            .env("DISPLAY", &name)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start matchbox-window-manager");
        Display {
            name,
            width,
            height,
            _wm: Proc(wm),
            _xvfb: xvfb,
        }
    }

    pub(crate) fn xdotool(&self, args: &[&str]) {
        let status = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.name)
            .status()
            .expect("run xdotool");
        assert!(status.success(), "xdotool {args:?} failed");
    }

    /// A tap: the pointer moves onto the point (a finger lands there), presses, lifts.
    pub(crate) fn tap_at(&self, x: i32, y: i32) {
        let (x0, y0) = ((x - 3).to_string(), (y - 3).to_string());
        let (x, y) = (x.to_string(), y.to_string());
        self.xdotool(&[
            "mousemove",
            &x0,
            &y0,
            "sleep",
            "0.05",
            "mousemove",
            &x,
            &y,
            "sleep",
            "0.05",
            "mousedown",
            "1",
            "sleep",
            "0.08",
            "mouseup",
            "1",
        ]);
    }

    pub(crate) fn key(&self, key: &str) {
        self.xdotool(&["key", "--clearmodifiers", key]);
    }

    pub(crate) fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--delay", "30", text]);
    }

    /// A screenshot of the whole screen as PNG at `path`: half size (small files), or
    /// `REAL_WINDOW_SHOT_SCALE` (`100%` for the README's full-size pictures).
    pub(crate) fn screenshot(&self, path: &Path) {
        let scale = std::env::var("REAL_WINDOW_SHOT_SCALE").unwrap_or_else(|_| "50%".into());
        self.capture(path, &scale);
    }

    /// The whole screen as PNG at `path`, every pixel (what a photo of the screen would hold).
    pub(crate) fn photo(&self, path: &Path) {
        self.capture(path, "100%");
    }

    fn capture(&self, path: &Path, scale: &str) {
        let status = Command::new("import")
            .args(["-window", "root", "-resize", scale])
            .arg(path)
            .env("DISPLAY", &self.name)
            .status()
            .expect("run import");
        assert!(status.success(), "import failed");
    }

    /// The colour of one screen pixel.
    pub(crate) fn pixel(&self, x: i32, y: i32) -> (u8, u8, u8) {
        let out = Command::new("import")
            .args([
                "-window",
                "root",
                "-crop",
                &format!("1x1+{x}+{y}"),
                "-depth",
                "8",
                "txt:-",
            ])
            .env("DISPLAY", &self.name)
            .output()
            .expect("run import");
        let text = String::from_utf8_lossy(&out.stdout);
        let hex = text
            .split_whitespace()
            .find(|w| w.starts_with('#') && w.len() >= 7)
            .unwrap_or_else(|| panic!("no pixel in {text:?}"));
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex");
        (byte(1), byte(3), byte(5))
    }
}

pub(crate) fn shots_dir() -> Option<PathBuf> {
    std::env::var_os("REAL_WINDOW_SHOTS").map(PathBuf::from)
}
