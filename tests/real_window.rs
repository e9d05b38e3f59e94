//! The patient's flow in a real window: the kiosk binary (built with the `probe` feature) runs
//! under Xvfb with a window manager, and this harness drives it as a finger would — real X pointer
//! and key events through `xdotool` — at 1280×800 and 800×1280, with and without large text.
//!
//! Screens are recognised from what the window exposes (the probe file: its screen and every
//! labelled element with its place and value, see `src/ui/probe.rs`) and, where the app exposes no
//! state (a selected choice button), from the pixels of a screenshot. Waits poll for a change and
//! give up after a generous bound; nothing asserts on time.
//!
//! Run: `cargo test --features probe --test real_window` (.ci/run does). Needs Xvfb, xdotool,
//! imagemagick's `import`, matchbox-window-manager and wmctrl: without them the tests are skipped
//! with the reason printed, except under CI (`CI` set), where they fail.
//! `REAL_WINDOW_SHOTS=docs/screenshots/real-window` refreshes the committed screenshots.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_intake-kiosk");

/// The binary to drive: `REAL_WINDOW_BIN` when set (a copy, safe from other builds sharing the
/// target folder), else the one cargo built for this test.
fn bin() -> std::ffi::OsString {
    std::env::var_os("REAL_WINDOW_BIN").unwrap_or_else(|| BIN.into())
}
/// An upper bound for a screen to change after a tap; a slow CI machine stays far below it.
const PATIENCE: Duration = Duration::from_secs(30);
/// The kiosk's accent colour (a selected button) in the default theme.
const ACCENT: (u8, u8, u8) = (0x1d, 0x5c, 0x63);

// ----- the machine ------------------------------------------------------------------------------

/// Whether the tools are here; outside CI a missing tool skips the test with the reason printed.
fn tools_present() -> bool {
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
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb display of the given size with a window manager.
struct Display {
    name: String,
    width: u32,
    height: u32,
    _wm: Proc,
    _xvfb: Proc,
}

impl Display {
    fn start(width: u32, height: u32) -> Display {
        // A free display number: no lock file, no socket.
        let n = (70..200)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && reserve_display(*n).is_some()
            })
            .expect("a free X display number");
        let name = format!(":{n}");
        let xvfb = Command::new("Xvfb")
            .args([
                &name,
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let xvfb = Proc(xvfb);
        wait_for("Xvfb to accept clients", || {
            Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        });
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

    fn xdotool(&self, args: &[&str]) {
        let status = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.name)
            .status()
            .expect("run xdotool");
        assert!(status.success(), "xdotool {args:?} failed");
    }

    /// A tap: the pointer moves onto the point (a finger lands there), presses, lifts.
    fn tap_at(&self, x: i32, y: i32) {
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

    fn key(&self, key: &str) {
        self.xdotool(&["key", "--clearmodifiers", key]);
    }

    fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--delay", "30", text]);
    }

    /// A screenshot of the whole screen as PNG at `path` (half size: small files).
    fn screenshot(&self, path: &Path) {
        let status = Command::new("import")
            .args(["-window", "root", "-resize", "50%"])
            .arg(path)
            .env("DISPLAY", &self.name)
            .status()
            .expect("run import");
        assert!(status.success(), "import failed");
    }

    /// The colour of one screen pixel.
    fn pixel(&self, x: i32, y: i32) -> (u8, u8, u8) {
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

/// Holds a display number for this process while Xvfb starts (tests run in parallel threads).
fn reserve_display(n: u32) -> Option<()> {
    use std::sync::Mutex;
    static TAKEN: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());
    let mut taken = TAKEN.lock().unwrap_or_else(|e| e.into_inner());
    taken.insert(n).then_some(())
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn shots_dir() -> Option<PathBuf> {
    std::env::var_os("REAL_WINDOW_SHOTS").map(PathBuf::from)
}

// ----- what the window shows --------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Element {
    role: String,
    label: String,
    value: String,
    checked: bool,
    x: i32,
    y: i32,
    w: i32,
    h: i32,
}

impl Element {
    fn centre(&self) -> (i32, i32) {
        (self.x + self.w / 2, self.y + self.h / 2)
    }
    fn bottom(&self) -> i32 {
        self.y + self.h
    }
}

#[derive(Clone, Debug, Default)]
struct View {
    header: Vec<(String, String)>,
    elements: Vec<Element>,
}

impl View {
    fn parse(text: &str) -> View {
        let mut view = View::default();
        for line in text.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() == 8 {
                let n = |i: usize| fields[i].parse::<i32>().unwrap_or(0);
                view.elements.push(Element {
                    role: fields[0].into(),
                    label: fields[1].into(),
                    value: fields[2].into(),
                    checked: fields[3] == "true",
                    x: n(4),
                    y: n(5),
                    w: n(6),
                    h: n(7),
                });
            } else if let Some((k, v)) = line.split_once('=') {
                view.header.push((k.into(), v.into()));
            }
        }
        view
    }
    fn get(&self, key: &str) -> &str {
        self.header
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn screen(&self) -> &str {
        self.get("screen")
    }
    /// The last element drawn with this role and label (popups and overlays are drawn last).
    fn find(&self, role: &str, label: &str) -> Option<&Element> {
        self.elements
            .iter()
            .rev()
            .find(|e| e.role == role && e.label == label)
    }
    fn with_role<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements.iter().filter(move |e| e.role == role)
    }
    fn keyboard_top(&self) -> Option<i32> {
        self.elements
            .iter()
            .filter(|e| e.label.starts_with("key "))
            .map(|e| e.y)
            .min()
    }
    fn has_text(&self, text: &str) -> bool {
        self.elements.iter().any(|e| e.label.contains(text))
    }
}

/// The kiosk (or desk) binary running on a display, with its probe file.
struct App<'d> {
    display: &'d Display,
    probe: PathBuf,
    proc: Proc,
    _dir: tempfile::TempDir,
}

impl<'d> App<'d> {
    fn start(display: &'d Display, args: &[&str]) -> App<'d> {
        let dir = tempfile::tempdir().expect("temp dir");
        let probe = dir.path().join("probe.txt");
        let child = Command::new(bin())
            .args(args)
            .env("DISPLAY", &display.name)
            .env("INTAKE_KIOSK_PROBE", &probe)
            .env("LANG", "en_GB.UTF-8")
            .env("TMPDIR", dir.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.txt")).expect("log file"))
            .spawn()
            .expect("start the kiosk");
        let mut app = App {
            display,
            probe,
            proc: Proc(child),
            _dir: dir,
        };
        // The demo clinic takes several key derivations before the first frame: on a loaded
        // machine that can take a while, so only a dead process ends the wait early.
        let start = Instant::now();
        while app.view().screen().is_empty() {
            if !app.alive() {
                let log = std::fs::read_to_string(app._dir.path().join("stderr.txt"));
                panic!("the kiosk ended before its first screen: {log:?}");
            }
            assert!(
                start.elapsed() < PATIENCE * 4,
                "no probe file from the kiosk: is {:?} built with `--features probe`? (in a \
                 target folder shared with other builds, a plain build replaces it)",
                bin()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        app
    }

    fn view(&self) -> View {
        View::parse(&std::fs::read_to_string(&self.probe).unwrap_or_default())
    }

    fn alive(&mut self) -> bool {
        matches!(self.proc.0.try_wait(), Ok(None))
    }

    /// Waits until the window shows what `ready` looks for; returns that view.
    fn wait(&self, what: &str, ready: impl Fn(&View) -> bool) -> View {
        let start = Instant::now();
        loop {
            let view = self.view();
            if ready(&view) {
                return view;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "gave up waiting for {what}; the window shows:\n{}",
                std::fs::read_to_string(&self.probe).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn element(&self, role: &str, label: &str) -> Element {
        self.wait(&format!("{role} {label:?}"), |v| {
            v.find(role, label).is_some()
        })
        .find(role, label)
        .cloned()
        .expect("found")
    }

    fn tap(&self, role: &str, label: &str) {
        let e = self.element(role, label);
        let (x, y) = e.centre();
        self.display.tap_at(x, y);
    }

    fn tap_button(&self, label: &str) {
        self.tap("Button", label);
    }

    fn shot(&self, name: &str) {
        if let Some(dir) = shots_dir() {
            std::fs::create_dir_all(&dir).expect("screenshot folder");
            // Let the last change reach the screen (the probe runs on the same event loop).
            std::thread::sleep(Duration::from_millis(300));
            self.display.screenshot(&dir.join(format!("{name}.png")));
        }
    }

    /// Whether a button is drawn selected (the app exposes no state for it: read the pixels).
    fn looks_selected(&self, e: &Element) -> bool {
        let (r, g, b) = self.display.pixel(e.x + 5, e.y + e.h / 2);
        let near = |a: u8, b: u8| a.abs_diff(b) < 24;
        near(r, ACCENT.0) && near(g, ACCENT.1) && near(b, ACCENT.2)
    }
}

// ----- the patient's flow ------------------------------------------------------------------------

fn sign_in(app: &App, staff: &str, pin: &str) {
    app.wait("the PIN pad", |v| v.screen() == "Locked");
    app.shot_once("01-pin-pad");
    app.tap_button(staff);
    app.wait("the staff member picked", |v| {
        v.has_text(&format!("PIN for {staff}"))
    });
    for (i, d) in pin.chars().enumerate() {
        app.tap_button(&d.to_string());
        let want = format!("{} digits entered", i + 1);
        app.wait(&want, |v| v.has_text(&want));
    }
    app.tap_button("OK");
    app.wait("staff home", |v| v.screen() == "StaffHome");
}

impl App<'_> {
    /// Screenshots named per orientation and text size.
    fn shot_once(&self, name: &str) {
        let large = self.large();
        // Large text: only the pages where it changes what must be reachable (a dozen or two
        // pictures in all).
        if large && !(name.starts_with("03") || name.starts_with("04") || name.starts_with("07")) {
            return;
        }
        let tag = tag(self.display, large);
        self.shot(&format!("{tag}-{name}"));
    }
    fn large(&self) -> bool {
        self.view()
            .find("Button", "Staff only")
            .is_some_and(|e| e.h >= 64)
    }

    /// The band of the handover page a finger can use: below the top bar, above the bottom bar
    /// and the on-screen keyboard.
    fn band(&self, v: &View) -> (i32, i32) {
        let top = v
            .find("Button", "Staff only")
            .map(|e| e.bottom() + 8)
            .unwrap_or(0);
        let footer = ["Next", "Submit", "Back"]
            .iter()
            .filter_map(|l| v.find("Button", l))
            .map(|e| e.y - 8)
            .min()
            .unwrap_or(self.display.height as i32);
        let bottom = footer.min(v.keyboard_top().map(|k| k - 8).unwrap_or(i32::MAX));
        (top, bottom)
    }

    /// Scrolls the page with the wheel; returns whether anything moved.
    fn scroll(&self, down: bool) -> bool {
        let before = self.view();
        let (top, bottom) = self.band(&before);
        let x = (self.display.width / 2).to_string();
        let y = ((top + bottom) / 2).to_string();
        self.display.xdotool(&["mousemove", &x, &y]);
        self.display
            .xdotool(&["click", "--repeat", "3", if down { "5" } else { "4" }]);
        let signature = |v: &View| {
            v.elements
                .iter()
                .map(|e| (e.label.clone(), e.y))
                .collect::<Vec<_>>()
        };
        let old = signature(&before);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(2) {
            if signature(&self.view()) != old {
                // The page may glide on: wait until it rests before anyone aims at it.
                let mut last = signature(&self.view());
                loop {
                    std::thread::sleep(Duration::from_millis(250));
                    let now = signature(&self.view());
                    if now == last {
                        return true;
                    }
                    last = now;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Waits until the page rests: nothing moved for longer than the on-screen keyboard's
    /// hiding delay (it goes half a second after the last field lost focus).
    fn settle(&self) -> View {
        let signature = |v: &View| {
            v.elements
                .iter()
                .map(|e| (e.label.clone(), e.y))
                .collect::<Vec<_>>()
        };
        let mut last = self.view();
        let start = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(650));
            let now = self.view();
            if signature(&now) == signature(&last) {
                return now;
            }
            assert!(start.elapsed() < PATIENCE, "the page never came to rest");
            last = now;
        }
    }

    /// Brings an element wholly into the usable band (scrolling) and returns it.
    fn reveal(&self, role: &str, label: &str) -> Element {
        self.settle();
        for _ in 0..40 {
            let v = self.view();
            let (top, bottom) = self.band(&v);
            match v.find(role, label) {
                Some(e) if e.y >= top && e.bottom() <= bottom => return e.clone(),
                Some(e) if e.y < top => {
                    self.scroll(false);
                }
                _ => {
                    self.scroll(true);
                }
            }
        }
        panic!(
            "cannot bring {role} {label:?} into view:\n{:?}",
            self.view()
        );
    }

    /// Taps a text field and types into it (the on-screen keyboard for digits-only answers, the
    /// physical keyboard otherwise); checks the field then holds the text.
    fn fill(&self, label: &str, text: &str, on_screen_keyboard: bool) {
        let e = self.reveal("TextInput", label);
        let serial = |v: &View| v.get("focus-serial").parse::<u64>().unwrap_or(0);
        let before = serial(&self.view());
        let (x, y) = e.centre();
        self.display.tap_at(x, y);
        // The tap focuses the field (the window counts focus taps), the on-screen keyboard shows
        // and the field sits above it.
        self.wait(&format!("{label:?} focused above the keyboard"), |v| {
            serial(v) > before
                && v.keyboard_top().is_some_and(|k| {
                    v.find("TextInput", label)
                        .is_some_and(|f| f.bottom() <= k && f.y >= 0)
                })
        });
        if on_screen_keyboard {
            for c in text.chars() {
                self.tap("Button", &format!("key {c}"));
                std::thread::sleep(Duration::from_millis(150));
            }
        } else {
            self.display.type_text(text);
        }
        self.wait(&format!("{label:?} to hold {text:?}"), |v| {
            v.find("TextInput", label).is_some_and(|f| f.value == text)
        });
    }

    fn step(&self) -> u32 {
        self.view().get("step").parse().unwrap_or(0)
    }

    fn next(&self) {
        let step = self.step();
        self.tap_button("Next");
        // A new page: its fields are new, so the on-screen keyboard has gone.
        self.wait("the next step", |v| {
            v.get("step").parse::<u32>().unwrap_or(0) == step + 1 && v.keyboard_top().is_none()
        });
    }
}

fn tag(display: &Display, large: bool) -> String {
    format!(
        "{}{}",
        if display.width > display.height {
            "landscape"
        } else {
            "portrait"
        },
        if large { "-large" } else { "" }
    )
}

/// What to type into a field, by its label.
fn answer_for(label: &str) -> (&'static str, bool) {
    match label {
        l if l.starts_with("Date of birth") => ("1990-04-12", false),
        l if l.starts_with("Stress level") => ("7", true),
        l if l.starts_with("Email") => ("ana@example.invalid", false),
        l if l.starts_with("Mobile phone") => ("07700 900123", false),
        l if l.starts_with("Postcode") => ("SW1A 1AA", false),
        _ => ("Test answer", false),
    }
}

/// Fills every question of the current section page, top to bottom, scrolling as a patient
/// would; returns the labels filled.
fn fill_section(app: &App) -> Vec<String> {
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut order = Vec::new();
    let mut scrolled_to_end = false;
    loop {
        let v = app.view();
        let (top, bottom) = app.band(&v);
        let pending = v
            .elements
            .iter()
            .filter(|e| matches!(e.role.as_str(), "TextInput" | "Button" | "Checkbox"))
            .filter(|e| e.y + e.h / 2 > top && e.y < bottom)
            .filter(|e| !e.label.starts_with("key "))
            .filter(|e| {
                !["Next", "Back", "Staff only", "Large text", "High contrast"]
                    .contains(&e.label.as_str())
                    && !e.label.starts_with("Language")
            })
            .find(|e| !done.contains(&question_of(e)))
            .cloned();
        let Some(e) = pending else {
            // Down the page; at its end, one more pass from the top (a question shown by an
            // answer, or one that was out of reach), until a whole pass finds nothing to do.
            if app.scroll(true) {
                continue;
            }
            if scrolled_to_end {
                return order;
            }
            scrolled_to_end = true;
            while app.scroll(false) {}
            continue;
        };
        scrolled_to_end = false;
        let question = question_of(&e);
        done.insert(question.clone());
        order.push(question.clone());
        match e.role.as_str() {
            "TextInput" => {
                let (text, osk) = answer_for(&e.label);
                app.fill(&e.label, text, osk);
            }
            "Button" => {
                // Yes/no: "No" for pregnancy, "Yes" elsewhere (it opens the detail question);
                // a single choice: its second option.
                let options: Vec<String> = v
                    .with_role("Button")
                    .filter(|b| question_of(b) == question)
                    .map(|b| b.label.clone())
                    .collect();
                let pick = if options.iter().any(|o| o.ends_with(": Yes")) {
                    format!(
                        "{question}: {}",
                        if question.starts_with("Are you pregnant") {
                            "No"
                        } else {
                            "Yes"
                        }
                    )
                } else {
                    options.get(1).cloned().unwrap_or_else(|| e.label.clone())
                };
                let b = app.reveal("Button", &pick);
                let (x, y) = b.centre();
                app.display.tap_at(x, y);
                app.wait_selected(&pick);
            }
            "Checkbox" => {
                // A multiple choice: its first two options.
                let options: Vec<String> = v
                    .with_role("Checkbox")
                    .filter(|b| question_of(b) == question)
                    .map(|b| b.label.clone())
                    .take(2)
                    .collect();
                for o in options {
                    let b = app.reveal("Checkbox", &o);
                    let (x, y) = b.centre();
                    app.display.tap_at(x, y);
                    app.wait(&format!("{o:?} ticked"), |v| {
                        v.find("Checkbox", &o).is_some_and(|c| c.checked)
                    });
                }
            }
            _ => {}
        }
    }
}

impl App<'_> {
    fn wait_selected(&self, label: &str) {
        let start = Instant::now();
        loop {
            let e = self.element("Button", label);
            if self.looks_selected(&e) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{label:?} never showed selected"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The question an element answers: a field is its own question; an option is "Question: option".
fn question_of(e: &Element) -> String {
    if e.role == "TextInput" {
        return e.label.clone();
    }
    e.label
        .rsplit_once(": ")
        .map(|(q, _)| q.to_owned())
        .unwrap_or_else(|| e.label.clone())
}

/// The whole handover as a patient fills it, from staff home to the receipt.
fn handover(app: &App, large: bool) {
    app.tap_button("Hand over for a new patient");
    app.wait("the privacy notice", |v| {
        v.screen() == "Handover" && v.get("kind") == "notice"
    });
    if large {
        app.tap_button("Large text");
        app.wait("large text", |v| {
            v.find("Button", "Staff only").is_some_and(|e| e.h >= 64)
        });
    }
    app.shot_once("02-notice");
    every_control_inside(app);
    app.next();

    let mut filled = Vec::new();
    loop {
        let v = app.view();
        match v.get("kind") {
            "section" => {
                let title = v.get("title").to_owned();
                let answered = fill_section(app);
                assert!(!answered.is_empty(), "nothing to answer on {title:?}");
                if title == "About you" {
                    app.shot_once("03-about-you-lowest-field");
                }
                if title == "Lifestyle" {
                    assert!(
                        answered.iter().any(|q| q.starts_with("Stress level")),
                        "the stress-level field was not reached: {answered:?}"
                    );
                    app.shot_once("04-lifestyle-stress-level");
                }
                filled.push((title, answered));
                every_control_inside(app);
                app.next();
            }
            "consents" => {
                app.shot_once("05-consents");
                let mut ticked = BTreeSet::new();
                loop {
                    let v = app.view();
                    let next = v
                        .with_role("Checkbox")
                        .find(|c| !ticked.contains(&c.label))
                        .cloned();
                    let Some(c) = next else {
                        if !app.scroll(true) {
                            break;
                        }
                        continue;
                    };
                    let e = app.reveal("Checkbox", &c.label);
                    let (x, y) = e.centre();
                    app.display.tap_at(x, y);
                    app.wait(&format!("{:?} ticked", c.label), |v| {
                        v.find("Checkbox", &c.label).is_some_and(|c| c.checked)
                    });
                    ticked.insert(c.label);
                }
                assert_eq!(ticked.len(), 8, "eight consents: {ticked:?}");
                app.next();
            }
            "review" => {
                // The review shows what was typed, the lowest field of Lifestyle included
                // (scrolled to: the probe lists what is in view).
                app.shot_once("06-review");
                every_control_inside(app);
                let stress_shown = |v: &View| {
                    v.elements
                        .iter()
                        .any(|e| e.label.starts_with("Stress level") && e.label.ends_with(": 7"))
                };
                let mut found = stress_shown(&app.view());
                while !found && app.scroll(true) {
                    found = stress_shown(&app.view());
                }
                assert!(
                    found,
                    "the review page does not show the stress level typed on Lifestyle"
                );
                app.next();
            }
            "sign" => break,
            other => panic!("unexpected step {other:?}"),
        }
    }
    let titles: Vec<&str> = filled.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "About you",
            "Medical history",
            "Allergies",
            "Medications",
            "Lifestyle",
            "Your GP"
        ]
    );
    // Every question of the default form was answered (detail questions once opened).
    let answered: usize = filled.iter().map(|(_, a)| a.len()).sum();
    assert_eq!(answered, 20, "every question answered: {filled:?}");

    // Sign with a finger stroke, then submit.
    let pad = app.reveal("Image", "Signature pad");
    let (x, y) = (pad.x + 60, pad.y + pad.h / 2);
    let d = app.display;
    d.xdotool(&[
        "mousemove",
        &x.to_string(),
        &y.to_string(),
        "mousedown",
        "1",
    ]);
    for i in 1..=12 {
        d.xdotool(&[
            "mousemove",
            &(x + i * 30).to_string(),
            &(y + if i % 2 == 0 { 30 } else { -30 }).to_string(),
        ]);
    }
    d.xdotool(&["mouseup", "1"]);
    app.shot_once("07-signature");
    every_control_inside(app);
    app.tap_button("Submit");
    let v = app.wait("the receipt", |v| {
        v.screen() == "HandBack" && v.get("receipt") == "true"
    });
    assert!(
        !v.get("reference").is_empty(),
        "the receipt has a reference"
    );
    let granted = v
        .elements
        .iter()
        // Each choice reads "<consent>: Yes" to a screen reader (shown as "✓ Yes — <consent>").
        .filter(|e| e.role == "Text" && e.label.ends_with(": Yes"))
        .count();
    assert_eq!(granted, 8, "the receipt lists the eight choices as agreed");
    app.shot_once("08-receipt");
    every_control_inside(app);
}

/// Every button, box and field the probe lists lies wholly inside the window.
fn every_control_inside(app: &App) {
    let v = app.view();
    let (w, h) = (app.display.width as i32, app.display.height as i32);
    for e in v
        .elements
        .iter()
        .filter(|e| matches!(e.role.as_str(), "Button" | "Checkbox" | "TextInput"))
    {
        assert!(
            e.x >= 0 && e.x + e.w <= w,
            "{:?} {:?} sticks out of the {w}-wide window ({}..{}) on {}",
            e.role,
            e.label,
            e.x,
            e.x + e.w,
            v.get("kind")
        );
        // Scrolled content may sit partly out of view; everything fixed must fit.
        if e.label.starts_with("key ")
            || [
                "Staff only",
                "Large text",
                "High contrast",
                "Next",
                "Back",
                "Submit",
            ]
            .contains(&e.label.as_str())
        {
            assert!(
                e.y >= 0 && e.y + e.h <= h,
                "{:?} is outside the {h}-high window",
                e.label
            );
        }
    }
    for needed in ["Staff only", "Large text", "High contrast"] {
        if v.screen() == "Handover" {
            assert!(
                v.find("Button", needed).is_some(),
                "{needed:?} is not on screen"
            );
        }
    }
}

fn patient_flow(width: u32, height: u32, large: bool) {
    if !tools_present() {
        return;
    }
    let display = Display::start(width, height);
    let app = App::start(&display, &["--demo"]);
    sign_in(&app, "Chris (clinician)", "918273");
    if !large {
        app.shot_once("01-staff-home");
    }
    handover(&app, large);
}

#[test]
fn a_patient_fills_the_whole_form_by_touch_in_landscape() {
    patient_flow(1280, 800, false);
}

#[test]
fn a_patient_fills_the_whole_form_by_touch_in_landscape_with_large_text() {
    patient_flow(1280, 800, true);
}

#[test]
fn a_patient_fills_the_whole_form_by_touch_in_portrait() {
    patient_flow(800, 1280, false);
}

/// Known to fail (issue 14's closing note): at 800×1280 with large text the last consent's tick
/// box cannot be scrolled clear of the bottom bar (the scroll view underestimates the wrapped
/// consent cards' height). Run it with `--ignored` when working on it.
#[test]
#[ignore = "known failure: the last consent at 800x1280 with large text stays under the bottom bar"]
fn a_patient_fills_the_whole_form_by_touch_in_portrait_with_large_text() {
    patient_flow(800, 1280, true);
}

/// Every way out a keyboard or the window manager offers, tried mid-handover with a field
/// focused: the handover stays on screen, on the same step, with no menu open.
#[test]
fn escape_keys_and_a_close_request_leave_the_handover_on_screen() {
    if !tools_present() {
        return;
    }
    let display = Display::start(1280, 800);
    let mut app = App::start(&display, &["--demo"]);
    sign_in(&app, "Chris (clinician)", "918273");
    app.tap_button("Hand over for a new patient");
    app.wait("the notice", |v| v.screen() == "Handover");
    app.next();
    app.fill("First name *", "Ana", false);
    let step = app.step();

    let mut keys: Vec<String> = vec![
        "Escape",
        "alt+F4",
        "ctrl+w",
        "ctrl+q",
        "ctrl+c",
        "ctrl+v",
        "ctrl+x",
        "ctrl+a",
        "ctrl+z",
        "alt+Tab",
        "super",
        "super+d",
        "super+l",
        "ctrl+alt+t",
        "ctrl+Escape",
        "alt+space",
        "Menu",
        "shift+F10",
        "shift+Insert",
        "ctrl+Insert",
        "alt+Left",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    keys.extend((1..=12).map(|n| format!("F{n}")));
    keys.extend((0..6).map(|_| "Tab".to_owned()));
    keys.extend((0..6).map(|_| "shift+Tab".to_owned()));
    for key in &keys {
        display.key(key);
        std::thread::sleep(Duration::from_millis(150));
        let v = app.view();
        assert!(app.alive(), "the kiosk quit on {key}");
        assert_eq!(v.screen(), "Handover", "{key} left the handover");
        assert_eq!(app.step(), step, "{key} moved the handover");
        for menu in ["Paste", "Copy", "Cut", "Select All", "Undo"] {
            assert!(
                v.find("MenuItem", menu).is_none() && !v.has_text(menu),
                "{key} opened a menu ({menu})"
            );
        }
        assert_eq!(
            v.find("TextInput", "First name *")
                .map(|f| f.value.as_str()),
            Some("Ana"),
            "{key} changed the field"
        );
    }
    // A right-button and a middle-button tap on the field: no menu, no paste.
    let field = app.element("TextInput", "First name *");
    let (x, y) = field.centre();
    for button in ["3", "2"] {
        display.xdotool(&["mousemove", &x.to_string(), &y.to_string(), "click", button]);
        std::thread::sleep(Duration::from_millis(300));
        let v = app.view();
        assert!(!v.has_text("Paste"), "button {button} opened a menu");
        assert_eq!(
            v.find("TextInput", "First name *")
                .map(|f| f.value.as_str()),
            Some("Ana")
        );
    }
    // A polite close request through the window manager.
    let status = Command::new("wmctrl")
        .args(["-c", "Patient intake"])
        .env("DISPLAY", &display.name)
        .status()
        .expect("run wmctrl");
    assert!(status.success(), "wmctrl found the kiosk's window");
    std::thread::sleep(Duration::from_millis(500));
    assert!(app.alive(), "the kiosk quit on a close request");
    let v = app.wait("the handover still there", |v| v.screen() == "Handover");
    assert!(v.find("TextInput", "First name *").is_some());
}
