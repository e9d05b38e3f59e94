//! The kiosk's session state machine: which screen may show, and what each event does.
//! Plain Rust: no UI, no I/O, no clock (idle timeouts arrive as events).
//!
//! Invariants (checked exhaustively in the tests):
//! - only a correct staff PIN leaves `Handover` or `HandBack`;
//! - only a manager passphrase (or the recovery key) opens a `Closed` kiosk;
//! - leaving `Handover` by any path wipes the form; `StartHandover` always starts blank;
//! - close requests and keyboard shortcuts change nothing while a patient holds the tablet.

mod machine;

pub use machine::{Effect, Event, Screen, Session, ShortcutKey};
