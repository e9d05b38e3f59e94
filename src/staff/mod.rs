//! Staff: roles and what each may see, the PIN rules, and the lockout policy. Plain Rust, no I/O.

mod lockout;
mod passphrase_rules;
mod pin_rules;
mod role;

pub use lockout::{Lockout, LockoutPolicy};
pub use passphrase_rules::{
    FREE_UNLOCK_FAILURES, PassphraseRejection, check_new_passphrase, unlock_delay,
};
pub use pin_rules::{PinRejection, check_new_pin};
pub use role::Role;

/// A passphrase or recovery key typed on a closed kiosk or desk and left there: wiped from its
/// field after this many seconds without use (a recovery key is shown as typed, a passphrase
/// may be shown by its field's eye button).
pub const UNLOCK_WIPE_SECONDS: u32 = 60;
