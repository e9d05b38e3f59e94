//! Reading a bundle in steps (see the parent module): parse the framing and header, verify the
//! kiosk's signature, recover the bundle key, open entries. Parsing borrows the input.

use hpke::aead::ExportOnlyAead;
use hpke::{Deserializable, OpModeR};
use ring::aead::{Aad, LessSafeKey};
use zeroize::Zeroizing;

use super::{
    BUNDLE_VERSION, BundleHeader, DIGEST_BUNDLE_VERSION, ENC_LEN, EXPORT_LABEL, EncappedKey,
    EntryKind, Kdf, LEGACY_BUNDLE_VERSION, MAX_ENTRY_ID_LEN, MAX_ENTRY_PLAINTEXT, MAX_HEADER_LEN,
    MIN_ENTRY_LEN, SIGNATURE_SECTION_LEN, TAG_LEN, bundle_info, check_entry_id, entry_aad,
    entry_key, entry_nonce, signed_message_of,
};
use crate::packing::{self, UnpackError};
use crate::sync::frame::{FrameReader, MAX_ENTRIES, MAX_FIELD};
use crate::sync::keys::{Kem, SIGNATURE_LEN, verify_ed25519};
use crate::sync::{DeskKeys, FileKind, SyncError};

/// One entry as it sits in a bundle: sealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BundleEntry<'a> {
    pub kind: EntryKind,
    pub id: &'a str,
    /// Ciphertext followed by the 16-byte tag.
    pub sealed: &'a [u8],
}

/// A bundle whose framing and header are sound but whose signature is not yet checked: read the
/// header to find the kiosk's key, then [`ParsedBundle::verify`].
#[derive(Debug)]
pub struct ParsedBundle<'a> {
    pub(super) header: BundleHeader,
    pub(super) enc: [u8; ENC_LEN],
    pub(super) entries: Vec<BundleEntry<'a>>,
    signed: &'a [u8],
    signature: [u8; SIGNATURE_LEN],
    version: u8,
    /// The whole file, signature and all (its hash names the file in the desk's records).
    bytes: &'a [u8],
}

impl<'a> ParsedBundle<'a> {
    /// Reads the framing and the header of outside input. No crypto yet; never panics.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, SyncError> {
        let (mut reader, version) = match FrameReader::new(bytes, FileKind::Bundle, BUNDLE_VERSION)
        {
            Err(SyncError::UnsupportedVersion {
                version: older @ (LEGACY_BUNDLE_VERSION | DIGEST_BUNDLE_VERSION),
                ..
            }) => (FrameReader::new(bytes, FileKind::Bundle, older)?, older),
            other => (other?, BUNDLE_VERSION),
        };
        let header_json = reader.section(MAX_HEADER_LEN)?;
        let header: BundleHeader = serde_json::from_slice(header_json)
            .map_err(|error| SyncError::MalformedHeader(error.to_string()))?;
        header.check()?;
        let enc = reader.fixed_section::<ENC_LEN>()?;
        let declared = header.entry_count;

        // Never trust the count for allocation: at most what the bytes left could hold.
        let capacity = usize::try_from(declared)
            .unwrap_or(MAX_ENTRIES)
            .min(reader.remaining() / MIN_ENTRY_LEN);
        let mut entries = Vec::with_capacity(capacity);
        for found in 0..declared {
            let before = reader.clone();
            match read_entry(&mut reader) {
                Ok(entry) => entries.push(entry),
                Err(error) => {
                    // Only the signature is left: the header announced more than is here.
                    if is_signature_tail(before) {
                        return Err(SyncError::EntryCountMismatch { declared, found });
                    }
                    return Err(error);
                }
            }
        }
        let signed_end = reader.position();
        let after_entries = reader.clone();
        let signature = reader
            .fixed_section::<SIGNATURE_LEN>()
            .and_then(|signature| reader.finish().map(|()| signature));
        let signature = match signature {
            Ok(signature) => signature,
            Err(error) => {
                // More entries than announced, then a signature?
                if let Some(extra) = count_extra_entries(after_entries) {
                    return Err(SyncError::EntryCountMismatch {
                        declared,
                        found: declared.saturating_add(extra),
                    });
                }
                return Err(error);
            }
        };
        Ok(ParsedBundle {
            header,
            enc,
            entries,
            signed: bytes.get(..signed_end).ok_or(SyncError::Truncated)?,
            signature,
            version,
            bytes,
        })
    }

    /// The header, unverified: use it only to find the kiosk's key.
    pub fn header(&self) -> &BundleHeader {
        &self.header
    }

    /// Checks the kiosk's signature over the whole bundle.
    pub fn verify(self, kiosk_sign_public: &[u8; 32]) -> Result<VerifiedBundle<'a>, SyncError> {
        let file_digest = if self.version == LEGACY_BUNDLE_VERSION {
            verify_ed25519(kiosk_sign_public, self.signed, &self.signature)?;
            crate::vault::sha256(self.bytes)
        } else {
            // One pass over the bytes for both hashes: the signed prefix's, then on through
            // the signature section to the whole file's.
            let mut context = ring::digest::Context::new(&ring::digest::SHA256);
            context.update(self.signed);
            let prefix_digest = digest_bytes(context.clone().finish());
            verify_ed25519(
                kiosk_sign_public,
                &signed_message_of(&prefix_digest),
                &self.signature,
            )?;
            context.update(self.bytes.get(self.signed.len()..).unwrap_or_default());
            digest_bytes(context.finish())
        };
        Ok(VerifiedBundle {
            bundle: self,
            file_hash: crate::vault::content_hash_of(&file_digest),
        })
    }
}

fn digest_bytes(digest: ring::digest::Digest) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// A bundle signed by the kiosk whose key the caller gave.
#[derive(Debug)]
pub struct VerifiedBundle<'a> {
    bundle: ParsedBundle<'a>,
    file_hash: String,
}

impl<'a> VerifiedBundle<'a> {
    /// The whole file's [`content_hash`](crate::vault::content_hash), taken while verifying.
    pub fn file_hash(&self) -> &str {
        &self.file_hash
    }

    pub fn header(&self) -> &BundleHeader {
        &self.bundle.header
    }

    pub fn len(&self) -> usize {
        self.bundle.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bundle.entries.is_empty()
    }

    /// The entries, still sealed (kind and id are readable).
    pub fn entries(&self) -> &[BundleEntry<'a>] {
        &self.bundle.entries
    }

    /// Recovers the bundle's entry key with the desk's keys (one X25519 operation). A desk other
    /// than the one named in the header is refused by id; a wrong key shows as
    /// [`SyncError::OpenFailed`] on every entry.
    pub fn open(&self, desk: &DeskKeys) -> Result<OpenedBundle<'_, 'a>, SyncError> {
        let header = &self.bundle.header;
        if desk.desk_id() != header.desk_id {
            return Err(SyncError::WrongDesk);
        }
        let enc = EncappedKey::from_bytes(&self.bundle.enc).map_err(|_| SyncError::OpenFailed)?;
        let info = bundle_info(&header.kiosk_id, &header.desk_id, header.seq);
        let context = hpke::setup_receiver::<ExportOnlyAead, Kdf, Kem>(
            &OpModeR::Base,
            desk.kem_secret(),
            &enc,
            &info,
        )
        .map_err(|_| SyncError::OpenFailed)?;
        let mut exported = Zeroizing::new([0u8; 32]);
        context
            .export(EXPORT_LABEL, exported.as_mut_slice())
            .map_err(|_| SyncError::OpenFailed)?;
        Ok(OpenedBundle {
            bundle: self,
            entry_key: entry_key(&exported)?,
        })
    }

    /// Opens entry `index` with the desk's keys: [`VerifiedBundle::open`] then
    /// [`OpenedBundle::open_entry`]. To open many entries, call `open` once instead.
    pub fn open_entry(
        &self, index: usize, desk: &DeskKeys,
    ) -> Result<Zeroizing<Vec<u8>>, SyncError> {
        self.open(desk)?.open_entry(index)
    }
}

/// A verified bundle with its entry key recovered by the desk. Holds key material: no `Debug`.
pub struct OpenedBundle<'b, 'a> {
    bundle: &'b VerifiedBundle<'a>,
    entry_key: LessSafeKey,
}

impl<'a> OpenedBundle<'_, 'a> {
    pub fn header(&self) -> &BundleHeader {
        self.bundle.header()
    }

    pub fn len(&self) -> usize {
        self.bundle.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bundle.is_empty()
    }

    pub fn entries(&self) -> &[BundleEntry<'a>] {
        self.bundle.entries()
    }

    /// Entry `index`'s plaintext (unpacked from a version-3 bundle unless its kind packs its own
    /// parts; at most [`MAX_ENTRY_PLAINTEXT`] bytes), wiped when dropped.
    pub fn open_entry(&self, index: usize) -> Result<Zeroizing<Vec<u8>>, SyncError> {
        let entry = self
            .bundle
            .entries()
            .get(index)
            .ok_or(SyncError::NoSuchEntry {
                index,
                count: self.len(),
            })?;
        let header = self.header();
        let aad = entry_aad(&header.kiosk_id, header.seq, entry.kind, entry.id);
        let mut buffer = Zeroizing::new(entry.sealed.to_vec());
        let plaintext_len = self
            .entry_key
            .open_in_place(
                entry_nonce(index),
                Aad::from(aad.as_slice()),
                buffer.as_mut_slice(),
            )
            .map_err(|_| SyncError::OpenFailed)?
            .len();
        if self.bundle.bundle.version != BUNDLE_VERSION || !entry.kind.packed_by_bundle() {
            // Truncating keeps the allocation; the tag bytes left in it are wiped on drop.
            buffer.truncate(plaintext_len);
            return Ok(buffer);
        }
        let packed = buffer.get(..plaintext_len).ok_or(SyncError::OpenFailed)?;
        packing::unpack(packed, MAX_ENTRY_PLAINTEXT).map_err(|error| match error {
            UnpackError::TooLarge { declared, limit } => SyncError::FieldTooLarge {
                len: declared,
                limit,
            },
            UnpackError::Malformed => SyncError::MalformedEntry { index },
        })
    }
}

fn read_entry<'a>(reader: &mut FrameReader<'a>) -> Result<BundleEntry<'a>, SyncError> {
    let kind = EntryKind::from_byte(reader.u8()?)?;
    let id = reader.text_section(MAX_ENTRY_ID_LEN)?;
    check_entry_id(id)?;
    let sealed = reader.section(MAX_FIELD)?;
    if sealed.len() < TAG_LEN {
        return Err(SyncError::FieldLength {
            len: sealed.len(),
            expected: TAG_LEN,
        });
    }
    Ok(BundleEntry { kind, id, sealed })
}

/// Whether exactly a signature section (and nothing else) is left.
fn is_signature_tail(mut reader: FrameReader<'_>) -> bool {
    reader.remaining() == SIGNATURE_SECTION_LEN
        && reader.fixed_section::<SIGNATURE_LEN>().is_ok()
        && reader.finish().is_ok()
}

/// How many well-formed entries follow before exactly a signature, if that is what follows.
fn count_extra_entries(mut reader: FrameReader<'_>) -> Option<u64> {
    let mut extra = 0u64;
    while reader.remaining() > SIGNATURE_SECTION_LEN {
        read_entry(&mut reader).ok()?;
        extra += 1;
    }
    (extra > 0 && is_signature_tail(reader)).then_some(extra)
}
