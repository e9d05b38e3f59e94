//! Nothing a patient types reaches the display's selections, and the kiosk empties them when a
//! handover ends. X11 keeps the text last selected with the pointer (the primary selection,
//! pasted with a middle click) and the clipboard, each readable by any program on the display: a
//! patient's double tap or drag across their name must not put it there (the kiosk's fields take
//! no pointer selection, `ui/widgets/field.slint`; the keyboard's copy is blocked, `escape`), and
//! what another program put there is gone once the handover is wiped (`src/ui/clipboard.rs`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::machine::{Display, PATIENCE, tools_present};
use crate::patient::{mid_handover, pin_pad};
use crate::window::App;

/// The text X11's `selection` ("primary" or "clipboard") holds now, as another program on the
/// display reads it (`xclip`); empty when nothing owns it or its owner gives nothing.
fn selection_text(display: &Display, selection: &str) -> String {
    let out = Command::new("timeout")
        .args(["10", "xclip", "-o", "-selection", selection])
        .env("DISPLAY", &display.name)
        .output()
        .expect("run xclip");
    // xclip exits 1 with nothing on stdout when no program owns the selection.
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Polls until `selection` satisfies `ready` (its owner answers once it has handled the event
/// that changed it); returns it as it stood last.
fn wait_selection(
    display: &Display, selection: &str, what: &str, ready: impl Fn(&str) -> bool,
) -> String {
    let start = Instant::now();
    loop {
        let now = selection_text(display, selection);
        if ready(&now) {
            return now;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{what}: the {selection} selection holds {now:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether `xclip` is here: CI installs it (.ci/run); elsewhere its absence skips the test.
fn xclip_present() -> bool {
    let found = Command::new("xclip").arg("-version").output().is_ok();
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI installs xclip (.ci/run)"
    );
    if !found {
        eprintln!("selection test skipped: xclip not installed (apt-get install xclip)");
    }
    found
}

/// Another program on the display (`xclip`, which stays to serve it) puts `text` into `selection`
/// ("primary" or "clipboard").
fn offer(display: &Display, selection: &str, text: &str) {
    use std::io::Write as _;
    let mut xclip = Command::new("xclip")
        .args(["-i", "-selection", selection])
        .env("DISPLAY", &display.name)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run xclip");
    xclip
        .stdin
        .take()
        .expect("xclip's input")
        .write_all(text.as_bytes())
        .expect("write to xclip");
    // It reads to the end, then leaves a copy of itself serving the selection and exits.
    assert!(xclip.wait().expect("xclip ran").success());
}

/// Mid-handover, the patient double-taps, triple-taps and drags across their first name and
/// tries the copy keys: neither selection takes it (each still holds what another program put
/// there). Staff end the handover with a PIN: both are empty.
#[test]
fn a_patients_text_never_reaches_the_selections_and_they_are_emptied_when_the_handover_ends() {
    if !tools_present() || !xclip_present() {
        return;
    }
    let display = Display::start(1280, 800);
    let app = App::start(&display, &["--demo"]);
    mid_handover(&app);
    for (selection, text) in [("primary", "seed-primary"), ("clipboard", "seed-clipboard")] {
        offer(&display, selection, text);
        wait_selection(&display, selection, "the seed offered", |s| s == text);
    }
    let field = app.element("TextInput", "First name *");
    let (x, y) = field.centre();
    let (left, right) = (
        (field.x + 8).to_string(),
        (field.x + field.w / 2).to_string(),
    );
    let y = y.to_string();
    for repeat in ["2", "3"] {
        display.xdotool(&[
            "mousemove",
            &x.to_string(),
            &y,
            "click",
            "--repeat",
            repeat,
            "--delay",
            "120",
            "1",
        ]);
    }
    display.xdotool(&[
        "mousemove",
        &left,
        &y,
        "mousedown",
        "1",
        "sleep",
        "0.1",
        "mousemove",
        &right,
        &y,
        "sleep",
        "0.1",
        "mouseup",
        "1",
    ]);
    for key in ["ctrl+a", "ctrl+c", "ctrl+Insert", "ctrl+shift+c"] {
        display.key(key);
    }
    // Nothing was pasted or cut either.
    app.wait_text("First name *", "Ana");
    // Every tap and key has been handled once a tap after them has.
    app.tap_button("Staff only");
    app.wait("the staff PIN pad", |v| {
        v.has_text("Staff only: end this handover")
    });
    assert_eq!(selection_text(&display, "primary"), "seed-primary");
    assert_eq!(selection_text(&display, "clipboard"), "seed-clipboard");
    pin_pad(&app, "Chris (clinician)", "918273");
    for selection in ["primary", "clipboard"] {
        wait_selection(&display, selection, "emptied", str::is_empty);
    }
}
