//! KeyboardAdapter: the on-screen keyboard types into the focused field as key events carrying
//! text only — never a modifier — so it cannot produce a shortcut.

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
        let text: slint::SharedString = if text == "\u{8}" {
            Key::Backspace.into()
        } else {
            text
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
