//! Passphrase key derivation: PBKDF2-HMAC-SHA256 with stored, versioned parameters.

use std::num::NonZeroU32;

use ring::pbkdf2;
use serde::{Deserialize, Serialize};

use super::{SecretKey, VaultError, random_bytes};

/// OWASP's minimum for PBKDF2-HMAC-SHA256 (2023 cheat sheet, still current).
#[cfg(not(feature = "soak-bench"))]
pub const MIN_ITERATIONS: u32 = 600_000;
/// The soak bench's build only (`--features soak-bench`): 10,000 staff hand-backs at 600,000
/// rounds would take over an hour, and the rounds change neither memory nor the submit time the
/// soak measures. A binary built with it refuses to run (`main.rs`).
#[cfg(feature = "soak-bench")]
pub const MIN_ITERATIONS: u32 = 1_000;
/// The version of the derivation scheme; stored with every wrap so it can be raised later.
pub const KDF_VERSION: u8 = 1;

/// How a key was derived from a passphrase. Stored beside the wrapped key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub version: u8,
    pub iterations: u32,
    pub salt: [u8; 16],
}

impl KdfParams {
    /// Fresh parameters at today's strength with a random salt.
    pub fn fresh() -> Result<Self, VaultError> {
        Ok(KdfParams {
            version: KDF_VERSION,
            iterations: MIN_ITERATIONS,
            salt: random_bytes::<16>()?,
        })
    }

    /// Refuses parameters this build considers too weak or does not know.
    pub fn check(&self) -> Result<NonZeroU32, VaultError> {
        if self.version != KDF_VERSION {
            return Err(VaultError::UnsupportedVersion(self.version));
        }
        if self.iterations < MIN_ITERATIONS {
            return Err(VaultError::WeakKdf);
        }
        NonZeroU32::new(self.iterations).ok_or(VaultError::WeakKdf)
    }

    /// Derives a 256-bit key from `secret` (a passphrase or PIN) under these parameters.
    /// `pepper` is mixed into the salt (the PIN pepper, or empty for passphrases).
    pub fn derive(&self, secret: &[u8], pepper: &[u8]) -> Result<SecretKey, VaultError> {
        let iterations = self.check()?;
        let mut salt = Vec::with_capacity(16 + pepper.len());
        salt.extend_from_slice(&self.salt);
        salt.extend_from_slice(pepper);
        let mut out = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            &salt,
            secret,
            &mut out,
        );
        let key = SecretKey::from_bytes(out);
        zeroize::Zeroize::zeroize(&mut out);
        zeroize::Zeroize::zeroize(&mut salt);
        Ok(key)
    }

    /// Constant-time check that `secret` derives `expected` (ring compares in constant time).
    pub fn verify(
        &self, secret: &[u8], pepper: &[u8], expected: &[u8],
    ) -> Result<bool, VaultError> {
        let iterations = self.check()?;
        let mut salt = Vec::with_capacity(16 + pepper.len());
        salt.extend_from_slice(&self.salt);
        salt.extend_from_slice(pepper);
        let ok = pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            &salt,
            secret,
            expected,
        )
        .is_ok();
        zeroize::Zeroize::zeroize(&mut salt);
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_or_unknown_parameters_are_refused() {
        let mut p = KdfParams::fresh().expect("rng");
        p.iterations = 1000;
        assert_eq!(p.derive(b"x", b"").err(), Some(VaultError::WeakKdf));
        p.iterations = MIN_ITERATIONS;
        p.version = 9;
        assert_eq!(
            p.derive(b"x", b"").err(),
            Some(VaultError::UnsupportedVersion(9))
        );
    }
}
