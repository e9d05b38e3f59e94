//! Field sealing: AES-256-GCM with associated data that names where the value is stored.
//!
//! Nonce discipline: every seal draws a fresh 96-bit nonce from the OS CSPRNG and stores it in
//! front of the ciphertext. A key is never used with a counter and a random nonce at once. With
//! random nonces the NIST SP 800-38D bound is 2^32 seals per key; a kiosk seals a few thousand
//! values a day, so one installation's field key stays far below it for centuries. Re-keying
//! (a new DEK) would be the answer if that ever changed.
//!
//! Sealed layout: `[format version: 1 byte][nonce: 12 bytes][ciphertext][tag: 16 bytes]`.
//!
//! Format 1 seals the plaintext as it is. Format 2 seals it packed (`crate::packing`: its length,
//! then an LZ4 block); [`seal_packed`] writes it for a value that packing makes smaller (a form's
//! answers, a signature's path, a record's decisions are text that repeats itself), and format 1
//! otherwise. Format 2's associated data says so (`aad1p` rather than `aad1`), so changing the
//! version byte of a stored value makes it fail to open rather than be read the other way. Both
//! open; an unpacked value may be at most [`MAX_PACKED_PLAINTEXT`] bytes (larger ones are sealed
//! in format 1). See `crate::packing` for why compressing before sealing leaks nothing here.
use ring::aead::{self, LessSafeKey, NONCE_LEN, Nonce};
use zeroize::{Zeroize, Zeroizing};

use super::VaultError;
#[cfg(test)]
use super::random_bytes;
use super::secret::random_public_bytes;
use crate::packing;

/// The byte in front of a value sealed as it is.
pub const SEAL_FORMAT_VERSION: u8 = 1;
/// The byte in front of a value sealed packed.
pub const SEAL_PACKED_VERSION: u8 = 2;
/// The largest plaintext sealed packed (and so the most a format-2 value may unpack to).
pub const MAX_PACKED_PLAINTEXT: usize = 64 * 1024 * 1024;
const TAG_LEN: usize = 16;
/// The layout version of the associated data below. It is not the database migration number:
/// migrations never re-seal old rows, so this changes only if the AAD layout itself changes.
const AAD_LAYOUT: u8 = 1;

/// Where a sealed value belongs. The ciphertext opens only with the same table, column and row.
#[derive(Clone, Copy, Debug)]
pub struct Aad<'a> {
    pub table: &'static str,
    pub column: &'static str,
    pub row_id: &'a str,
}

impl Aad<'_> {
    fn to_bytes(self, packed: bool) -> Vec<u8> {
        // Fields are separated by a byte that cannot occur in table/column names; the row id is
        // last, so no two distinct triples render to the same bytes. A packed value's layout
        // token differs, so no format-1 rendering equals a format-2 one.
        let packed = if packed { "p" } else { "" };
        format!(
            "intake-kiosk\x1faad{AAD_LAYOUT}{packed}\x1f{}\x1f{}\x1f{}",
            self.table, self.column, self.row_id
        )
        .into_bytes()
    }
}

pub(super) fn seal(
    key: &LessSafeKey, aad: Aad<'_>, plaintext: &[u8],
) -> Result<Vec<u8>, VaultError> {
    seal_as(key, SEAL_FORMAT_VERSION, &aad.to_bytes(false), plaintext)
}

/// Seals `plaintext` packed (format 2) when packing makes it smaller, as it is otherwise.
pub(super) fn seal_packed(
    key: &LessSafeKey, aad: Aad<'_>, plaintext: &[u8],
) -> Result<Vec<u8>, VaultError> {
    if plaintext.len() > MAX_PACKED_PLAINTEXT {
        return seal(key, aad, plaintext);
    }
    let mut packed = Zeroizing::new(Vec::new());
    packing::pack_into(&mut packed, plaintext);
    if packed.len() >= plaintext.len() {
        return seal(key, aad, plaintext);
    }
    seal_as(key, SEAL_PACKED_VERSION, &aad.to_bytes(true), &packed)
}

/// Seals bytes already packed, and known to unpack (`packing::Packed`), as a packed value
/// (format 2), whatever their size against the plaintext: e.g. a form's answers as a kiosk
/// packed them, kept by the desk without packing them again.
pub(super) fn seal_prepacked(
    key: &LessSafeKey, aad: Aad<'_>, packed: &packing::Packed,
) -> Result<Vec<u8>, VaultError> {
    seal_as(
        key,
        SEAL_PACKED_VERSION,
        &aad.to_bytes(true),
        packed.as_bytes(),
    )
}

fn seal_as(
    key: &LessSafeKey, version: u8, aad: &[u8], plaintext: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let nonce_bytes = random_public_bytes::<NONCE_LEN>()?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
    out.push(version);
    out.extend_from_slice(&nonce_bytes);
    let body = out.len();
    // Capacity is reserved above: the plaintext copied here is encrypted in place at once.
    out.extend_from_slice(plaintext);
    match key.seal_in_place_separate_tag(
        Nonce::assume_unique_for_key(nonce_bytes),
        aead::Aad::from(aad),
        &mut out[body..],
    ) {
        Ok(tag) => {
            out.extend_from_slice(tag.as_ref());
            Ok(out)
        }
        Err(_) => {
            out.zeroize();
            Err(VaultError::OpenFailed)
        }
    }
}

/// A sealed value opened, in the form it was sealed in.
#[derive(Clone)]
pub enum Opened {
    /// Sealed as it is (format 1): the plaintext.
    Plain(Zeroizing<Vec<u8>>),
    /// Sealed packed (format 2): the packed bytes, authentic but not yet unpacked (see
    /// `packing::unpack`, which still treats them as outside input).
    Packed(Zeroizing<Vec<u8>>),
}

pub(super) fn open(
    key: &LessSafeKey, aad: Aad<'_>, sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    match open_as_sealed(key, aad, sealed)? {
        Opened::Plain(plaintext) => Ok(plaintext),
        // Authentic, so written by this installation's key holder; still checked as outside
        // input.
        Opened::Packed(packed) => {
            packing::unpack(&packed, MAX_PACKED_PLAINTEXT).map_err(|_| VaultError::OpenFailed)
        }
    }
}

/// Opens a value sealed for `aad` without unpacking it.
pub(super) fn open_as_sealed(
    key: &LessSafeKey, aad: Aad<'_>, sealed: &[u8],
) -> Result<Opened, VaultError> {
    let (&version, rest) = sealed.split_first().ok_or(VaultError::OpenFailed)?;
    let packed = match version {
        SEAL_FORMAT_VERSION => false,
        SEAL_PACKED_VERSION => true,
        other => return Err(VaultError::UnsupportedVersion(other)),
    };
    if rest.len() < NONCE_LEN + TAG_LEN {
        return Err(VaultError::OpenFailed);
    }
    let (nonce_bytes, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce =
        Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| VaultError::OpenFailed)?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plain_len = key
        .open_in_place(nonce, aead::Aad::from(aad.to_bytes(packed)), &mut buffer)
        .map_err(|_| VaultError::OpenFailed)?
        .len();
    buffer.truncate(plain_len);
    Ok(if packed {
        Opened::Packed(buffer)
    } else {
        Opened::Plain(buffer)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> LessSafeKey {
        let bytes = random_bytes::<32>().expect("random");
        LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &bytes).expect("key"))
    }

    fn aad() -> Aad<'static> {
        Aad {
            table: "submissions",
            column: "sealed_answers",
            row_id: "row-1",
        }
    }

    const REPETITIVE: &[u8] =
        br#"{"item_id":"photo_social","decision":"Refused","language":"en"},{"item_id":"photo_print","decision":"Refused","language":"en"}"#;

    #[test]
    fn a_value_packing_shrinks_is_sealed_packed_and_opens() {
        let key = key();
        let sealed = seal_packed(&key, aad(), REPETITIVE).expect("seal");
        assert_eq!(sealed[0], SEAL_PACKED_VERSION);
        assert!(sealed.len() < 1 + NONCE_LEN + REPETITIVE.len() + TAG_LEN);
        assert_eq!(
            open(&key, aad(), &sealed).expect("open").as_slice(),
            REPETITIVE
        );
        // Bound to its place like any sealed value.
        let elsewhere = Aad {
            row_id: "row-2",
            ..aad()
        };
        assert_eq!(
            open(&key, elsewhere, &sealed).err(),
            Some(VaultError::OpenFailed)
        );
    }

    #[test]
    fn a_value_sealed_as_packed_opens_packed_as_sealed_or_unpacked_as_usual() {
        let key = key();
        let mut bytes = Vec::new();
        packing::pack_into(&mut bytes, REPETITIVE);
        let (packed, _) = packing::Packed::check(&bytes, 1 << 20).expect("unpacks");
        let sealed = seal_prepacked(&key, aad(), &packed).expect("seal");
        assert_eq!(sealed[0], SEAL_PACKED_VERSION);
        assert_eq!(
            open(&key, aad(), &sealed).expect("open").as_slice(),
            REPETITIVE
        );
        match open_as_sealed(&key, aad(), &sealed).expect("open") {
            Opened::Packed(kept) => assert_eq!(kept.as_slice(), bytes.as_slice()),
            Opened::Plain(_) => panic!("opened unpacked"),
        }
        let plain = seal(&key, aad(), REPETITIVE).expect("seal");
        assert!(matches!(
            open_as_sealed(&key, aad(), &plain).expect("open"),
            Opened::Plain(p) if p.as_slice() == REPETITIVE
        ));
    }

    #[test]
    fn values_packing_would_grow_and_values_sealed_before_are_format_1_and_open() {
        let key = key();
        let random = random_bytes::<64>().expect("random");
        let mut sealed = Vec::new();
        for plaintext in [&b""[..], b"Jane", &random] {
            sealed.push((
                seal_packed(&key, aad(), plaintext).expect("seal"),
                plaintext,
            ));
        }
        // What every seal wrote before format 2 existed.
        sealed.push((seal(&key, aad(), REPETITIVE).expect("seal"), REPETITIVE));
        for (sealed, plaintext) in sealed {
            assert_eq!(sealed[0], SEAL_FORMAT_VERSION);
            assert_eq!(
                open(&key, aad(), &sealed).expect("open").as_slice(),
                plaintext
            );
        }
    }

    #[test]
    fn a_changed_format_byte_or_packed_byte_fails_to_open() {
        let key = key();
        let packed = seal_packed(&key, aad(), REPETITIVE).expect("seal");
        let plain = seal(&key, aad(), REPETITIVE).expect("seal");
        for (sealed, other) in [
            (&packed, SEAL_FORMAT_VERSION),
            (&plain, SEAL_PACKED_VERSION),
        ] {
            let mut relabelled = sealed.clone();
            relabelled[0] = other;
            assert_eq!(
                open(&key, aad(), &relabelled).err(),
                Some(VaultError::OpenFailed)
            );
        }
        for at in 1..packed.len() {
            let mut flipped = packed.clone();
            flipped[at] ^= 0x01;
            assert_eq!(
                open(&key, aad(), &flipped).err(),
                Some(VaultError::OpenFailed)
            );
        }
        let mut future = packed.clone();
        future[0] = 3;
        assert_eq!(
            open(&key, aad(), &future).err(),
            Some(VaultError::UnsupportedVersion(3))
        );
    }

    #[test]
    fn an_authentic_value_that_unpacks_too_large_or_malformed_is_refused() {
        let key = key();
        // What a bug (or someone holding the data key) could store: sealed, but a bomb.
        let too_large = u32::try_from(MAX_PACKED_PLAINTEXT + 1).expect("fits");
        let mut bomb = too_large.to_le_bytes().to_vec();
        bomb.extend_from_slice(&[0x1f, b'a', 0xff, 0xff, 0xff]);
        let mut cut = Vec::new();
        packing::pack_into(&mut cut, REPETITIVE);
        cut.pop();
        for packed in [bomb, cut] {
            let sealed =
                seal_as(&key, SEAL_PACKED_VERSION, &aad().to_bytes(true), &packed).expect("seal");
            assert_eq!(
                open(&key, aad(), &sealed).err(),
                Some(VaultError::OpenFailed)
            );
        }
    }
}
