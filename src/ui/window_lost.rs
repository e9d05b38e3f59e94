//! A window another program destroyed. On X any client of the display may destroy any window
//! (`xdotool windowclose`, a script, a misbehaving tool); the event loop then went on with no
//! window, and a patient's form stayed in memory behind whatever the screen showed. Now the event
//! loop ends, the caller shuts down as after SIGTERM (the handover wiped, the store closed, the
//! keys dropped) and exits with an error, and the service manager starts the app afresh
//! (`deploy/intake-kiosk.service`: `Restart=always`), on its PIN pad.

use std::cell::Cell;
use std::rc::Rc;

use slint::winit_030::winit::event::WindowEvent;
use slint::winit_030::{EventResult, WinitWindowAccessor};

/// Whether the window was destroyed from outside (see the module).
#[derive(Clone, Default)]
pub struct WindowLost(Rc<Cell<bool>>);

impl WindowLost {
    /// From now on, `window` destroyed from outside ends the event loop. Under a backend other
    /// than winit (the tests' headless one) nothing is watched.
    pub fn watch(window: &slint::Window) -> WindowLost {
        let lost = WindowLost::default();
        let flag = lost.0.clone();
        window.on_winit_window_event(move |_, event| {
            if matches!(event, WindowEvent::Destroyed) && !flag.get() {
                tracing::warn!("the window was destroyed by another program: stopping");
                flag.set(true);
                let _ = slint::quit_event_loop();
            }
            EventResult::Propagate
        });
        lost
    }

    pub fn happened(&self) -> bool {
        self.0.get()
    }
}
