//! Errors of the sync formats. Each refusal has its own variant so the UI can say what to do
//! (scan again, pick another file, ask the desk to re-pair); crypto failures carry no detail.

/// Which kind of sync file a framing error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An export bundle from a kiosk.
    Bundle,
    /// A desk's signed receipt for a bundle.
    Receipt,
    /// A desk's answer to a kiosk's pairing offer.
    PairingAnswer,
    /// A desk's own key material, as sealed by the caller.
    DeskKeys,
    /// A kiosk's own key material, as sealed by the caller.
    KioskKeys,
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileKind::Bundle => "export bundle",
            FileKind::Receipt => "receipt",
            FileKind::PairingAnswer => "pairing answer",
            FileKind::DeskKeys => "desk key file",
            FileKind::KioskKeys => "kiosk key file",
        })
    }
}

/// What went wrong while making or reading a sync file, in words a caller can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    #[error("this is not an intake-kiosk {expected} (wrong magic bytes)")]
    BadMagic { expected: FileKind },
    #[error("{kind} format version {version} is not supported by this version of the kiosk")]
    UnsupportedVersion { kind: FileKind, version: u8 },
    #[error("pairing code version {0} is not supported by this version of the kiosk")]
    UnsupportedOfferVersion(u8),
    #[error("the file ends early: it is truncated")]
    Truncated,
    #[error("the file has unexpected bytes after its end")]
    TrailingBytes,
    #[error("a field of {len} bytes is larger than the {limit} bytes allowed")]
    FieldTooLarge { len: u64, limit: usize },
    #[error("a field has {len} bytes where exactly {expected} are required")]
    FieldLength { len: usize, expected: usize },
    #[error("more than {limit} entries in one file")]
    TooManyEntries { limit: usize },
    #[error("the header announces {declared} entries but the file holds {found}")]
    EntryCountMismatch { declared: u64, found: u64 },
    #[error("unknown entry kind {0} (a bundle from a newer kiosk: update the desk first)")]
    UnknownEntryKind(u8),
    #[error("a text field is not valid UTF-8")]
    NotUtf8,
    #[error("the header is malformed: {0}")]
    MalformedHeader(String),
    #[error("the pairing code is malformed: {0}")]
    MalformedText(&'static str),
    #[error("a kiosk or desk id is not 32 lowercase hex characters")]
    InvalidId,
    #[error("an entry id must be 1 to 128 characters from A-Z a-z 0-9 - _ . :")]
    InvalidEntryId,
    #[error("a timestamp is not a valid RFC 3339 date and time")]
    InvalidTimestamp,
    #[error("the audit checkpoint tag is not lowercase hex of at most 128 characters")]
    InvalidAuditTag,
    #[error(
        "the previous audit checkpoint is not of an earlier bundle and a log no longer than now"
    )]
    InvalidPreviousCheckpoint,
    #[error("a key is not valid")]
    InvalidKey,
    #[error("the signature does not verify: the file was altered or signed by another key")]
    BadSignature,
    #[error(
        "the pairing answer's authentication code does not match: it was altered, or made without \
         this kiosk's current pairing code"
    )]
    Forged,
    #[error("the pairing code expired: show a new one")]
    Expired,
    #[error("this was made for another kiosk")]
    WrongKiosk,
    #[error("this was made for or by another desk")]
    WrongDesk,
    #[error("entry {index} does not exist (the bundle holds {count})")]
    NoSuchEntry { index: usize, count: usize },
    #[error("an entry failed to open: it was altered, moved, or not sealed to this desk")]
    OpenFailed,
    #[error(
        "entry {index} opened but its packed content is malformed: the kiosk that signed it wrote \
         it wrong"
    )]
    MalformedEntry { index: usize },
    #[error("sealing failed")]
    SealFailed,
    #[error("the system's random number generator failed")]
    Random,
}
