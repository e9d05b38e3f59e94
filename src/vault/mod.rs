//! The vault: the home of cryptography at rest in intake-kiosk — keys, sealing, hashing, MACs and
//! the one random source.
//!
//! Cryptography has two homes, and only two: this module, and `crate::sync` for the wire
//! formats between kiosk and desk (HPKE to the desk's key, Ed25519 signatures, the pairing MAC),
//! which need key types the vault does not hold. No other module names `ring::` or `hpke::`;
//! `.ci/run` fails if one does. Both draw randomness from [`random_bytes`].
//!
//! Key hierarchy (see README "How data is protected"):
//! - one random 256-bit data key (DEK) per installation, never stored in the clear;
//! - the DEK is wrapped (AES-256-GCM) once per manager under a key derived from that manager's
//!   own passphrase (PBKDF2-HMAC-SHA256, parameters stored with the wrap so they can be raised
//!   later), and once under a random recovery key printed at setup and kept offline;
//! - purpose keys are derived from the DEK with HKDF-SHA256 and distinct labels: field sealing,
//!   blind index, audit MAC, row MAC and the PIN pepper. A key is only ever used for its one
//!   purpose.
//!
//! Invariants kept here:
//! - key material lives in [`SecretKey`] (zeroized on drop) or inside ring's key types, and no
//!   type in this module implements `Debug`/`Display` that could print a secret;
//! - every sealed value is bound by associated data to where it is stored ([`Aad`]): a ciphertext
//!   moved to another table, column or row fails to open;
//! - crypto failures carry no detail (one error variant each, as ring does).

mod base32;
mod digest;
mod error;
mod kdf;
mod keys;
mod pin;
mod rotate;
mod seal;
mod secret;
mod wiped;

pub use digest::{constant_time_eq, content_hash, content_hash_of, sha256, sha256_of_reader};
pub use error::VaultError;
pub use kdf::KdfParams;
pub use keys::{KeyWrap, RecoveryKey, Vault, WrapKind};
pub use pin::PinHash;
pub use seal::{Aad, MAX_PACKED_PLAINTEXT, Opened, SEAL_FORMAT_VERSION, SEAL_PACKED_VERSION};
pub use secret::{Passphrase, Pin, SecretKey, random_bytes, random_id, time_ordered_id};
pub use wiped::{WipedBuffer, json_wiped};

/// The shortest passphrase a manager may choose.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
