//! KeyboardAdapter: the on-screen keyboard types into the focused field as key events carrying
//! text only — never a modifier — so it cannot produce a shortcut. Backspace and the two arrows
//! are the only keys that are not characters.

use slint::ComponentHandle;
use slint::platform::{Key, WindowEvent};

use super::{AppWindow, Ctx, KeyboardAdapter};

pub(super) fn connect(window: &AppWindow, ctx: &Ctx) {
    let weak = window.as_weak();
    let c = ctx.clone();
    window.global::<KeyboardAdapter>().on_key(move |text| {
        let Some(window) = weak.upgrade() else { return };
        if text.is_empty() {
            return;
        }
        let text: slint::SharedString = match text.as_str() {
            "\u{8}" => Key::Backspace.into(),
            "←" => Key::LeftArrow.into(),
            "→" => Key::RightArrow.into(),
            _ => text,
        };
        if let Ok(mut kiosk) = c.kiosk.try_lock() {
            kiosk.activity();
        }
        window
            .window()
            .dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        window
            .window()
            .dispatch_event(WindowEvent::KeyReleased { text });
    });
}
