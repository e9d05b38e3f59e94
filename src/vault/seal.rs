//! Field sealing: AES-256-GCM with associated data that names where the value is stored.
//!
//! Nonce discipline: every seal draws a fresh 96-bit nonce from the OS CSPRNG and stores it in
//! front of the ciphertext. A key is never used with a counter and a random nonce at once. With
//! random nonces the NIST SP 800-38D bound is 2^32 seals per key; a kiosk seals a few thousand
//! values a day, so one installation's field key stays far below it for centuries. Re-keying
//! (a new DEK) would be the answer if that ever changed.
//!
//! Sealed layout: `[format version: 1 byte][nonce: 12 bytes][ciphertext][tag: 16 bytes]`.

use ring::aead::{self, LessSafeKey, NONCE_LEN, Nonce};
use zeroize::Zeroizing;

use super::{VaultError, random_bytes};

/// The byte in front of every sealed value.
pub const SEAL_FORMAT_VERSION: u8 = 1;
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
    fn to_bytes(self) -> Vec<u8> {
        // Fields are separated by a byte that cannot occur in table/column names; the row id is
        // last, so no two distinct triples render to the same bytes.
        format!(
            "intake-kiosk\x1faad{AAD_LAYOUT}\x1f{}\x1f{}\x1f{}",
            self.table, self.column, self.row_id
        )
        .into_bytes()
    }
}

pub(super) fn seal(
    key: &LessSafeKey,
    aad: Aad<'_>,
    plaintext: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let nonce_bytes = random_bytes::<NONCE_LEN>()?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + 16);
    out.push(SEAL_FORMAT_VERSION);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(plaintext);
    let mut body = out.split_off(1 + NONCE_LEN);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce_bytes),
        aead::Aad::from(aad.to_bytes()),
        &mut body,
    )
    .map_err(|_| VaultError::OpenFailed)?;
    out.extend_from_slice(&body);
    Ok(out)
}

pub(super) fn open(
    key: &LessSafeKey,
    aad: Aad<'_>,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let (&version, rest) = sealed.split_first().ok_or(VaultError::OpenFailed)?;
    if version != SEAL_FORMAT_VERSION {
        return Err(VaultError::UnsupportedVersion(version));
    }
    if rest.len() < NONCE_LEN + 16 {
        return Err(VaultError::OpenFailed);
    }
    let (nonce_bytes, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce =
        Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| VaultError::OpenFailed)?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plain_len = key
        .open_in_place(nonce, aead::Aad::from(aad.to_bytes()), &mut buffer)
        .map_err(|_| VaultError::OpenFailed)?
        .len();
    buffer.truncate(plain_len);
    Ok(buffer)
}
