//! A window another program destroyed. On X any client of the display may destroy any window
//! (`xdotool windowclose`, a script, a misbehaving tool); the event loop then went on with no
//! window, and a patient's form stayed in memory behind whatever the screen showed. Now the event
//! loop ends, the caller shuts down as after SIGTERM (the handover wiped, the store closed, the
//! keys dropped) and exits with an error, and the service manager starts the app afresh
//! (`deploy/intake-kiosk.service`: `Restart=always`), on its PIN pad.
//!
//! Likewise a kiosk window minimised from outside (`xdotool windowminimize`, a desktop's
//! shortcut) left the desktop on screen with the form open behind it: [`WindowLost::keep_in_front`]
//! asks for it back whenever it has lost the focus. (Window managers do not all mark a minimised
//! window as such, so its focus is what is watched.)

use std::cell::Cell;
use std::rc::Rc;

use slint::winit_030::winit::event::WindowEvent;
use slint::winit_030::{EventResult, WinitWindowAccessor};

/// Whether the window was destroyed from outside, and whether it has the focus (see the
/// module).
#[derive(Clone)]
pub struct WindowLost {
    lost: Rc<Cell<bool>>,
    focused: Rc<Cell<bool>>,
}

impl WindowLost {
    /// From now on, `window` destroyed from outside ends the event loop. Under a backend other
    /// than winit (the tests' headless one) nothing is watched.
    pub fn watch(window: &slint::Window) -> WindowLost {
        let watch = WindowLost {
            lost: Rc::default(),
            focused: Rc::new(Cell::new(true)),
        };
        let (lost, focused) = (watch.lost.clone(), watch.focused.clone());
        window.on_winit_window_event(move |_, event| {
            match event {
                WindowEvent::Destroyed if !lost.get() => {
                    tracing::warn!("the window was destroyed by another program: stopping");
                    lost.set(true);
                    let _ = slint::quit_event_loop();
                }
                WindowEvent::Focused(now) => focused.set(*now),
                _ => {}
            }
            EventResult::Propagate
        });
        watch
    }

    pub fn happened(&self) -> bool {
        self.lost.get()
    }

    /// Every second, `component`'s window, when it has lost the focus (minimised, or another
    /// program's window put over it), is asked back in front. For the full-screen kiosk only;
    /// the timer runs as long as the returned value is kept.
    ///
    /// Asked the standard way (`_NET_ACTIVE_WINDOW`) every second; mapped afresh, which any
    /// window manager honours for a window it iconified, when that has not helped by the next
    /// second, and then every tenth (a display with no window manager may never give the focus:
    /// no flicker every second there, and one log line, not one a second).
    pub fn keep_in_front<C: slint::ComponentHandle + 'static>(
        &self, component: &C,
    ) -> slint::Timer {
        let focused = self.focused.clone();
        let component = component.as_weak();
        let unfocused_for = Cell::new(0u32);
        let timer = slint::Timer::default();
        timer.start(
            slint::TimerMode::Repeated,
            std::time::Duration::from_secs(1),
            move || {
                let Some(c) = component.upgrade() else {
                    return;
                };
                if focused.get() {
                    unfocused_for.set(0);
                    return;
                }
                let seconds = unfocused_for.get() + 1;
                unfocused_for.set(seconds);
                if seconds == 1 {
                    tracing::warn!("the kiosk's window lost the focus: asking it back in front");
                }
                c.window().set_minimized(false);
                if seconds % 10 == 2 {
                    c.window().with_winit_window(|w| {
                        w.set_visible(false);
                        w.set_visible(true);
                        w.focus_window();
                    });
                }
            },
        );
        timer
    }
}
