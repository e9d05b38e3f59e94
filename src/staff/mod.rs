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
