//! What the window shows (the probe file) and how a finger reaches it: waits, taps, scrolling,
//! typing into a field.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::machine::{ACCENT, Display, PATIENCE, Proc, bin, shots_dir};

// ----- what the window shows --------------------------------------------------------------------

#[derive(Clone, Debug)]
pub(crate) struct Element {
    pub(crate) role: String,
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) checked: bool,
    pub(crate) x: i32,
    pub(crate) y: i32,
    pub(crate) w: i32,
    pub(crate) h: i32,
}

impl Element {
    pub(crate) fn centre(&self) -> (i32, i32) {
        (self.x + self.w / 2, self.y + self.h / 2)
    }
    pub(crate) fn bottom(&self) -> i32 {
        self.y + self.h
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct View {
    pub(crate) header: Vec<(String, String)>,
    pub(crate) elements: Vec<Element>,
}

impl View {
    pub(crate) fn parse(text: &str) -> View {
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
    pub(crate) fn get(&self, key: &str) -> &str {
        self.header
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub(crate) fn screen(&self) -> &str {
        self.get("screen")
    }
    /// The last element drawn with this role and label (popups and overlays are drawn last).
    pub(crate) fn find(&self, role: &str, label: &str) -> Option<&Element> {
        self.elements
            .iter()
            .rev()
            .find(|e| e.role == role && e.label == label)
    }
    pub(crate) fn with_role<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements.iter().filter(move |e| e.role == role)
    }
    pub(crate) fn keyboard_top(&self) -> Option<i32> {
        self.elements
            .iter()
            .filter(|e| e.label.starts_with("key "))
            .map(|e| e.y)
            .min()
    }
    pub(crate) fn has_text(&self, text: &str) -> bool {
        self.elements.iter().any(|e| e.label.contains(text))
    }
}

/// The kiosk (or desk) binary running on a display, with its probe file.
pub(crate) struct App<'d> {
    pub(crate) display: &'d Display,
    pub(crate) probe: PathBuf,
    pub(crate) proc: Proc,
    dir: tempfile::TempDir,
    /// Where the last wheel scroll that moved the page was aimed.
    scrolled_at: std::cell::Cell<Option<(i32, i32)>>,
    /// The screen the last tap was on.
    tapped_on: std::cell::RefCell<String>,
}

impl<'d> App<'d> {
    pub(crate) fn start(display: &'d Display, args: &[&str]) -> App<'d> {
        let dir = tempfile::tempdir().expect("temp dir");
        let probe = dir.path().join("probe.txt");
        let child = Command::new(bin())
            .args(args)
            .env("DISPLAY", &display.name)
            .env("INTAKE_KIOSK_PROBE", &probe)
            .env("LANG", "en_GB.UTF-8")
            .env("TMPDIR", dir.path())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.txt")).expect("log file"))
            .spawn()
            .expect("start the kiosk");
        let mut app = App {
            display,
            probe,
            proc: Proc(child),
            dir,
            scrolled_at: std::cell::Cell::new(None),
            tapped_on: std::cell::RefCell::default(),
        };
        // The demo clinic takes several key derivations before the first frame: on a loaded
        // machine that can take a while, so only a dead process ends the wait early.
        let start = Instant::now();
        while app.view().screen().is_empty() {
            if !app.alive() {
                panic!("the kiosk ended before its first screen: {:?}", app.log());
            }
            assert!(
                start.elapsed() < PATIENCE * 4,
                "no probe file from the kiosk: is {:?} built with `--features probe`? (in a \
                 target folder shared with other builds, a plain build replaces it)",
                bin()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // The first lines of the probe describe the window as it was created (800×600), before the
        // window manager mapped it full screen: measured here, the kiosk's probe still said
        // `window=800x600` for about 0.2 s after `xdotool search --onlyvisible` first found the
        // window, already 1280×800 (or 800×1280) on the X side. A tap aimed from those lines hit
        // where the element no longer was (the staff name had moved): that was "the lost
        // first tap", seen now and then (more often on a loaded machine, where the gap is longer).
        // Neither X nor the window manager lost it, and the window takes its first click without
        // focusing first. So: wait until the window is mapped and the probe shows the layout at
        // the size the window manager gave it (matchbox gives an application window the whole
        // screen); every tap after that is a single one.
        let pid = app.proc.0.id().to_string();
        let full = format!("{}x{}", display.width, display.height);
        app.wait(&format!("the window mapped and laid out at {full}"), |v| {
            v.get("window") == full
                && Command::new("xdotool")
                    .args(["search", "--onlyvisible", "--pid", &pid])
                    .env("DISPLAY", &app.display.name)
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
        });
        app
    }

    /// The folder the app was given as its `TMPDIR` (a `--demo` clinic's folder is made in it).
    pub(crate) fn temp_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// What the app has written to stderr so far (its log lines, `RUST_LOG=info`).
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.txt")).unwrap_or_default()
    }

    /// Stops the app as systemd does (SIGTERM) and waits up to `bound` for it to end: its exit
    /// status (`None`: still running when the bound passed) and how long it took.
    pub(crate) fn terminate(
        &mut self, bound: Duration,
    ) -> (Option<std::process::ExitStatus>, Duration) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.proc.0.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        self.ends_within(bound)
    }

    /// Waits up to `bound` for the app to end: its exit status (`None`: still running when the
    /// bound passed) and how long it took.
    pub(crate) fn ends_within(
        &mut self, bound: Duration,
    ) -> (Option<std::process::ExitStatus>, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.proc.0.try_wait().expect("the app's status") {
                return (Some(status), start.elapsed());
            }
            if start.elapsed() > bound {
                return (None, start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The app's own X window (the one the window manager mapped).
    pub(crate) fn x_window(&self) -> String {
        let out = Command::new("xdotool")
            .args([
                "search",
                "--onlyvisible",
                "--pid",
                &self.proc.0.id().to_string(),
            ])
            .env("DISPLAY", &self.display.name)
            .output()
            .expect("run xdotool");
        let found = String::from_utf8_lossy(&out.stdout);
        found.lines().last().expect("the app's window").to_owned()
    }

    pub(crate) fn view(&self) -> View {
        View::parse(&std::fs::read_to_string(&self.probe).unwrap_or_default())
    }

    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.proc.0.try_wait(), Ok(None))
    }

    /// Waits until the window shows what `ready` looks for; returns that view.
    pub(crate) fn wait(&self, what: &str, ready: impl Fn(&View) -> bool) -> View {
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

    pub(crate) fn element(&self, role: &str, label: &str) -> Element {
        self.wait(&format!("{role} {label:?}"), |v| {
            v.find(role, label).is_some()
        })
        .find(role, label)
        .cloned()
        .expect("found")
    }

    /// Taps an element. The first tap on a new screen waits until the window is at rest: a tap
    /// right after the screen changed (a name on the PIN pad just after the kiosk opened) was
    /// lost about every second time, though the probe showed the page in place; after the window
    /// had run 0.7 s without a change, none was (twelve rounds each way, measured).
    pub(crate) fn tap(&self, role: &str, label: &str) {
        let screen = self.view().screen().to_owned();
        if self.tapped_on.replace(screen.clone()) != screen {
            self.settle();
        }
        let e = self.element(role, label);
        let (x, y) = e.centre();
        self.display.tap_at(x, y);
    }

    pub(crate) fn tap_button(&self, label: &str) {
        self.tap("Button", label);
    }

    pub(crate) fn shot(&self, name: &str) {
        if let Some(dir) = shots_dir() {
            std::fs::create_dir_all(&dir).expect("screenshot folder");
            // Let the last change reach the screen (the probe runs on the same event loop).
            std::thread::sleep(Duration::from_millis(300));
            self.display.screenshot(&dir.join(format!("{name}.png")));
        }
    }

    /// Whether a button is drawn selected (the app exposes no state for it: read the pixels).
    pub(crate) fn looks_selected(&self, e: &Element) -> bool {
        let (r, g, b) = self.display.pixel(e.x + 5, e.y + e.h / 2);
        let near = |a: u8, b: u8| a.abs_diff(b) < 24;
        near(r, ACCENT.0) && near(g, ACCENT.1) && near(b, ACCENT.2)
    }
}

impl App<'_> {
    /// Screenshots named per orientation and text size.
    pub(crate) fn shot_once(&self, name: &str) {
        let large = self.large();
        // Large text: only the pages where it changes what must be reachable (a dozen or two
        // pictures in all).
        if large && !(name.starts_with("03") || name.starts_with("04") || name.starts_with("07")) {
            return;
        }
        let tag = tag(self.display, large);
        self.shot(&format!("{tag}-{name}"));
    }
    pub(crate) fn large(&self) -> bool {
        self.view()
            .find("Button", "Staff only")
            .is_some_and(|e| e.h >= 64)
    }

    /// The band of the handover page a finger can use: below the top bar, above the bottom bar
    /// and the on-screen keyboard.
    pub(crate) fn band(&self, v: &View) -> (i32, i32) {
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
    pub(crate) fn scroll(&self, down: bool) -> bool {
        let (top, bottom) = self.band(&self.view());
        self.scroll_at((self.display.width / 2) as i32, (top + bottom) / 2, down)
    }

    /// Scrolls with the wheel over (x, y); returns whether anything moved.
    fn scroll_at(&self, x: i32, y: i32, down: bool) -> bool {
        let before = self.view();
        self.display
            .xdotool(&["mousemove", &x.to_string(), &y.to_string()]);
        self.display
            .xdotool(&["click", "--repeat", "3", if down { "5" } else { "4" }]);
        let old = signature(&before);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(2) {
            if signature(&self.view()) != old {
                // The page may glide on: wait until it rests before anyone aims at it.
                self.settle();
                self.scrolled_at.set(Some((x, y)));
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Scrolls toward the element labelled `label`, with the wheel over the scroll area that holds
    /// it: over the element itself or its caption (a field's label is also a text), brought into
    /// the usable band; else where the last scroll moved the page; else the band's middle (a
    /// handover page, setup, the desk). Staff home's scrolling panels lie beside or below its
    /// unscrolled column, where a wheel over the middle moves nothing.
    fn scroll_toward(&self, label: &str, down: bool) -> bool {
        let v = self.view();
        let (top, bottom) = self.band(&v);
        let anchor = v
            .elements
            .iter()
            .rev()
            .find(|e| e.label == label)
            // Well inside the band: a scroll area's last rows are its (horizontal) scroll bar,
            // which takes the wheel and moves nothing.
            .map(|e| (e.centre().0, e.centre().1.clamp(top + 40, bottom - 40)));
        for (x, y) in anchor.into_iter().chain(self.scrolled_at.get()) {
            if self.scroll_at(x, y, down) {
                return true;
            }
        }
        self.scroll(down)
    }

    /// Waits until the page rests: nothing moved while the window's event loop wrote its probe
    /// seven times (at least 0.7 s of the window's own time: longer than the on-screen keyboard's
    /// hiding delay, half a second after the last field lost focus). Counted in the window's
    /// ticks, not the harness's clock: on a loaded machine the window can stall for longer than
    /// any fixed wait, and a page that only looks at rest can still move under the next tap.
    pub(crate) fn settle(&self) -> View {
        let tick = |v: &View| v.get("tick").parse::<u64>().unwrap_or(0);
        let mut since = self.view();
        let start = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let now = self.view();
            if signature(&now) != signature(&since) {
                since = now;
            } else if tick(&now) >= tick(&since) + 7 {
                return now;
            }
            assert!(start.elapsed() < PATIENCE, "the page never came to rest");
        }
    }

    /// Brings an element wholly into the usable band (scrolling) and returns it.
    pub(crate) fn reveal(&self, role: &str, label: &str) -> Element {
        self.settle();
        for _ in 0..40 {
            let v = self.view();
            let (top, bottom) = self.band(&v);
            match v.find(role, label) {
                Some(e) if e.y >= top && e.bottom() <= bottom => return e.clone(),
                Some(e) if e.y < top => {
                    self.scroll_toward(label, false);
                }
                _ => {
                    self.scroll_toward(label, true);
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
    pub(crate) fn fill(&self, label: &str, text: &str, on_screen_keyboard: bool) {
        self.focus_field(label, true);
        if on_screen_keyboard {
            for c in text.chars() {
                self.tap("Button", &format!("key {c}"));
                std::thread::sleep(Duration::from_millis(150));
            }
        } else {
            self.display.type_text(text);
        }
        self.wait_text(label, text);
    }

    /// Taps a text field (scrolled into the usable band first) and waits until the tap focused
    /// it: the window counts focus taps. With `keyboard` (the kiosk), the on-screen keyboard has
    /// come up and the field sits above it; the desk window has none.
    pub(crate) fn focus_field(&self, label: &str, keyboard: bool) {
        let e = self.reveal("TextInput", label);
        let serial = |v: &View| v.get("focus-serial").parse::<u64>().unwrap_or(0);
        let before = serial(&self.view());
        let (x, y) = e.centre();
        self.display.tap_at(x, y);
        self.wait(&format!("{label:?} focused"), |v| {
            serial(v) > before
                && (!keyboard
                    || v.keyboard_top().is_some_and(|k| {
                        v.find("TextInput", label)
                            .is_some_and(|f| f.bottom() <= k && f.y >= 0)
                    }))
        });
    }

    /// Waits until a field holds `text`: as typed, or (a password field) one mask character
    /// for each character typed.
    pub(crate) fn wait_text(&self, label: &str, text: &str) {
        let holds = |value: &str| {
            value == text
                || (value.chars().count() == text.chars().count()
                    && value.chars().all(|c| matches!(c, '●' | '•' | '*')))
        };
        self.wait(&format!("{label:?} to hold {text:?}"), |v| {
            v.find("TextInput", label).is_some_and(|f| holds(&f.value))
        });
    }

    pub(crate) fn step(&self) -> u32 {
        self.view().get("step").parse().unwrap_or(0)
    }

    pub(crate) fn next(&self) {
        let step = self.step();
        self.tap_button("Next");
        // A new page: its fields are new, so the on-screen keyboard has gone.
        self.wait("the next step", |v| {
            v.get("step").parse::<u32>().unwrap_or(0) == step + 1 && v.keyboard_top().is_none()
        });
    }
}

/// Where every labelled element is: what moves when the page moves.
fn signature(v: &View) -> Vec<(String, i32)> {
    v.elements.iter().map(|e| (e.label.clone(), e.y)).collect()
}

pub(crate) fn tag(display: &Display, large: bool) -> String {
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
