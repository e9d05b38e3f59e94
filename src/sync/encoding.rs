//! Text encodings and identifiers shared by the sync formats: strict lowercase hex (the crate's
//! one, `crate::hex`, re-exported under the names the formats use), strict
//! uppercase Crockford base32 (machine-read, so no look-alike mapping as in the vault's typed
//! recovery key), the 128-bit random ids of kiosks and desks, and the OS random source.
//!
//! Every decoder here is canonical: one value has exactly one accepted spelling.

use zeroize::Zeroizing;

use super::SyncError;

/// Length of a kiosk or desk id: 128 random bits as lowercase hex.
pub const ID_HEX_LEN: usize = 32;

/// Crockford's alphabet: digits and uppercase letters without I, L, O, U. Every character is in
/// the QR code alphanumeric set.
const BASE32_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `N` bytes from the operating system's CSPRNG (the vault's one random source).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], SyncError> {
    crate::vault::random_bytes::<N>().map_err(|_| SyncError::Random)
}

/// A fresh random kiosk or desk id: 128 bits as 32 lowercase hex characters.
pub fn random_id() -> Result<String, SyncError> {
    crate::vault::random_id().map_err(|_| SyncError::Random)
}

/// Checks that `id` is a kiosk or desk id: exactly 32 lowercase hex characters.
pub fn check_id(id: &str) -> Result<(), SyncError> {
    if id.len() == ID_HEX_LEN && is_lower_hex(id) {
        Ok(())
    } else {
        Err(SyncError::InvalidId)
    }
}

/// Checks that `text` is an RFC 3339 date and time (at most 64 characters).
pub fn check_timestamp(text: &str) -> Result<(), SyncError> {
    if text.len() > 64 || chrono::DateTime::parse_from_rfc3339(text).is_err() {
        return Err(SyncError::InvalidTimestamp);
    }
    Ok(())
}

pub use crate::hex::{decode as hex_decode, encode as hex_encode, is_lower as is_lower_hex};

/// Uppercase Crockford base32 without padding. Returned in a zeroizing string because it is used
/// for the one-time pairing secret too.
pub fn base32_encode(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(5) * 8));
    let mut buffer: u16 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        buffer = (buffer << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(
                BASE32_ALPHABET[usize::from((buffer >> bits) & 31)],
            ));
        }
        // Keep only the bits not yet written so the buffer never overflows.
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            BASE32_ALPHABET[usize::from((buffer << (5 - bits)) & 31)],
        ));
    }
    out
}

/// Decodes exactly `N` bytes from strict uppercase Crockford base32: the text must have exactly
/// the length `base32_encode` gives for `N` bytes, only alphabet characters, and zero padding
/// bits (so no second spelling of the same bytes is accepted).
pub fn base32_decode_exact<const N: usize>(text: &str) -> Option<Zeroizing<[u8; N]>> {
    let bytes = text.as_bytes();
    if bytes.len() != (N * 8).div_ceil(5) {
        return None;
    }
    let mut out = Zeroizing::new([0u8; N]);
    let mut written = 0;
    let mut buffer: u16 = 0;
    let mut bits = 0u32;
    for &c in bytes {
        let value = BASE32_ALPHABET.iter().position(|&a| a == c)?;
        let value = u16::try_from(value).ok()?;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(written)? = u8::try_from((buffer >> bits) & 0xff).ok()?;
            written += 1;
            buffer &= (1 << bits) - 1;
        }
    }
    // Leftover bits are padding and must be zero.
    if written != N || buffer != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trip_for_every_length_and_value() {
        let bytes: [u8; 32] = core::array::from_fn(|i| u8::try_from(i * 37 % 256).expect("< 256"));
        let text = base32_encode(&bytes);
        assert_eq!(text.len(), 52);
        assert_eq!(*base32_decode_exact::<32>(&text).expect("decodes"), bytes);
        let ff = base32_encode(&[0xff; 16]);
        assert_eq!(
            *base32_decode_exact::<16>(&ff).expect("decodes"),
            [0xff; 16]
        );
        let zero = base32_encode(&[0; 16]);
        assert_eq!(zero.as_str(), "00000000000000000000000000");
    }

    #[test]
    fn base32_refuses_non_canonical_text() {
        let text = base32_encode(&[0xab; 32]);
        assert!(base32_decode_exact::<32>(&text.to_lowercase()).is_none());
        assert!(base32_decode_exact::<32>(&text[..51]).is_none());
        assert!(base32_decode_exact::<31>(&text).is_none());
        // 52 characters carry 260 bits: the last 4 must be zero padding.
        let mut last_nonzero_padding = text.to_string();
        last_nonzero_padding.pop();
        last_nonzero_padding.push('1');
        assert!(base32_decode_exact::<32>(&last_nonzero_padding).is_none());
        for bad in ['I', 'L', 'O', 'U', '-', ' '] {
            let mut with_bad = text.to_string();
            with_bad.replace_range(0..1, &bad.to_string());
            assert!(base32_decode_exact::<32>(&with_bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ids_are_32_lowercase_hex() {
        let id = random_id().expect("random");
        assert_eq!(check_id(&id), Ok(()));
        assert_ne!(id, random_id().expect("random"));
        assert_eq!(check_id(&id.to_uppercase()), Err(SyncError::InvalidId));
        assert_eq!(check_id(&id[..31]), Err(SyncError::InvalidId));
        assert_eq!(check_id(""), Err(SyncError::InvalidId));
    }
}
