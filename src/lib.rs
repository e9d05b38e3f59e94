//! intake-kiosk: a touchscreen patient intake kiosk for skincare and aesthetic clinics.
//!
//! Module map (data flows one way: UI / CLI → controller → use case → store / vault → view):
//! - [`vault`]: cryptography at rest — keys, sealing, PIN and passphrase hashing, the random
//!   source; [`sync`] is crypto's only other home (the wire formats);
//! - [`store`]: SQLite — the only place rusqlite is called; need-to-know enforced here;
//! - [`staff`], [`forms`], [`rights`], [`settings`]: plain domain rules, no I/O; [`session`]: the
//!   kiosk's state machine;
//! - [`handoff`]: one submission as a FHIR R4 Bundle and a printable HTML page; pure, no I/O;
//! - [`sync`]: kiosk → desk pairing, export bundles and receipts: pure crypto and wire formats;
//! - [`exchange`]: the sync actions over the store, `sync`, `handoff` and the exchange folder;
//! - [`kiosk`], [`desk`]: the two controllers, each with its ports beside it (`KioskRecords`,
//!   `KioskSync`, `DeskRecords`); [`desk::actions`] holds the desk's use cases for window and CLI;
//!   `port`: the `port!` macro that declares a port and its forwarding impl for the store;
//! - [`hex`], `packing`: the encodings both sides share (lowercase hex; LZ4 before sealing);
//! - [`mounts`]: whether a folder lies on a disk `/etc/fstab` names that is not mounted now;
//! - [`i18n`]: Rust-side translations; [`demo`]: the demo clinic;
//! - `ui` (the `ui` feature, on by default): the Slint windows' thin adapters (and the clipboard
//!   they clear when a screen is wiped or locked). Everything above
//!   builds without it (`--no-default-features`), as the fuzz targets do.
// `deny`, not `forbid`: the Slint-generated module (src/ui/generated.rs) needs `unsafe` for its
// vtables and is the one place allowed to use it. Hand-written code has none.
#![deny(unsafe_code)]

/// The allocator of everything the program's own code allocates (the C libraries it links,
/// SQLite and the font stack among them, keep the C library's): mimalloc. An import reads each
/// form into many small values (strings of answers and decisions), and glibc's allocator was a
/// tenth of its time. mimalloc, which is built for many small short-lived allocations, took
/// the import from 17,300–19,500 to 20,100–21,500 forms a second on the project's build machine
/// (README, "What moved in session 54"). Zeroizing is unaffected: values are wiped before they
/// are freed, whichever allocator frees them. Not in fuzz builds (`cargo fuzz` sets `fuzzing`),
/// whose sanitizer watches the C library's allocator.
#[cfg(not(fuzzing))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod demo;
pub mod desk;
pub mod exchange;
pub mod forms;
pub mod handoff;
pub mod hex;
pub mod i18n;
pub mod kiosk;
pub mod mounts;
mod packing;
mod port;
pub mod rights;
pub mod session;
pub mod settings;
pub mod staff;
pub mod store;
pub mod sync;
#[cfg(test)]
mod test_files;
#[cfg(feature = "ui")]
pub mod ui;
pub mod vault;
