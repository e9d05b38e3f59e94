//! Thin adapters between the Slint globals and the kiosk controller. One file per global; they map
//! UI events to controller calls and controller state to UI properties, nothing more.
//!
//! Slow work (key derivation, sealing, durable commits) runs on a worker thread while the screen
//! shows a busy state; its result comes back through `upgrade_in_event_loop`. Tests use
//! [`WorkMode::Inline`] so that every call finishes before the next simulated tap.

// First: the adapters below use its macros.
#[macro_use]
mod row_copy;

mod back_office_adapter;
mod clinic_form_adapter;
mod clipboard;
mod desk_adapter;
#[allow(unsafe_code)]
mod generated;
mod handover_adapter;
mod home_adapter;
mod keyboard_adapter;
mod pin_adapter;
#[cfg(feature = "probe")]
pub mod probe;
mod receipt_adapter;
mod refresh;
mod review_adapter;
mod rotation_slots;
mod setup_adapter;
mod staff_keys_adapter;
mod window_lost;

use std::sync::{Arc, Mutex, MutexGuard};

pub use desk_adapter::{Clock, DeskUi};
pub use generated::*;
use slint::{ComponentHandle, SharedString};
pub use window_lost::WindowLost;

use crate::kiosk::Kiosk;

/// Where slow controller calls run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkMode {
    /// On a worker thread, with a busy state on screen (the running app).
    Background,
    /// On the calling thread (headless UI tests).
    Inline,
}

/// What every adapter closure holds.
#[derive(Clone)]
pub(crate) struct Ctx {
    window: slint::Weak<AppWindow>,
    kiosk: Arc<Mutex<Kiosk>>,
    mode: WorkMode,
    /// What the window shows, so that unchanged parts are not set again.
    drawn: Arc<Mutex<refresh::Drawn>>,
}

impl Ctx {
    /// The controller, waiting if a worker holds it. The lock is never poisoned in practice;
    /// if a worker panicked, the state it left is still the last consistent one.
    fn lock(&self) -> MutexGuard<'_, Kiosk> {
        self.kiosk
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A quick call on the UI thread, then a refresh.
    fn quick(&self, f: impl FnOnce(&mut Kiosk)) {
        let Ok(mut kiosk) = self.kiosk.try_lock() else {
            return;
        };
        f(&mut kiosk);
        drop(kiosk);
        self.refresh();
    }

    /// A slow call: off the UI thread with a busy state, unless inline.
    fn slow(&self, f: impl FnOnce(&mut Kiosk) + Send + 'static) {
        match self.mode {
            WorkMode::Inline => {
                f(&mut self.lock());
                self.refresh();
            }
            WorkMode::Background => {
                if let Some(window) = self.window.upgrade() {
                    if window.global::<KioskAdapter>().get_busy() {
                        return;
                    }
                    window.global::<KioskAdapter>().set_busy(true);
                }
                let ctx_kiosk = self.kiosk.clone();
                let window = self.window.clone();
                let mode = self.mode;
                let drawn = self.drawn.clone();
                std::thread::spawn(move || {
                    f(&mut ctx_kiosk
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner));
                    let _ = window.clone().upgrade_in_event_loop(move |w| {
                        let ctx = Ctx {
                            window: w.as_weak(),
                            kiosk: ctx_kiosk,
                            mode,
                            drawn,
                        };
                        w.global::<KioskAdapter>().set_busy(false);
                        ctx.refresh();
                    });
                });
            }
        }
    }

    /// A handler for a tap: `f` as a quick call.
    fn tap(&self, f: fn(&mut Kiosk)) -> impl Fn() + 'static {
        let c = self.clone();
        move || c.quick(f)
    }

    /// A handler for a tap that carries a text (an id, what was typed).
    fn tap_with(&self, f: impl Fn(&mut Kiosk, &str) + 'static) -> impl Fn(SharedString) + 'static {
        let c = self.clone();
        move |text| c.quick(|k| f(k, &text))
    }

    /// A handler for a tap that starts slow work: `f` as a slow call.
    fn work(&self, f: fn(&mut Kiosk)) -> impl Fn() + 'static {
        let c = self.clone();
        move || c.slow(f)
    }

    /// [`Ctx::work`] for a tap that carries a text.
    fn work_with(&self, f: fn(&mut Kiosk, &str)) -> impl Fn(SharedString) + 'static {
        let c = self.clone();
        move |text| {
            let text = text.to_string();
            c.slow(move |k| f(k, &text));
        }
    }

    fn refresh(&self) {
        if let Some(window) = self.window.upgrade() {
            let mut drawn = self
                .drawn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let kiosk = self.lock();
            refresh::refresh(&window, &kiosk, &mut drawn);
            clipboard::forget_after_wipes(&drawn.wipes_seen, kiosk.screen_wipes(), self.mode);
        }
    }
}

/// The running kiosk window with every adapter wired.
pub struct KioskUi {
    pub window: AppWindow,
    ctx: Ctx,
    _tick: slint::Timer,
}

impl KioskUi {
    pub fn new(kiosk: Kiosk, mode: WorkMode) -> Result<KioskUi, slint::PlatformError> {
        let window = AppWindow::new()?;
        let ctx = Ctx {
            window: window.as_weak(),
            kiosk: Arc::new(Mutex::new(kiosk)),
            mode,
            drawn: Arc::default(),
        };
        setup_adapter::connect(&window, &ctx);
        pin_adapter::connect(&window, &ctx);
        home_adapter::connect(&window, &ctx);
        clinic_form_adapter::connect(&window, &ctx);
        back_office_adapter::connect(&window, &ctx);
        handover_adapter::connect(&window, &ctx);
        keyboard_adapter::connect(&window, &ctx);
        receipt_adapter::connect(&window, &ctx);
        review_adapter::connect(&window, &ctx);
        staff_keys_adapter::connect(&window, &ctx);

        let close_ctx = ctx.clone();
        window.window().on_close_requested(move || {
            if let Ok(mut kiosk) = close_ctx.kiosk.try_lock() {
                kiosk.close_requested();
            }
            slint::CloseRequestResponse::KeepWindowShown
        });
        let activity_ctx = ctx.clone();
        window.global::<KioskAdapter>().on_activity(move || {
            if let Ok(mut kiosk) = activity_ctx.kiosk.try_lock() {
                let countdown = kiosk.countdown().is_some();
                kiosk.activity();
                drop(kiosk);
                if countdown {
                    activity_ctx.refresh();
                }
            }
        });
        window.global::<KioskAdapter>().on_shortcut_blocked(|| {});

        let tick_ctx = ctx.clone();
        let tick = slint::Timer::default();
        tick.start(
            slint::TimerMode::Repeated,
            std::time::Duration::from_secs(1),
            move || {
                tick_ctx.quick(Kiosk::tick);
            },
        );
        ctx.refresh();
        Ok(KioskUi {
            window,
            ctx,
            _tick: tick,
        })
    }

    /// Full screen (the kiosk default) or windowed (`--windowed`, development).
    pub fn set_full_screen(&self, full: bool) {
        self.window.global::<KioskAdapter>().set_full_screen(full);
    }

    /// Runs a closure against the controller (tests and the CLI).
    pub fn with_kiosk<R>(&self, f: impl FnOnce(&mut Kiosk) -> R) -> R {
        let r = f(&mut self.ctx.lock());
        self.ctx.refresh();
        r
    }

    /// Runs the window until it closes; what was copied from it is cleared as it goes.
    pub fn run(&self) -> Result<(), slint::PlatformError> {
        let result = self.window.run();
        if self.ctx.mode == WorkMode::Background {
            clipboard::forget();
        }
        result
    }

    /// After the event loop ended on a signal: wipe, close, drop the keys (`Kiosk::shut_down`).
    pub fn shut_down(&self) {
        self.ctx.lock().shut_down();
    }
}
