//! Kiosk → desk sync: the pure crypto and wire formats. Bytes in, bytes or typed values out — no
//! SQLite, no files, no clock (every check against time takes `now` as a parameter), no UI.
//!
//! # The protocol
//!
//! 1. **Pairing.** The kiosk shows a [`PairingOffer`] as a QR code: its id, its Ed25519 signing
//!    key and a one-time 256-bit secret, valid until `expires_at`. The desk scans it and sends
//!    back a [`PairingAnswer`] (its id, X25519 KEM key and Ed25519 key) authenticated with an
//!    HMAC under a key derived from that secret. The kiosk accepts it only if the MAC holds,
//!    it names this kiosk and the offer has not expired; then it drops the offer. Both screens
//!    then show the same [`comparison_code`] as a human cross-check.
//! 2. **Export.** The kiosk writes a bundle ([`BundleWriter`]): a header in the clear (ids, seq,
//!    time, audit checkpoint, entry count), entries sealed to the desk's KEM key (one HPKE
//!    context per bundle, one exported ChaCha20-Poly1305 key, a counter nonce per entry; see
//!    `bundle.rs` for why) and bound to kiosk, desk, seq, position, kind and id, and the kiosk's
//!    Ed25519 signature over it all. Once written, the kiosk cannot open its own bundle: it has
//!    only the desk's public keys.
//! 3. **Import.** The desk parses the bundle ([`ParsedBundle::parse`]), looks up the kiosk by the
//!    header's id, verifies the signature ([`ParsedBundle::verify`]) and opens entries with its
//!    [`DeskKeys`] ([`VerifiedBundle::open`], then [`OpenedBundle::open_entry`]).
//! 4. **Receipt.** The desk signs a [`Receipt`] naming what it stored; the kiosk verifies it with
//!    the desk's key from pairing ([`Receipt::verify_for`]).
//!
//! # Invariants
//!
//! - Every parser of outside input ([`PairingOffer::parse`], [`PairingAnswer::open`],
//!   [`ParsedBundle::parse`], [`Receipt::peek`] and friends) refuses rather than guesses, never
//!   panics, never allocates from a length it has not checked against the bytes present, and has
//!   one error variant per reason ([`SyncError`]). Each is fuzzed (`fuzz/fuzz_targets/`).
//! - Binary files share one framing (`frame.rs`): a magic per kind, a version byte,
//!   length-prefixed sections with hard caps, no trailing bytes. The magic is inside every
//!   signature and MAC, so one kind of file can never pass for another.
//! - Secrets (the desk's X25519 and Ed25519 keys, the kiosk's Ed25519 key, the one-time pairing
//!   secret, opened entries) live in zeroizing types with no `Debug`. ring's and hpke's own
//!   transient key schedules are outside our control (as in the vault).
//! - Signatures and MACs are checked with ring (constant time for the MAC: `hmac::verify`).
//! - This module is the second of cryptography's two homes (the first is `crate::vault`, which
//!   keeps everything at rest): it calls `ring` and `hpke` for the wire formats only, and takes its
//!   randomness from the vault. No other module names `ring::` or `hpke::` (`.ci/run` checks).
//!
//! # Crates
//!
//! ring does the signing, HMAC, HKDF, SHA-256, the entries' ChaCha20-Poly1305 and randomness.
//! The key agreement with the desk uses the `hpke` crate (RFC 9180 base mode, DHKEM(X25519,
//! HKDF-SHA256), HKDF-SHA256, secret export), because ring has no way to hold a static X25519
//! private key (its agreement keys are ephemeral by design), and a reviewed standard
//! construction beats a home-made one. This makes
//! sync the second place (after the vault) that calls ring; it keeps its keys apart from the
//! vault's, and the caller seals [`DeskKeys::to_secret_bytes`] / [`KioskKeys::to_secret_bytes`]
//! with the vault before storing them.

mod bundle;
mod comparison;
mod encoding;
mod error;
mod frame;
mod keys;
mod pairing;
mod qr_payload;
mod receipt;
mod reveal;

pub use bundle::{
    AuditCheckpoint, BUNDLE_VERSION, BundleEntry, BundleHeader, BundleParts, BundleWriter,
    EntryKind, MAX_ENTRY_ID_LEN, MAX_ENTRY_PLAINTEXT, MAX_HEADER_LEN, OpenedBundle, ParsedBundle,
    PreviousCheckpoint, SignedBundle, VerifiedBundle,
};
pub use comparison::{
    comparison_code, comparison_codes_match, kept_offer_secret, offer_secret, reveal_matches,
};
pub use encoding::{random_bytes, random_id};
pub use error::{FileKind, SyncError};
pub use frame::{MAX_ENTRIES, MAX_FIELD};
pub use keys::{DeskKeys, DeskPublic, KioskKeys};
pub use pairing::{MAX_PAIRING_ANSWER_LEN, PAIRING_ANSWER_VERSION, PairingAnswer};
pub use qr_payload::{MAX_OFFER_TEXT_LEN, PAIRING_OFFER_VERSION, PairingOffer};
pub use receipt::{MAX_RECEIPT_LEN, RECEIPT_VERSION, Receipt, ReceiptIds};
pub use reveal::{MAX_REVEAL_LEN, PairingReveal};
