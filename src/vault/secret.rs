//! Zeroizing holders for secrets, and the random source.

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::VaultError;

/// 256 bits of key material, wiped from memory when dropped. Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SecretKey(bytes)
    }
    pub fn generate() -> Result<Self, VaultError> {
        Ok(SecretKey(random_bytes::<32>()?))
    }
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A manager's passphrase, wiped from memory when dropped. Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Passphrase(String);

impl Passphrase {
    pub fn new(text: impl Into<String>) -> Self {
        Passphrase(text.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Characters, not bytes: "é" counts once.
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

/// A staff PIN as typed, wiped from memory when dropped. Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Pin(String);

impl Pin {
    pub fn new(digits: impl Into<String>) -> Self {
        Pin(digits.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| VaultError::Random)?;
    Ok(out)
}

/// A random 128-bit identifier as 32 lowercase hex digits. Used for pseudonymous ids, so that a
/// row's id (and with it its AAD) is known before the row is written.
pub fn random_id() -> Result<String, VaultError> {
    let bytes = Zeroizing::new(random_bytes::<16>()?);
    Ok(crate::hex::encode(&*bytes))
}
