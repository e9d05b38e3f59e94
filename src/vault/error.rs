//! Errors of the vault. Crypto failures deliberately carry no detail.

/// What went wrong in the vault, in words a caller can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("the passphrase is not right")]
    WrongPassphrase,
    #[error("the recovery key is not right")]
    WrongRecoveryKey,
    #[error("a passphrase needs at least {min} characters")]
    PassphraseTooShort { min: usize },
    #[error("the recovery key is not in the expected format (groups of letters and digits)")]
    MalformedRecoveryKey,
    #[error("sealed data failed to open: it was altered, moved to another place, or is not ours")]
    OpenFailed,
    #[error("the system's random number generator failed")]
    Random,
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u8),
    #[error("key-derivation parameters are below the minimum this version accepts")]
    WeakKdf,
}
