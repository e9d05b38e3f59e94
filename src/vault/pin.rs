//! Staff PIN hashing: PBKDF2-HMAC-SHA256 with a random salt and a pepper derived from the DEK.
//!
//! A 6-digit PIN has only a million values, so a slow hash alone would not stop an offline guess
//! from a stolen database. The pepper comes from the data key: without a manager passphrase or the
//! recovery key the hashes cannot even be tested. Verification is constant-time (ring).

use serde::{Deserialize, Serialize};

use super::{KdfParams, Pin, Vault, VaultError};

/// What is stored for a PIN: the derivation parameters and the derived value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinHash {
    pub kdf: KdfParams,
    pub hash: [u8; 32],
}

impl Vault {
    /// Hashes a PIN for storage. Rules about which PINs are allowed live in `staff`.
    pub fn hash_pin(&self, pin: &Pin) -> Result<PinHash, VaultError> {
        let kdf = KdfParams::fresh()?;
        let key = kdf.derive(pin.expose().as_bytes(), self.pin_pepper().expose())?;
        Ok(PinHash {
            kdf,
            hash: *key.expose(),
        })
    }

    /// True when `pin` matches `stored`, compared in constant time.
    pub fn verify_pin(&self, pin: &Pin, stored: &PinHash) -> Result<bool, VaultError> {
        stored.kdf.verify(
            pin.expose().as_bytes(),
            self.pin_pepper().expose(),
            &stored.hash,
        )
    }
}
