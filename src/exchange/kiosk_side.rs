//! The kiosk's sync actions. Each takes the open store and a manager (signed in with a PIN on
//! the tablet, or with their passphrase on the command line).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::files::{self, Expected, Readers};
use super::submission_entry;
use super::{ExchangeError, PAIRING_VALID_SECONDS, file_name, own_keys, renew_own_keys};
use crate::store::{Actor, DeskLink, OpenStore};
use crate::sync::{
    AuditCheckpoint, BundleParts, BundleWriter, DeskPublic, EntryKind, KioskKeys,
    PAIRING_OFFER_VERSION, PairingAnswer, PairingOffer, PreviousCheckpoint, Receipt,
    comparison_code,
};

/// The kiosk's keys, made on first use.
pub fn kiosk_keys(
    store: &OpenStore, actor: &Actor, now: DateTime<Utc>,
) -> Result<KioskKeys, ExchangeError> {
    own_keys(store, actor, now)
}

/// This tablet becomes a new kiosk to the back office: new keys under a new id, its desk link
/// revoked (see [`OpenStore::renew_sync_identity`]: for a kiosk its desk revoked, or one restored
/// from a backup). Pair it again afterwards. Returns the old id, if any, and the new one.
pub fn new_kiosk_id(
    store: &OpenStore, actor: &Actor, now: DateTime<Utc>,
) -> Result<(Option<String>, String), ExchangeError> {
    renew_own_keys::<KioskKeys>(store, actor, now)
}

/// Starts pairing: a fresh pairing nonce (kept, sealed, as the offer's secret in the store) whose
/// hash is the QR code's one-time secret, valid ten minutes. Returns the QR code's text
/// (zeroizing: it holds the secret) and its expiry.
pub fn start_pairing(
    store: &OpenStore, actor: &Actor, now: DateTime<Utc>,
) -> Result<(Zeroizing<String>, DateTime<Utc>), ExchangeError> {
    let keys = kiosk_keys(store, actor, now)?;
    let expires = now + chrono::Duration::seconds(PAIRING_VALID_SECONDS);
    let nonce = Zeroizing::new(crate::sync::random_bytes::<32>()?);
    let offer = PairingOffer::from_nonce(&keys, &nonce, expires.timestamp())?;
    let offer_id = crate::sync::random_id()?;
    store.save_pairing_offer(actor, &offer_id, nonce.as_slice(), expires.timestamp(), now)?;
    Ok((offer.to_text()?, expires))
}

/// The file the kiosk reveals its pairing nonce in, beside the desk's answer.
pub fn reveal_file_name(kiosk_id: &str) -> String {
    format!("pair-reveal-{kiosk_id}.ikpr")
}

/// Reads the desk's answer from `dir`, checks it against the open offer and stores the desk,
/// unconfirmed. Returns the comparison code to show beside the desk's.
pub fn read_pairing_answer(
    store: &OpenStore, actor: &Actor, dir: &Path, now: DateTime<Utc>,
) -> Result<DeskLink, ExchangeError> {
    let keys = kiosk_keys(store, actor, now)?;
    let stored = store
        .latest_pairing_offer()?
        .ok_or(ExchangeError::NoPairingStarted)?;
    // The stored secret is the pairing nonce; the QR code showed its hash.
    let mut nonce = Zeroizing::new([0u8; 32]);
    if stored.secret.len() != 32 {
        return Err(crate::store::StoreError::tampered("pairing_offers", "secret").into());
    }
    nonce.copy_from_slice(&stored.secret);
    let offer = PairingOffer {
        version: PAIRING_OFFER_VERSION,
        kiosk_id: keys.kiosk_id().to_owned(),
        kiosk_sign_public: keys.sign_public(),
        secret: Zeroizing::new(crate::sync::offer_secret(&nonce)),
        expires_at: stored.expires_at,
    };
    let path = dir.join(format!("pair-{}.ikpa", keys.kiosk_id()));
    if std::fs::symlink_metadata(&path).is_err() {
        return Err(ExchangeError::NoAnswer(dir.to_owned()));
    }
    let bytes = files::read_capped(&path, Expected::PairingAnswer)?;
    let answer = PairingAnswer::open(&bytes, &offer, now.timestamp()).map_err(|error| {
        ExchangeError::Format {
            file: file_name(&path),
            error,
        }
    })?;
    let desk = answer.desk_public();
    // Checked after the MAC so a forged file cannot tell whether the code was used. Once an
    // answer is accepted (and the nonce may have been revealed) no other is: only the same
    // answer read again, which writes the reveal again (a first write that failed, a second tap).
    if stored.used {
        let same = store.desk_link()?.filter(|link| {
            !link.confirmed
                && link.desk_id == desk.desk_id
                && link.kem_public == desk.kem_public
                && link.sign_public == desk.sign_public
        });
        let Some(link) = same else {
            return Err(ExchangeError::PairingCodeUsed);
        };
        reveal(dir, keys.kiosk_id(), &nonce)?;
        return Ok(link);
    }
    let link = DeskLink {
        comparison_code: comparison_code(
            &keys.sign_public(),
            &desk.kem_public,
            &desk.sign_public,
            &nonce,
        ),
        desk_id: desk.desk_id,
        kem_public: desk.kem_public.to_vec(),
        sign_public: desk.sign_public.to_vec(),
        paired_at: now.to_rfc3339(),
        confirmed: false,
    };
    // Stored (the offer used) before the nonce is revealed: no answer after it is taken.
    store.link_desk(actor, &stored.id, &link, now)?;
    reveal(dir, keys.kiosk_id(), &nonce)?;
    Ok(link)
}

/// Writes the kiosk's pairing nonce for the desk ([`crate::sync::PairingReveal`]).
fn reveal(dir: &Path, kiosk_id: &str, nonce: &[u8; 32]) -> Result<(), ExchangeError> {
    let text = crate::sync::PairingReveal {
        kiosk_id: kiosk_id.to_owned(),
        nonce: *nonce,
    }
    .to_text()?;
    files::write_atomically(
        dir,
        &reveal_file_name(kiosk_id),
        text.as_bytes(),
        Readers::Exchange,
    )?;
    Ok(())
}

/// The manager saw the same code on both screens.
pub fn confirm_pairing(
    store: &OpenStore, actor: &Actor, now: DateTime<Utc>,
) -> Result<(), ExchangeError> {
    let link = store.desk_link()?.ok_or(ExchangeError::NotPaired)?;
    store.confirm_desk(actor, &link.desk_id, now)?;
    Ok(())
}

fn desk_public(link: &DeskLink) -> Result<DeskPublic, ExchangeError> {
    let key = |bytes: &[u8]| -> Result<[u8; 32], ExchangeError> {
        bytes
            .try_into()
            .map_err(|_| crate::store::StoreError::tampered("desk_link", "public key").into())
    };
    Ok(DeskPublic {
        desk_id: link.desk_id.clone(),
        kem_public: key(&link.kem_public)?,
        sign_public: key(&link.sign_public)?,
    })
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    pub seq: u64,
    pub submissions: usize,
    pub file: PathBuf,
}

/// Writes every submission the desk has not acknowledged into one sealed, signed bundle in
/// `dir`. `None` when there is nothing to send. The store notes the export only once the file
/// is complete on the medium.
pub fn export(
    store: &OpenStore, actor: &Actor, dir: &Path, now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Option<Exported>, ExchangeError> {
    let link = store.desk_link()?.ok_or(ExchangeError::NotPaired)?;
    if !link.confirmed {
        return Err(ExchangeError::NotConfirmed {
            code: link.comparison_code,
        });
    }
    let keys = kiosk_keys(store, actor, now)?;
    // For the progress shown only (the rows are counted, not read).
    let total = usize::try_from(store.pending_count()?).unwrap_or(0);
    let head = store.audit_head()?;
    let previous = store
        .previous_checkpoint(&link.desk_id)?
        .map(|p| PreviousCheckpoint {
            seq: p.seq,
            length: p.length,
            tag: p.tag,
        });
    let seq = store.next_bundle_seq()?;
    // Taken before the file is written: a file on the medium whose number was not noted would
    // be numbered again.
    store.begin_export(actor, &link.desk_id, seq, head.length, now)?;
    let parts = BundleParts {
        seq,
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        audit_checkpoint: AuditCheckpoint {
            length: head.length,
            last_tag: head.last_tag,
            previous,
        },
    };
    let mut writer = BundleWriter::new(parts, &desk_public(&link)?, &keys)?;
    // One buffer for every submission's JSON and one for its entry, large enough for a form that
    // they do not grow (a growing buffer would leave copies behind in the memory it frees),
    // wiped at the end. Each submission is sealed into the bundle as it is read, and let go.
    let mut json = Zeroizing::new(Vec::with_capacity(64 * 1024));
    let mut entry = Zeroizing::new(Vec::with_capacity(64 * 1024));
    let mut added = 0;
    let rest = store.each_outgoing(actor, &mut |submission| {
        entry.clear();
        submission_entry::write(&submission, &mut json, &mut entry)
            .map_err(crate::store::StoreError::from)?;
        writer.add(
            submission_entry::WRITTEN_KIND,
            &submission.submission_id,
            &entry,
        )?;
        added += 1;
        if added == 1 {
            writer.expect_more(total.saturating_sub(1));
        }
        if added % 500 == 1 {
            progress(added, total.max(added));
        }
        Ok::<(), ExchangeError>(())
    })?;
    if added == 0 {
        store.drop_empty_bundle(actor, seq)?;
        tracing::info!("export: nothing to export");
        return Ok(None);
    }
    progress(added, added);
    // The forms and security events after the submissions: the desk reads a bundle whole before
    // it stores any of it, in any order.
    for form in &rest.forms {
        let json = serde_json::to_vec(form).map_err(crate::store::StoreError::from)?;
        writer.add(EntryKind::Form, &form.hash, &json)?;
    }
    if !rest.security.is_empty() {
        let json = serde_json::to_vec(&rest.security).map_err(crate::store::StoreError::from)?;
        writer.add(EntryKind::SecurityLog, "security", &json)?;
    }
    let bundle = writer.finish()?;
    let name = format!("bundle-{}-{seq:08}.ikb", keys.kiosk_id());
    let file = files::write_atomically(dir, &name, bundle.as_bytes(), Readers::Exchange)?;
    store.record_export(actor, seq, &rest.pending, now)?;
    tracing::info!(seq, forms = added, "exported bundle {}", file.display());
    Ok(Some(Exported {
        seq,
        submissions: added,
        file,
    }))
}

/// What reading receipts did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceiptsRead {
    pub receipts: usize,
    pub purged: usize,
    /// Another program had the kiosk's database open: old copies of the purged forms stay in
    /// its write-ahead log until that program closes.
    pub old_copies_remain: bool,
    /// Files that looked like receipts for this kiosk and were refused (cut, edited, from
    /// another desk, not a file…), each with why; each changed nothing.
    pub refused: Vec<(String, String)>,
}

/// Verifies every receipt for this kiosk in `dir` against the paired desk's key, marks the
/// named submissions delivered and purges them. Each receipt is whole on its own: one that fails
/// is listed in [`ReceiptsRead::refused`], changes nothing and stops no other (a file planted in
/// the folder must not keep delivered forms on the tablet). Failing to read the folder, or the
/// store failing, stops the run.
pub fn read_receipts(
    store: &OpenStore, actor: &Actor, dir: &Path, now: DateTime<Utc>,
) -> Result<ReceiptsRead, ExchangeError> {
    let link = store.desk_link()?.ok_or(ExchangeError::NotPaired)?;
    let keys = kiosk_keys(store, actor, now)?;
    let desk = desk_public(&link)?;
    let mut done = ReceiptsRead::default();
    for path in files::list(dir, &format!("receipt-{}-", keys.kiosk_id()), ".ikr")? {
        let file = file_name(&path);
        let checked = files::read_capped(&path, Expected::Receipt).and_then(|bytes| {
            let format = |error| ExchangeError::Format {
                file: file.clone(),
                error,
            };
            let claimed = Receipt::peek(&bytes).map_err(format)?;
            if claimed.desk_id != link.desk_id {
                return Err(ExchangeError::ReceiptFromUnpairedDesk { file: file.clone() });
            }
            Receipt::verify_for(&bytes, &desk, keys.kiosk_id()).map_err(format)
        });
        let receipt = match checked {
            Ok(receipt) => receipt,
            Err(error) => {
                tracing::warn!("refused receipt {file:?}: {error}");
                done.refused.push((file, error.to_string()));
                continue;
            }
        };
        let purge = store.apply_receipt(
            actor,
            &receipt.desk_id,
            receipt.bundle_seq,
            &receipt.submission_ids,
            now,
        )?;
        done.purged += purge.submissions;
        done.old_copies_remain |= purge.old_copies_remain;
        done.receipts += 1;
        // Used up: the receipt, and the bundle it acknowledges, leave the medium.
        let bundle = dir.join(format!(
            "bundle-{}-{:08}.ikb",
            keys.kiosk_id(),
            receipt.bundle_seq
        ));
        let _ = std::fs::remove_file(bundle);
        let _ = std::fs::remove_file(&path);
    }
    Ok(done)
}
