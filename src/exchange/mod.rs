//! Sync between a kiosk and its back office ("desk") through an exchange folder: the glue
//! between the store (what to send, what arrived), `sync` (keys, seals, signatures, formats),
//! `handoff` (what the clinic's records system takes) and the files on the medium.
//!
//! Kiosk: [`kiosk_side`] — start pairing (QR), read the desk's answer, confirm the codes,
//! export a bundle, read receipts and purge. Desk: [`desk_side`] — answer a pairing, import
//! bundles exactly once and write receipts; [`outbox`] — hand each new form on (FHIR, JSON,
//! printable) and take an erased patient's waiting forms back out.
//!
//! File names: `pair-<kiosk id>.ikpa` (answer), `bundle-<kiosk id>-<seq 8 digits>.ikb`,
//! `receipt-<kiosk id>-<seq 8 digits>.ikr`. Names are for people and sorting; every check is
//! made on the signed or authenticated contents, never on the name.

pub mod access;
pub mod bundle_forms;
pub mod desk_side;
pub mod files;
pub mod kiosk_side;
pub mod marketing;
pub mod outbox;
pub mod qr_picture;
pub mod submission_entry;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use crate::store::{Actor, FolderProblem, OpenStore, StoreError, SyncRole};
use crate::sync::SyncError;

/// How long a pairing QR code stays valid.
pub const PAIRING_VALID_SECONDS: i64 = 10 * 60;

/// Why a sync action did not happen. Each says what to do next; nothing is half-done.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{file}: {error}")]
    Format { file: String, error: SyncError },
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("{}: {source}", shown_path(path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is larger than a {kind} can be ({limit} bytes at most); it was not read",
        shown_path(path)
    )]
    TooLarge {
        path: PathBuf,
        kind: &'static str,
        limit: u64,
    },
    /// A folder on a disk that is not mounted now ([`crate::mounts`]): nothing was read from
    /// or written into it.
    #[error(transparent)]
    Folder(#[from] FolderProblem),
    #[error(
        "{} is {found}, not an ordinary file; it was not read",
        shown_path(path)
    )]
    NotRegularFile { path: PathBuf, found: &'static str },
    #[error("this kiosk is not paired with a back office: pair it first")]
    NotPaired,
    #[error("the pairing is waiting for a manager to confirm that both screens show {code}")]
    NotConfirmed { code: String },
    #[error("no pairing was started on this kiosk: start pairing and scan the new code")]
    NoPairingStarted,
    #[error("this pairing code was already used: start pairing again for a new code")]
    PairingCodeUsed,
    #[error("no pairing answer for this kiosk in {0}")]
    NoAnswer(PathBuf),
    /// The kiosk has not accepted the desk's answer yet (its nonce is not beside it).
    #[error(
        "the kiosk has not read this desk's answer yet (nothing from it in {}): on the kiosk, read the back office's answer first, then type the code it shows",
        shown_path(.0)
    )]
    NoReveal(PathBuf),
    /// What the kiosk revealed is not what the QR code this desk scanned committed to.
    #[error(
        "what kiosk {kiosk_id} left for this desk does not belong to the pairing code this desk scanned: someone else may have answered the kiosk. Do not confirm; start pairing again on the kiosk"
    )]
    RevealMismatch { kiosk_id: String },
    #[error(
        "{file}: made by kiosk {kiosk_id}, which is not paired with this desk (or was revoked)"
    )]
    UnknownKiosk { file: String, kiosk_id: String },
    #[error("{file}: bundle {seq} from kiosk {kiosk_id} was already imported; nothing was changed")]
    Replayed {
        file: String,
        kiosk_id: String,
        seq: u64,
    },
    #[error(
        "{file}: kiosk {kiosk_id} sent a different bundle {seq} before, as a tablet restored from a backup does; nothing was imported. Give the tablet a new kiosk id (its back-office panel: Unpair, then Pair as a new kiosk; or `intake-kiosk kiosk new-id`) and pair it again"
    )]
    BundleNumberReused {
        file: String,
        kiosk_id: String,
        seq: u64,
    },
    #[error("{file}: a receipt from a desk this kiosk is not paired with; nothing was changed")]
    ReceiptFromUnpairedDesk { file: String },
    #[error("{file}: {detail}; nothing of this bundle was imported")]
    BadContent { file: String, detail: String },
    #[error(
        "the outbox {} and the exchange folder {} are the same folder or one holds the other: the forms handed on are plain patient data and must not travel with the bundles; set the outbox elsewhere",
        shown_path(outbox),
        shown_path(exchange)
    )]
    OutboxInExchange { exchange: PathBuf, outbox: PathBuf },
    /// The outbox did not take a bundle's forms: the bundle was not stored (no receipt).
    #[error(
        "{file}: its forms could not be written to the outbox ({error}); nothing of this bundle was imported, and the kiosk keeps them: import again once the outbox can take them"
    )]
    NotHandedOn {
        file: String,
        error: Box<ExchangeError>,
    },
    /// A picture given for a pairing code that holds none this desk can read.
    #[error("{file}: {detail}; no pairing code was read from it")]
    UnreadablePicture { file: String, detail: String },
    #[error(
        "{file}: kiosk {kiosk_id}'s pairing is waiting for a manager to confirm, at the desk, the code the kiosk shows; nothing of this bundle was imported"
    )]
    KioskNotConfirmed { file: String, kiosk_id: String },
    #[error("{file}: {error}")]
    BadTimes { file: String, error: StoreError },
    #[error("no kiosk is waiting for its pairing to be confirmed")]
    NothingToConfirm,
    #[error("more than one kiosk is waiting for confirmation ({}): say which", pending.join(", "))]
    WhichKiosk { pending: Vec<String> },
    #[error("this installation is a {found}, not a {wanted}")]
    WrongRole {
        found: &'static str,
        wanted: &'static str,
    },
}

/// One end's long-term keys as [`own_keys`] opens or makes them.
trait OwnKeys: Sized {
    const ROLE: SyncRole;
    fn open(secret: &[u8]) -> Result<Self, SyncError>;
    fn make(id: &str) -> Result<Self, SyncError>;
    fn secret(&self) -> Zeroizing<Vec<u8>>;
}

/// [`OwnKeys`] for a key type of `crate::sync`, under its role.
macro_rules! own_keys_of {
    ($keys:ty, $role:expr) => {
        impl OwnKeys for $keys {
            const ROLE: SyncRole = $role;
            fn open(secret: &[u8]) -> Result<Self, SyncError> {
                Self::from_secret_bytes(secret)
            }
            fn make(id: &str) -> Result<Self, SyncError> {
                Self::generate(id)
            }
            fn secret(&self) -> Zeroizing<Vec<u8>> {
                self.to_secret_bytes()
            }
        }
    };
}
own_keys_of!(crate::sync::DeskKeys, SyncRole::Desk);
own_keys_of!(crate::sync::KioskKeys, SyncRole::Kiosk);

/// This end's long-term keys: opened from the store, or on first use made (under a fresh id)
/// and kept. Keys the store holds for the other end are refused.
fn own_keys<K: OwnKeys>(
    store: &OpenStore, actor: &Actor, now: DateTime<Utc>,
) -> Result<K, ExchangeError> {
    if let Some(identity) = store.sync_identity()? {
        if identity.role != K::ROLE {
            return Err(ExchangeError::WrongRole {
                found: identity.role.as_str(),
                wanted: K::ROLE.as_str(),
            });
        }
        return Ok(K::open(&identity.secret)?);
    }
    let id = crate::sync::random_id()?;
    let keys = K::make(&id)?;
    store.create_sync_identity(actor, K::ROLE, &id, &keys.secret(), now)?;
    Ok(keys)
}

/// This end's long-term keys made anew under a fresh id, in place of the ones the store holds
/// (see [`OpenStore::renew_sync_identity`]); made for the first time when there are none.
/// Returns the old id, if any, and the new one.
fn renew_own_keys<K: OwnKeys>(
    store: &OpenStore, actor: &Actor, now: DateTime<Utc>,
) -> Result<(Option<String>, String), ExchangeError> {
    let Some(identity) = store.sync_identity()? else {
        own_keys::<K>(store, actor, now)?;
        let made = store.sync_identity()?.ok_or(StoreError::NotFound)?;
        return Ok((None, made.node_id));
    };
    if identity.role != K::ROLE {
        return Err(ExchangeError::WrongRole {
            found: identity.role.as_str(),
            wanted: K::ROLE.as_str(),
        });
    }
    let id = crate::sync::random_id()?;
    let keys = K::make(&id)?;
    let old = store.renew_sync_identity(actor, &id, &keys.secret(), now)?;
    Ok((Some(old), id))
}

/// `name` of a path, for messages.
/// A file's name as messages and logs show it: anyone who can write to the exchange folder
/// chooses it, so a control character (a line break that would forge a log line) or a
/// bidirectional override (text shown in another order) is shown escaped, never as itself.
fn file_name(path: &std::path::Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    escaped(&name)
}

/// A whole path as errors and logs show it, escaped as [`file_name`] does: the folder is the
/// clinic's, the last part may be anyone's.
fn shown_path(path: &std::path::Path) -> String {
    escaped(&path.display().to_string())
}

fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
            if c.is_control() || bidi {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod file_name_tests {
    #[test]
    fn a_planted_name_cannot_forge_a_log_line_or_reorder_text() {
        let shown = super::file_name(std::path::Path::new(
            "/x/bundle-a\n2026-12-04 INFO imported bundle-FAKE\u{202e}bki.ikb",
        ));
        assert!(!shown.contains('\n') && !shown.contains('\u{202e}'));
        assert_eq!(
            shown,
            "bundle-a\\u{a}2026-12-04 INFO imported bundle-FAKE\\u{202e}bki.ikb"
        );
        let plain = super::file_name(std::path::Path::new("/x/bundle-Zoë-00000001.ikb"));
        assert_eq!(plain, "bundle-Zoë-00000001.ikb");
    }

    #[test]
    fn errors_naming_a_planted_file_show_its_path_escaped() {
        let path = std::path::PathBuf::from("/usb/bundle-z\nFORGED LINE-00000007.ikb");
        let errors = [
            super::ExchangeError::NotRegularFile {
                path: path.clone(),
                found: "a link",
            },
            super::ExchangeError::TooLarge {
                path: path.clone(),
                kind: "bundle",
                limit: 1,
            },
            super::ExchangeError::Io {
                path,
                source: std::io::Error::other("refused"),
            },
        ];
        for error in errors {
            let said = error.to_string();
            assert!(!said.contains('\n'), "{said}");
            assert!(said.starts_with("/usb/bundle-z\\u{a}FORGED LINE"), "{said}");
        }
    }
}
