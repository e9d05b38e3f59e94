//! What the fuzz targets that reach past the signature share: their input format (a short
//! line-based script, [`script`]) and the real stores they drive ([`places`]).
//!
//! The targets in `fuzz_targets/` fall in two groups. `bundle`, `receipt`, `pairing_answer`,
//! `qr_payload`, `form_definition`, `recovery_key` and `qr_picture` (any bytes as a picture of a
//! QR code) feed raw bytes to a parser of outside input. `bundle_import`, `receipt_apply` and
//! `pairing_link` build a *valid* signed (or MACed) file from the input with keys the harness
//! holds, so the signature always holds and what the input controls is the content: they drive
//! the code that runs only after verification, against a real desk or kiosk store.

pub mod places;
pub mod script;

/// The pairing offer the `pairing_answer` target answers to (kiosk id 0123…cdef, key 07…,
/// secret 09…, valid until 2000000000); a unit test in src/sync/pairing.rs checks that it parses.
/// Its secret is known, so the seed corpus holds answers whose MAC holds.
pub const FIXED_OFFER: &str = "IKP1:04HMASW9NF6YY0938NKRKAYDXW:0W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3G:144GJ289144GJ289144GJ289144GJ289144GJ289144GJ289144G:2000000000";

/// When the `pairing_answer` target reads its answers: before the fixed offer expires.
pub const FIXED_OFFER_NOW: i64 = 1_900_000_000;
