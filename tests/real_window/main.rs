//! The patient's flow in a real window: the kiosk binary (built with the `probe` feature) runs
//! under Xvfb with a window manager, and this harness drives it as a finger would — real X pointer
//! and key events through `xdotool` — at 1280×800 and 800×1280, with and without large text.
//! The same harness drives first-run setup (a fresh data folder) and the back office
//! (`desk window --demo`, mouse and keyboard).
//!
//! Screens are recognised from what the window exposes (the probe file: its screen and every
//! labelled element with its place and value, see `src/ui/probe.rs`) and, where the app exposes no
//! state (a selected choice button), from the pixels of a screenshot. Waits poll for a change and
//! give up after a generous bound; nothing asserts on time.
//!
//! Run: `cargo test --features probe --test real_window` (.ci/run does, four at a time: the tests
//! mostly wait on their windows). Needs Xvfb, xdotool, imagemagick's `import`,
//! matchbox-window-manager and wmctrl: without them the tests are skipped with the reason printed,
//! except under CI (`CI` set), where they fail.
//! `REAL_WINDOW_SHOTS=docs/screenshots/real-window` refreshes the committed screenshots (half size;
//! `REAL_WINDOW_SHOT_SCALE=100%` for full size).
//!
//! Modules: `machine` (Xvfb, window manager, xdotool), `window` (the probe file, taps, waits,
//! scrolling), one per flow: `patient`, `escape`, `setup` (first run), `desk` (the back office),
//! `keys` (a data-key rotation with three managers on "Staff and keys"), `new_id` (a new kiosk id
//! on the back-office panel), `clock` (a clock behind its records, confirmed by a manager), `signals` (SIGTERM
//! mid-handover), `arabic` (the notice and consents right to left), `selection` (what a patient
//! selected, cleared when the handover ends), `sync` (a kiosk and its desk, each in its own window,
//! paired by the QR code and then sending, importing and acknowledging a patient's form).

mod arabic;
mod clock;
#[path = "../common/mod.rs"]
mod common;
mod desk;
mod escape;
mod keys;
mod machine;
mod new_id;
mod patient;
mod selection;
mod setup;
mod signals;
mod sync;
mod window;
