//! Patient rights and oversight rules at the desk, as plain Rust (no UI, no I/O): how long a
//! record is held, when a rights request is due, when a breach must be reported, and which access
//! patterns look unusual. The store applies them; the desk shows them.

pub mod breach;
pub mod held;
pub mod oversight;
pub mod requests;
pub mod retention;
pub mod statement;

pub use breach::{REPORT_WINDOW_HOURS, Risk, report_deadline};
pub use oversight::{AccessEvent, Flag, FlagKind, Thresholds, unusual_access};
pub use requests::{RequestKind, RequestStatus, due_date, extended_due_date};
pub use retention::{RetentionPolicy, held_until};
pub use statement::ErasureStatement;

/// A calendar date, for the tests of the rules here.
#[cfg(test)]
fn test_date(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).expect("a real date")
}
