//! Export bundles: what a kiosk hands to its desk. Only the desk can read the entries; anyone
//! holding the kiosk's public key can check the bundle came whole from that kiosk.
//!
//! ```text
//! "IKSB" | version 3
//! header      section: JSON BundleHeader (at most 64 KiB)
//! enc         section: the bundle's HPKE encapsulated key (32)
//! entry × N   kind (u8: 1 form, 2 submission, 3 security log, 4 compact submission,
//!             5 packed submission) | id section
//!             | sealed section (ciphertext ‖ 16-byte Poly1305 tag)
//! signature   section: Ed25519 (64) by the kiosk over a domain label and the SHA-256 of every
//!             byte before this section (version 1: over those bytes themselves)
//! ```
//!
//! Why entries are compressed (version 3): an entry's plaintext (but a packed submission's, whose
//! parts come packed) is packed (`crate::packing`: its length, then an LZ4 block) before it is
//! sealed, and unpacked after it opens, never beyond [`MAX_ENTRY_PLAINTEXT`]. A submission's JSON repeats field names and ids (eight consent
//! decisions each name the same patient, form and device), and a day's bundle spent most of its
//! export time sealing, writing and syncing those bytes, and most of its reading time reading
//! them back. The packing module says why compressing before sealing leaks nothing here that
//! matters (one unit per submission, no chosen text beside another patient's secret). Versions 1
//! and 2 (entries not packed) are still read.
//!
//! Why a digest is signed (version 2): Ed25519 hashes what it signs twice with SHA-512, which for
//! a day's bundle (10,000 forms, ~75 MB) took a quarter of a second on the project's build
//! machine; one SHA-256 pass (hardware-assisted where the CPU has it) takes a fraction of that,
//! and the signature still covers every byte (SHA-256 is collision resistant). Version-1 bundles
//! from kiosks not yet updated are still read.
//!
//! # Sealing
//!
//! Each bundle makes one fresh HPKE context to the desk's KEM key (RFC 9180 base mode,
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, export-only AEAD) with
//! `info` = a domain label ‖ kiosk id ‖ desk id ‖ seq, and takes from its secret exporter
//! (RFC 9180 §5.3) one ChaCha20-Poly1305 key for the bundle's entries. Entry `i` is sealed with
//! ring under that key with the nonce `i` (a counter: each bundle key is new, so no nonce repeats)
//! and `aad` = a domain label ‖ kiosk id ‖ seq ‖ entry kind ‖ entry id. So an entry
//! - opens only at the desk (only its X25519 secret recovers the bundle key);
//! - cannot be moved to another bundle (other key), reordered within one (other nonce),
//!   relabelled (kind) or renamed (id) — not even in a bundle the kiosk signs afresh.
//!
//! Why one HPKE context per bundle rather than per entry: an X25519 encapsulation (an ephemeral
//! key pair plus a Diffie-Hellman) measured 140–210 µs with hpke, and 85 µs even with ring's
//! assembly, on the project's 2-core build machine. Per entry, that caps sealing at 5,000–11,000
//! entries/s against a target of 20,000. The exporter keeps the guarantees above at the cost of
//! one encapsulation per bundle, and entries seal at the speed of ChaCha20-Poly1305 (well over
//! 100,000 entries/s of 3 KiB). The bundle key lives in the writer (and the desk's opener) only, in
//! ring's key type (which, as in the vault, ring does not zeroize); the exported bytes are
//! zeroized.
//!
//! The kiosk holds only the desk's *public* keys, so once a bundle is written it cannot open it:
//! an exported bundle on a lost USB stick is unreadable to whoever finds the kiosk too.
//!
//! # Reading
//!
//! In steps, so the caller can look up the right key first: [`ParsedBundle::parse`] checks the
//! framing and the header (no crypto), [`ParsedBundle::verify`] checks the kiosk's signature and
//! gives a [`VerifiedBundle`], and [`VerifiedBundle::open`] recovers the bundle key with the
//! desk's keys ([`OpenedBundle`]), which opens entries. Parsing borrows the input: entries are
//! never copied until opened. The header's `entry_count` must equal the entries present.

use hpke::aead::ExportOnlyAead;
use hpke::kdf::HkdfSha256;
use hpke::{Deserializable, OpModeS, Serializable};
use ring::aead::{self as ring_aead, Aad, LessSafeKey, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::encoding::{check_id, check_timestamp, is_lower_hex};
use super::frame::{FrameWriter, MAX_ENTRIES, MAX_FIELD, SECTION_PREFIX_LEN, section_len};
use super::keys::{Kem, KemPublicKey, SIGNATURE_LEN};
use super::{DeskPublic, FileKind, KioskKeys, SyncError};
use crate::packing;

mod read;
pub use read::{BundleEntry, OpenedBundle, ParsedBundle, VerifiedBundle};

/// The bundle format this build writes (it reads this one and the two before it).
pub const BUNDLE_VERSION: u8 = 3;
/// The second format, still read: as version 3, with entries sealed as they are (not packed).
pub const DIGEST_BUNDLE_VERSION: u8 = 2;
/// The first format, still read: its signature covers the bytes themselves, not their digest.
pub const LEGACY_BUNDLE_VERSION: u8 = 1;
/// The longest header accepted.
pub const MAX_HEADER_LEN: usize = 64 * 1024;
/// The longest entry id accepted.
pub const MAX_ENTRY_ID_LEN: usize = 128;
/// The largest plaintext one entry may hold (the sealed section adds a 16-byte tag).
pub const MAX_ENTRY_PLAINTEXT: usize = MAX_FIELD - TAG_LEN;

const TAG_LEN: usize = 16;
const ENC_LEN: usize = 32;
const MAX_AUDIT_TAG_LEN: usize = 128;
/// The smallest possible entry: kind, a one-byte id and an empty sealed plaintext.
const MIN_ENTRY_LEN: usize = 1 + SECTION_PREFIX_LEN + 1 + SECTION_PREFIX_LEN + TAG_LEN;
const SIGNATURE_SECTION_LEN: usize = SECTION_PREFIX_LEN + SIGNATURE_LEN;
/// Room kept in front of a writer's entries for the bundle's head (preamble, header section,
/// `enc` section), written there when the bundle is finished: the entries are never copied
/// into a second buffer behind a head of known length.
const HEAD_ROOM: usize =
    super::frame::PREAMBLE_LEN + SECTION_PREFIX_LEN + MAX_HEADER_LEN + SECTION_PREFIX_LEN + ENC_LEN;

const INFO_LABEL: &[u8] = b"intake-kiosk/sync/v1/bundle\0";
const EXPORT_LABEL: &[u8] = b"intake-kiosk/sync/v1/bundle-entry-key";
const AAD_LABEL: &[u8] = b"intake-kiosk/sync/v1/bundle-entry-aad\0";
const SIGNATURE_LABEL: &[u8] = b"intake-kiosk/sync/v2/bundle-signature\0";

type Kdf = HkdfSha256;
type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

/// What an entry holds. Bound into its seal: an entry cannot be relabelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A form definition (so the desk can render submissions made with it).
    Form,
    /// A patient's submission, as the JSON the desk's outbox also hands on (written until
    /// session 22; still read).
    Submission,
    /// A patient's submission, each run of consent decisions saying what they share once
    /// (`exchange::submission_entry`). A desk older than this kind refuses the bundle whole
    /// (unknown entry kind): upgrade the desk before its kiosks.
    CompactSubmission,
    /// The kiosk's recent security events (wrong PINs, lockouts, failed unlocks): kinds and
    /// times only, for the desk's unusual-access flags.
    SecurityLog,
    /// A patient's submission whose parts are packed by the entry itself
    /// (`exchange::submission_entry`): its answers and signature as the kiosk's store keeps
    /// them, packed, beside the rest. The bundle seals this kind's plaintext as it is (packing it
    /// again would gain nothing). A desk older than this kind refuses the bundle whole. Written
    /// until session 38; still read.
    PackedSubmission,
    /// A packed submission whose consent runs travel likewise, each run's value as the kiosk's
    /// consent ledger sealed it (`exchange::submission_entry`). Not packed by the bundle either.
    /// A desk older than this kind refuses the bundle whole.
    RunsSubmission,
}

impl EntryKind {
    /// Whether the entry carries a patient's submission, in any of its shapes.
    pub fn is_submission(self) -> bool {
        matches!(
            self,
            Self::Submission
                | Self::CompactSubmission
                | Self::PackedSubmission
                | Self::RunsSubmission
        )
    }

    fn to_byte(self) -> u8 {
        match self {
            EntryKind::Form => 1,
            EntryKind::Submission => 2,
            EntryKind::SecurityLog => 3,
            EntryKind::CompactSubmission => 4,
            EntryKind::PackedSubmission => 5,
            EntryKind::RunsSubmission => 6,
        }
    }

    /// Whether a version-3 bundle packs this kind's plaintext before sealing it (every kind but
    /// those that pack their own parts).
    fn packed_by_bundle(self) -> bool {
        !matches!(
            self,
            EntryKind::PackedSubmission | EntryKind::RunsSubmission
        )
    }

    fn from_byte(byte: u8) -> Result<Self, SyncError> {
        match byte {
            1 => Ok(EntryKind::Form),
            2 => Ok(EntryKind::Submission),
            3 => Ok(EntryKind::SecurityLog),
            4 => Ok(EntryKind::CompactSubmission),
            5 => Ok(EntryKind::PackedSubmission),
            6 => Ok(EntryKind::RunsSubmission),
            other => Err(SyncError::UnknownEntryKind(other)),
        }
    }
}

/// Where the kiosk's audit log stood when the bundle was made, so the desk can tell a later
/// bundle's log grew by appending only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditCheckpoint {
    /// Entries in the audit log.
    pub length: u64,
    /// The last entry's chain tag, lowercase hex (empty for an empty log).
    pub last_tag: String,
    /// Where the log stood at the kiosk's previous bundle, read again from the log as it is
    /// now: the desk, holding that bundle, checks that this log grew from the one it saw. Absent
    /// from a kiosk's first bundle and from kiosks older than session 59.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousCheckpoint>,
}

/// The kiosk's previous bundle and its log at that bundle's length (see
/// [`AuditCheckpoint::previous`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousCheckpoint {
    /// That bundle's number.
    pub seq: u64,
    /// Entries in the log when it was made.
    pub length: u64,
    /// The chain tag of entry `length` of the log as it is now, lowercase hex.
    pub tag: String,
}

/// The bundle's header: in the clear (no patient data), covered by the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleHeader {
    pub kiosk_id: String,
    pub desk_id: String,
    /// The kiosk's bundle counter for this desk; bound into every entry.
    pub seq: u64,
    /// RFC 3339, by the kiosk's clock.
    pub created_at: String,
    pub audit_checkpoint: AuditCheckpoint,
    pub entry_count: u64,
}

impl BundleHeader {
    fn check(&self) -> Result<(), SyncError> {
        check_id(&self.kiosk_id)?;
        check_id(&self.desk_id)?;
        check_timestamp(&self.created_at)?;
        check_audit_tag(&self.audit_checkpoint.last_tag)?;
        if let Some(previous) = &self.audit_checkpoint.previous {
            // An earlier bundle, made when the log was no longer than now.
            check_audit_tag(&previous.tag)?;
            if previous.seq >= self.seq || previous.length > self.audit_checkpoint.length {
                return Err(SyncError::InvalidPreviousCheckpoint);
            }
        }
        if self.entry_count > u64::try_from(MAX_ENTRIES).unwrap_or(u64::MAX) {
            return Err(SyncError::TooManyEntries { limit: MAX_ENTRIES });
        }
        Ok(())
    }
}

/// The header fields the caller chooses; ids come from the keys, the count from the entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleParts {
    pub seq: u64,
    pub created_at: String,
    pub audit_checkpoint: AuditCheckpoint,
}

/// Builds a bundle one entry at a time. Each plaintext is sealed as it is added and only the
/// ciphertext is kept.
pub struct BundleWriter<'k> {
    kiosk: &'k KioskKeys,
    desk_id: String,
    parts: BundleParts,
    enc: [u8; ENC_LEN],
    entry_key: LessSafeKey,
    /// [`HEAD_ROOM`] bytes for the head, then the entries.
    body: Vec<u8>,
    entries: usize,
}

/// A finished, signed bundle: its bytes are the end of the writer's buffer (the head written
/// into the room kept in front of the entries).
pub struct SignedBundle {
    buffer: Vec<u8>,
    start: usize,
}

impl SignedBundle {
    /// The bundle file's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    /// The bytes, moved to the front of the buffer.
    pub fn into_vec(mut self) -> Vec<u8> {
        self.buffer.drain(..self.start);
        self.buffer
    }
}

impl<'k> BundleWriter<'k> {
    /// A bundle from `kiosk` to `desk`: makes the bundle's HPKE context and entry key.
    pub fn new(
        parts: BundleParts, desk: &DeskPublic, kiosk: &'k KioskKeys,
    ) -> Result<Self, SyncError> {
        check_id(&desk.desk_id)?;
        check_timestamp(&parts.created_at)?;
        check_audit_tag(&parts.audit_checkpoint.last_tag)?;
        let desk_kem_public =
            KemPublicKey::from_bytes(&desk.kem_public).map_err(|_| SyncError::InvalidKey)?;
        let info = bundle_info(kiosk.kiosk_id(), &desk.desk_id, parts.seq);
        // Fails only for a low-order desk key (all-zero shared secret): a bad key.
        let (enc, context) =
            hpke::setup_sender::<ExportOnlyAead, Kdf, Kem>(&OpModeS::Base, &desk_kem_public, &info)
                .map_err(|_| SyncError::InvalidKey)?;
        let mut enc_bytes = [0u8; ENC_LEN];
        enc.write_exact(&mut enc_bytes);
        let mut exported = Zeroizing::new([0u8; 32]);
        context
            .export(EXPORT_LABEL, exported.as_mut_slice())
            .map_err(|_| SyncError::SealFailed)?;
        Ok(BundleWriter {
            kiosk,
            desk_id: desk.desk_id.clone(),
            parts,
            enc: enc_bytes,
            entry_key: entry_key(&exported)?,
            body: vec![0; HEAD_ROOM],
            entries: 0,
        })
    }

    /// Makes room, at once, for `count` more entries (at most as many as a bundle may still
    /// take) the average size of those added so far and a quarter more — an export knows how
    /// many forms follow the first, not how long they are — so that the buffer is not grown
    /// again and again, each time copying every entry before it (room reserved and not used is
    /// never touched, so costs no memory). A hint: room that cannot be had now is left to be
    /// found as it fills.
    pub fn expect_more(&mut self, count: usize) {
        let average = (self.body.len() - HEAD_ROOM) / self.entries.max(1);
        let count = count.min(MAX_ENTRIES.saturating_sub(self.entries));
        let room = average.saturating_mul(count);
        let _ = self.body.try_reserve(room.saturating_add(room / 4));
    }

    /// Entries added so far.
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Packs (unless `kind` packs its own parts) and seals `plaintext` to the desk and appends
    /// it as entry `id` of `kind`.
    pub fn add(&mut self, kind: EntryKind, id: &str, plaintext: &[u8]) -> Result<(), SyncError> {
        if self.entries >= MAX_ENTRIES {
            return Err(SyncError::TooManyEntries { limit: MAX_ENTRIES });
        }
        check_entry_id(id)?;
        if plaintext.len() > MAX_ENTRY_PLAINTEXT {
            return Err(SyncError::FieldTooLarge {
                len: u64::try_from(plaintext.len()).unwrap_or(u64::MAX),
                limit: MAX_ENTRY_PLAINTEXT,
            });
        }
        // Packed, the plaintext can grow a little (incompressible bytes): checked once known.
        let id_prefix = section_len(id.len())?;
        let aad = entry_aad(self.kiosk.kiosk_id(), self.parts.seq, kind, id);

        let entry_start = self.body.len();
        self.body
            .reserve(1 + 4 + id.len() + 4 + packing::max_packed_len(plaintext.len()) + TAG_LEN);
        self.body.push(kind.to_byte());
        self.body.extend_from_slice(&id_prefix.to_le_bytes());
        self.body.extend_from_slice(id.as_bytes());
        let prefix_at = self.body.len();
        self.body.extend_from_slice(&[0; SECTION_PREFIX_LEN]);
        let ciphertext_start = self.body.len();
        // Capacity is reserved above, so the packed copy never leaves plaintext in a freed
        // buffer; it is encrypted in place at once.
        if kind.packed_by_bundle() {
            packing::pack_into(&mut self.body, plaintext);
        } else {
            self.body.extend_from_slice(plaintext);
        }
        let sealed_len = self.body.len() - ciphertext_start + TAG_LEN;
        let sealed = section_len(sealed_len).and_then(|prefix| {
            let tag = self
                .entry_key
                .seal_in_place_separate_tag(
                    entry_nonce(self.entries),
                    Aad::from(aad.as_slice()),
                    &mut self.body[ciphertext_start..],
                )
                .map_err(|_| SyncError::SealFailed)?;
            Ok((prefix, tag))
        });
        match sealed {
            Ok((prefix, tag)) => {
                self.body[prefix_at..ciphertext_start].copy_from_slice(&prefix.to_le_bytes());
                self.body.extend_from_slice(tag.as_ref());
                self.entries += 1;
                Ok(())
            }
            Err(error) => {
                self.body[entry_start..].zeroize();
                self.body.truncate(entry_start);
                Err(error)
            }
        }
    }

    /// The finished, signed bundle. The entry key is dropped with the writer.
    pub fn finish(mut self) -> Result<SignedBundle, SyncError> {
        let header = BundleHeader {
            kiosk_id: self.kiosk.kiosk_id().to_owned(),
            desk_id: self.desk_id,
            seq: self.parts.seq,
            created_at: self.parts.created_at,
            audit_checkpoint: self.parts.audit_checkpoint,
            entry_count: u64::try_from(self.entries)
                .map_err(|_| SyncError::TooManyEntries { limit: MAX_ENTRIES })?,
        };
        let header_json = serde_json::to_vec(&header)
            .map_err(|error| SyncError::MalformedHeader(error.to_string()))?;
        if header_json.len() > MAX_HEADER_LEN {
            return Err(SyncError::FieldTooLarge {
                len: u64::try_from(header_json.len()).unwrap_or(u64::MAX),
                limit: MAX_HEADER_LEN,
            });
        }
        let mut head = FrameWriter::with_capacity(FileKind::Bundle, BUNDLE_VERSION, 256);
        head.section(&header_json)?;
        head.section(&self.enc)?;
        let head = head.into_bytes();
        // Fits: the header was checked against MAX_HEADER_LEN above.
        let start = HEAD_ROOM - head.len();
        self.body[start..HEAD_ROOM].copy_from_slice(&head);
        let signature = self.kiosk.sign(&signed_message(&self.body[start..]))?;
        self.body.reserve(SIGNATURE_SECTION_LEN);
        self.body
            .extend_from_slice(&section_len(signature.len())?.to_le_bytes());
        self.body.extend_from_slice(&signature);
        Ok(SignedBundle {
            buffer: std::mem::take(&mut self.body),
            start,
        })
    }
}

/// What the kiosk signs in a version-2 bundle: a domain label and the SHA-256 of `prefix`, every
/// byte before the signature section.
pub(crate) fn signed_message(prefix: &[u8]) -> Vec<u8> {
    signed_message_of(&crate::vault::sha256(prefix))
}

/// [`signed_message`] from the SHA-256 of the prefix, already taken.
pub(crate) fn signed_message_of(prefix_digest: &[u8; 32]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_LABEL.len() + 32);
    message.extend_from_slice(SIGNATURE_LABEL);
    message.extend_from_slice(prefix_digest);
    message
}

/// HPKE `info`: the bundle key exists only for this kiosk → desk pair and this seq.
fn bundle_info(kiosk_id: &str, desk_id: &str, seq: u64) -> Vec<u8> {
    let mut info = Vec::with_capacity(INFO_LABEL.len() + kiosk_id.len() + desk_id.len() + 8);
    info.extend_from_slice(INFO_LABEL);
    info.extend_from_slice(kiosk_id.as_bytes());
    info.extend_from_slice(desk_id.as_bytes());
    info.extend_from_slice(&seq.to_le_bytes());
    info
}

/// The ChaCha20-Poly1305 key for a bundle's entries, from the HPKE exporter.
fn entry_key(exported: &[u8; 32]) -> Result<LessSafeKey, SyncError> {
    let key = UnboundKey::new(&ring_aead::CHACHA20_POLY1305, exported)
        .map_err(|_| SyncError::SealFailed)?;
    Ok(LessSafeKey::new(key))
}

/// Entry `index`'s nonce: the index as a 96-bit big-endian counter. Unique because each bundle
/// key is fresh and each index is used once.
fn entry_nonce(index: usize) -> Nonce {
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&u64::try_from(index).unwrap_or(u64::MAX).to_be_bytes());
    Nonce::assume_unique_for_key(nonce)
}

/// AEAD associated data: where the entry belongs. The id is length-prefixed (and last).
fn entry_aad(kiosk_id: &str, seq: u64, kind: EntryKind, id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AAD_LABEL.len() + kiosk_id.len() + 8 + 1 + 4 + id.len());
    aad.extend_from_slice(AAD_LABEL);
    aad.extend_from_slice(kiosk_id.as_bytes());
    aad.extend_from_slice(&seq.to_le_bytes());
    aad.push(kind.to_byte());
    let id_len = u32::try_from(id.len()).expect("entry ids are at most 128 bytes");
    aad.extend_from_slice(&id_len.to_le_bytes());
    aad.extend_from_slice(id.as_bytes());
    aad
}

/// 1 to 128 characters from `A-Z a-z 0-9 - _ . :` (hex ids, UUIDs, content hashes all fit).
pub(crate) fn check_entry_id(id: &str) -> Result<(), SyncError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ENTRY_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(())
    } else {
        Err(SyncError::InvalidEntryId)
    }
}

fn check_audit_tag(tag: &str) -> Result<(), SyncError> {
    if tag.len() > MAX_AUDIT_TAG_LEN || !tag.len().is_multiple_of(2) || !is_lower_hex(tag) {
        return Err(SyncError::InvalidAuditTag);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
