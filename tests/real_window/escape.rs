//! Every way out of a handover a keyboard or the window manager offers.

use std::process::Command;
use std::time::Duration;

use crate::machine::{Display, tools_present};
use crate::patient::mid_handover;
use crate::window::App;

/// Every way out a keyboard or the window manager offers, tried mid-handover with a field
/// focused: the handover stays on screen, on the same step, with no menu open.
#[test]
fn escape_keys_and_a_close_request_leave_the_handover_on_screen() {
    if !tools_present() {
        return;
    }
    let display = Display::start(1280, 800);
    let mut app = App::start(&display, &["--demo"]);
    mid_handover(&app);
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
