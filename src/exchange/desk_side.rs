//! The desk's sync actions: answer a kiosk's pairing code, import bundles exactly once, sign
//! receipts, and hand each imported form on ([`super::outbox`]).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::bundle_forms::BundleForms;
use super::files::{self, Expected, Readers};
use super::qr_picture::decode_qr_image;
use super::{ExchangeError, file_name, own_keys};
use crate::store::{
    Actor, AuditHead, BundleIn, ImportReport, LinkState, OfferedKey, OpenStore, PriorCheckpoint,
    StoreError,
};
use crate::sync::{BundleHeader, DeskKeys, PairingAnswer, PairingOffer, ParsedBundle, Receipt};

/// The desk's keys, made on first use.
pub fn desk_keys(
    store: &OpenStore, actor: &Actor, now: DateTime<Utc>,
) -> Result<DeskKeys, ExchangeError> {
    own_keys(store, actor, now)
}

/// What answering a pairing code did. The comparison code is not in it: the desk shows it only
/// once a manager has typed the code the kiosk shows ([`confirm_pairing`]), so confirming means
/// reading the kiosk's screen, not copying the desk's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    pub kiosk_id: String,
    /// A known kiosk's key was replaced (a manager asked for it).
    pub replaced: bool,
    pub file: PathBuf,
}

/// A kiosk's pairing code as a manager has it: the QR code's text (what a phone's scanner
/// copied, `IKP1:…`) or a photo or screenshot of the QR code.
#[derive(Clone, Copy, Debug)]
pub enum PairingCode<'a> {
    Text(&'a str),
    Picture(&'a Path),
}

impl PairingCode<'_> {
    /// The code's text, read from the picture when it is one ([`decode_qr_image`]).
    pub fn text(self) -> Result<Zeroizing<String>, ExchangeError> {
        match self {
            PairingCode::Text(text) => Ok(Zeroizing::new(text.trim().to_owned())),
            PairingCode::Picture(path) => decode_qr_image(path),
        }
    }
}

/// [`answer_pairing`] with the code as a manager has it (text or picture).
pub fn answer_pairing_code(
    store: &OpenStore, actor: &Actor, code: PairingCode<'_>, dir: &Path, known: KnownKiosk,
    now: DateTime<Utc>,
) -> Result<Answered, ExchangeError> {
    actor.require_manager()?;
    answer_pairing(store, actor, &code.text()?, dir, known, now)
}

/// What to do when the kiosk id in a pairing code is already known here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownKiosk {
    /// Refuse: a forged code carrying a real kiosk's id must not take its place.
    Refuse,
    /// A manager's decision: replace its key (the link is pending again). Never for a revoked
    /// kiosk.
    Replace,
}

/// Answers a kiosk's pairing code (the QR text): pairs the kiosk here, *pending* until a manager
/// confirms the code the kiosk will show, then writes the answer to `dir`. An expired or
/// malformed code, a revoked kiosk, and a known kiosk without [`KnownKiosk::Replace`] are refused
/// before anything is written.
pub fn answer_pairing(
    store: &OpenStore, actor: &Actor, code: &str, dir: &Path, known: KnownKiosk, now: DateTime<Utc>,
) -> Result<Answered, ExchangeError> {
    let offer = PairingOffer::parse(code.trim())?;
    offer.check_fresh(now.timestamp())?;
    let keys = desk_keys(store, actor, now)?;
    let public = keys.public();
    let answer = PairingAnswer::for_offer(&offer, &public, now.timestamp());
    let bytes = answer.seal(&offer)?;
    // No code yet: it takes the kiosk's nonce, revealed once the kiosk accepts this answer. The
    // link keeps, until then, a hash of the scanned secret to check the nonce against.
    let kept = pending_code(&crate::sync::kept_offer_secret(&offer.secret));
    let is_known = store.kiosk_link(&offer.kiosk_id)?.is_some();
    let replaced = is_known && known == KnownKiosk::Replace;
    let key = OfferedKey {
        kiosk_id: &offer.kiosk_id,
        sign_public: &offer.kiosk_sign_public,
        comparison_code: &kept,
    };
    if replaced {
        store.replace_kiosk_key(actor, key, now)?;
    } else {
        store.link_kiosk(actor, key, now)?;
    }
    // Written after the link: a refused pairing leaves no answer for the kiosk to read.
    let file = files::write_atomically(
        dir,
        &format!("pair-{}.ikpa", offer.kiosk_id),
        &bytes,
        Readers::Exchange,
    )?;
    Ok(Answered {
        kiosk_id: offer.kiosk_id.clone(),
        replaced,
        file,
    })
}

/// A pairing confirmed at the desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmed {
    pub kiosk_id: String,
    /// The code both screens show, now that it is confirmed.
    pub comparison_code: String,
}

/// What a pending link holds in place of its comparison code: a hash of the scanned offer's
/// secret, to check the kiosk's revealed nonce against.
const PENDING_PREFIX: &str = "nonce-hash:";

fn pending_code(kept: &[u8; 32]) -> String {
    format!("{PENDING_PREFIX}{}", crate::hex::encode(kept))
}

/// Confirms a pending pairing with the code the kiosk shows, as a manager typed it at the desk.
/// The code takes the kiosk's pairing nonce, which the kiosk wrote beside the answer in
/// `exchange` when it accepted it, checked against the QR code scanned (see
/// [`crate::sync::comparison_code`]). `kiosk_id` may be left out when exactly one kiosk is
/// waiting. A wrong code leaves the link pending (and is logged).
pub fn confirm_pairing(
    store: &OpenStore, actor: &Actor, kiosk_id: Option<&str>, typed_code: &str, exchange: &Path,
    now: DateTime<Utc>,
) -> Result<Confirmed, ExchangeError> {
    let kiosk_id = match kiosk_id {
        Some(id) => id.to_owned(),
        None => {
            let mut pending: Vec<String> = store
                .kiosk_links()?
                .into_iter()
                .filter(|l| l.state() == LinkState::Pending)
                .map(|l| l.kiosk_id)
                .collect();
            match pending.len() {
                0 => return Err(ExchangeError::NothingToConfirm),
                1 => pending.remove(0),
                _ => return Err(ExchangeError::WhichKiosk { pending }),
            }
        }
    };
    let pending = store.pending_kiosk_link(&kiosk_id)?;
    let code = revealed_code(store, actor, &pending, exchange, now)?;
    let link = store.confirm_kiosk_with_code(actor, &kiosk_id, typed_code, &code, now)?;
    Ok(Confirmed {
        kiosk_id,
        comparison_code: link.comparison_code,
    })
}

/// The comparison code of `pending`, from the nonce its kiosk revealed in `exchange`: refused
/// when there is none yet, or it is not the nonce behind the QR code this desk scanned.
fn revealed_code(
    store: &OpenStore, actor: &Actor, pending: &crate::store::KioskLink, exchange: &Path,
    now: DateTime<Utc>,
) -> Result<String, ExchangeError> {
    let path = exchange.join(super::kiosk_side::reveal_file_name(&pending.kiosk_id));
    if std::fs::symlink_metadata(&path).is_err() {
        return Err(ExchangeError::NoReveal(exchange.to_owned()));
    }
    let bytes = files::read_capped(&path, Expected::PairingReveal)?;
    let mismatch = || ExchangeError::RevealMismatch {
        kiosk_id: pending.kiosk_id.clone(),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| mismatch())?;
    let reveal = crate::sync::PairingReveal::parse(text).map_err(|_| mismatch())?;
    let kept = pending
        .comparison_code
        .strip_prefix(PENDING_PREFIX)
        .and_then(crate::hex::decode)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(mismatch)?;
    if reveal.kiosk_id != pending.kiosk_id || !crate::sync::reveal_matches(&reveal.nonce, &kept) {
        return Err(mismatch());
    }
    let kiosk_sign: [u8; 32] = pending
        .sign_public
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::tampered("kiosk_links", "sign_public"))?;
    let desk = desk_keys(store, actor, now)?.public();
    Ok(crate::sync::comparison_code(
        &kiosk_sign,
        &desk.kem_public,
        &desk.sign_public,
        &reveal.nonce,
    ))
}

/// What happened to one bundle file.
#[derive(Debug)]
pub enum BundleOutcome {
    Imported {
        file: String,
        kiosk_id: String,
        seq: u64,
        report: ImportReport,
        receipt: PathBuf,
        /// The forms are stored (and handed on), but their receipt could not be written (e.g.
        /// the medium is full): the kiosk keeps them until it has one. The next import writes it.
        receipt_error: Option<String>,
    },
    Refused {
        file: String,
        error: ExchangeError,
    },
}

impl BundleOutcome {
    /// A bundle imported before (the kiosk has not read its receipt yet, and removes it once it
    /// has): no alarm, nothing to do. Its receipt, if missing, was written again.
    pub fn already_imported(&self) -> bool {
        matches!(
            self,
            BundleOutcome::Refused {
                error: ExchangeError::Replayed { .. },
                ..
            }
        )
    }
}

/// Imports every bundle in `dir` addressed to this desk, each on its own: one that fails is
/// reported and leaves nothing behind; the others go ahead. Each new form goes to `outbox`
/// before its bundle is stored, and the signed receipt to `dir` after (see [`import_file`]).
pub fn import_folder(
    store: &mut OpenStore, actor: &Actor, dir: &Path, outbox: &Path, now: DateTime<Utc>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Vec<BundleOutcome>, ExchangeError> {
    let keys = desk_keys(store, actor, now)?;
    // Checked before anything is read: a folder that cannot be written at all is said once, not
    // once a bundle (a bundle whose forms still do not fit is refused on its own, below).
    files::apart(dir, outbox)?;
    files::check_writable(outbox, Readers::OwnerOnly)?;
    // Likewise the exchange folder, where each receipt goes once its bundle is stored (a
    // read-only or full medium is said before anything is stored, not after).
    files::check_writable(dir, Readers::Exchange)?;
    let mut outcomes = Vec::new();
    for path in files::list(dir, "bundle-", ".ikb")? {
        let file = file_name(&path);
        match import_file(store, actor, &keys, &path, dir, Some(outbox), now, progress) {
            Ok(imported) => outcomes.push({
                tracing::info!(
                    kiosk = %imported.kiosk_id,
                    seq = imported.seq,
                    added = imported.report.added.len(),
                    duplicates = imported.report.duplicates.len(),
                    "imported {file:?}"
                );
                if let Some(e) = &imported.receipt_error {
                    tracing::warn!("stored {file:?}, but its receipt was not written: {e}");
                }
                BundleOutcome::Imported {
                    file,
                    kiosk_id: imported.kiosk_id,
                    seq: imported.seq,
                    report: imported.report,
                    receipt: imported.receipt,
                    receipt_error: imported.receipt_error.map(|e| e.to_string()),
                }
            }),
            Err(error) => {
                // The error names what failed (a signature, a check, a kiosk); never a value.
                if matches!(error, ExchangeError::Replayed { .. }) {
                    tracing::info!("imported before: {error}");
                } else {
                    tracing::warn!("refused bundle {file:?}: {error}");
                }
                outcomes.push(BundleOutcome::Refused { file, error })
            }
        }
    }
    Ok(outcomes)
}

/// One bundle stored: what the import did.
pub struct Imported {
    pub kiosk_id: String,
    pub seq: u64,
    pub report: ImportReport,
    pub receipt: PathBuf,
    /// Why the receipt was not written, when it was not (the bundle is stored all the same).
    pub receipt_error: Option<ExchangeError>,
}

/// Imports one bundle file, hands its new forms on into `outbox` and writes its signed receipt
/// to `exchange`. The file is checked (its framing, its kiosk, its signature) before the store
/// is touched; its forms are then read one at a time as they are stored, in one transaction
/// that any bad form rolls back, so memory does not grow with the bundle. The forms are
/// handed on inside the import's transaction, before it commits: when the outbox cannot take
/// them (a full disk, a folder planted under a form's name), nothing of the bundle is stored and
/// no receipt is written, so the kiosk keeps the forms and the next import tries again; a crash
/// between the files and the commit leaves files that the next import writes again. `outbox`
/// `None`: not handed on here (a caller that times the hand-on apart hands them on itself).
#[allow(clippy::too_many_arguments)]
pub fn import_file(
    store: &mut OpenStore, actor: &Actor, keys: &DeskKeys, path: &Path, exchange: &Path,
    outbox: Option<&Path>, now: DateTime<Utc>, progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Imported, ExchangeError> {
    let file = file_name(path);
    let format = |error| ExchangeError::Format {
        file: file.clone(),
        error,
    };
    let bytes = files::read_capped(path, Expected::Bundle)?;
    let parsed = ParsedBundle::parse(&bytes).map_err(format)?;
    let header = parsed.header().clone();
    let link = store
        .kiosk_link(&header.kiosk_id)?
        .filter(|l| !l.revoked)
        .ok_or_else(|| ExchangeError::UnknownKiosk {
            file: file.clone(),
            kiosk_id: header.kiosk_id.clone(),
        })?;
    if !link.confirmed {
        return Err(ExchangeError::KioskNotConfirmed {
            file,
            kiosk_id: header.kiosk_id,
        });
    }
    let sign_public: [u8; 32] = link
        .sign_public
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::tampered("kiosk_links", "sign_public"))?;
    let verified = parsed.verify(&sign_public).map_err(format)?;
    let file_hash = verified.file_hash().to_owned();
    let receipt_name = format!("receipt-{}-{:08}.ikr", header.kiosk_id, header.seq);
    if let Some(stored_hash) = store.imported_file_hash(&header.kiosk_id, header.seq)? {
        // Signed by the kiosk, numbered as one taken before, holding something else: the kiosk
        // numbers its bundles from an older state (restored from a backup). Not a replay to
        // pass over calmly: its forms would never arrive.
        if stored_hash != file_hash {
            return Err(ExchangeError::BundleNumberReused {
                file,
                kiosk_id: header.kiosk_id,
                seq: header.seq,
            });
        }
        // Stored before, from this very file, and its receipt is not beside it (writing it
        // failed after the import): written now, so that the kiosk can let the forms go. Every
        // form of the file was stored (added or held) by that import.
        if !exchange.join(&receipt_name).exists() {
            let opened = verified.open(keys).map_err(format)?;
            let submission_ids = opened
                .entries()
                .iter()
                .filter(|e| e.kind.is_submission())
                .map(|e| e.id.to_owned())
                .collect();
            write_receipt(keys, &header, submission_ids, exchange, &receipt_name, now)?;
            tracing::info!("{file:?} was imported before; its receipt is written now");
        }
        return Err(ExchangeError::Replayed {
            file,
            kiosk_id: header.kiosk_id,
            seq: header.seq,
        });
    }
    let opened = verified.open(keys).map_err(format)?;
    let bundle = BundleForms::read(&opened, &file)?;
    let checkpoint = &header.audit_checkpoint;
    let head = AuditHead {
        length: checkpoint.length,
        last_tag: checkpoint.last_tag.clone(),
        previous: checkpoint.previous.as_ref().map(|p| PriorCheckpoint {
            seq: p.seq,
            length: p.length,
            tag: p.tag.clone(),
        }),
    };
    let stored = BundleIn {
        kiosk_id: &header.kiosk_id,
        seq: header.seq,
        head: &head,
        file_hash: &file_hash,
        forms: &bundle.forms,
        security: &bundle.security,
    };
    // The forms read one at a time as the store takes them, their ids kept for the receipt.
    let total = bundle.len();
    let mut submission_ids = Vec::with_capacity(total);
    let mut read = 0;
    progress(&file, 0, total);
    let next = || {
        (read < total).then(|| {
            let submission = bundle.submission(read)?;
            read += 1;
            if read % 500 == 0 || read == total {
                progress(&file, read, total);
            }
            submission_ids.push(submission.submission_id.clone());
            Ok(submission)
        })
    };
    // Handed on inside the import's transaction, each stored form read from the bundle again.
    let hand_on = |report: &ImportReport| match outbox {
        Some(outbox) => super::outbox::hand_on(&header.kiosk_id, &bundle, &report.added, outbox)
            .map(|_| ())
            .map_err(|error| ExchangeError::NotHandedOn {
                file: file.clone(),
                error: Box::new(error),
            }),
        None => Ok(()),
    };
    let report = store
        .import_streamed(actor, &stored, next, now, hand_on)
        .map_err(|e| match e {
            StoreError::AlreadyImported { kiosk_id, seq } => ExchangeError::Replayed {
                file: file.clone(),
                kiosk_id,
                seq,
            },
            clock @ StoreError::KioskClock { .. } => ExchangeError::BadTimes {
                file: file.clone(),
                error: clock,
            },
            // The store's checks of what the bundle carries (a form that does not match its
            // hash, a security event of an unknown kind…): the bundle's fault, said as such.
            StoreError::Encoding(detail) => ExchangeError::BadContent {
                file: file.clone(),
                detail,
            },
            other => other.into(),
        })??;
    // Stored: from here on the outcome is "imported", whatever the receipt's fate.
    let receipt_error =
        write_receipt(keys, &header, submission_ids, exchange, &receipt_name, now).err();
    Ok(Imported {
        kiosk_id: header.kiosk_id,
        seq: header.seq,
        report,
        receipt: exchange.join(receipt_name),
        receipt_error,
    })
}

/// Signs and writes the receipt of bundle `header` (its forms `submission_ids`) to
/// `exchange/name`.
fn write_receipt(
    keys: &DeskKeys, header: &BundleHeader, submission_ids: Vec<String>, exchange: &Path,
    name: &str, now: DateTime<Utc>,
) -> Result<PathBuf, ExchangeError> {
    let receipt = Receipt {
        desk_id: keys.desk_id().to_owned(),
        kiosk_id: header.kiosk_id.clone(),
        bundle_seq: header.seq,
        submission_ids,
        received_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    files::write_atomically(exchange, name, &receipt.sign(keys)?, Readers::Exchange)
}
