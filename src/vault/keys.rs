//! The data key, its wraps (per manager passphrase, and the recovery key) and the purpose keys.

use ring::{aead, hkdf, hmac};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::seal::{Opened, open, open_as_sealed, seal, seal_packed, seal_prepacked};
use super::{
    Aad, KdfParams, MIN_PASSPHRASE_CHARS, Passphrase, SecretKey, VaultError, base32, random_bytes,
};

/// How the data key was wrapped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WrapKind {
    /// Under a key derived from one manager's passphrase.
    Passphrase(KdfParams),
    /// Under the printed recovery key (already 256 random bits, so HKDF suffices).
    Recovery { salt: [u8; 16] },
}

/// The data key sealed under a key-encryption key. `label` names whose wrap it is (the
/// manager's staff id, or "recovery") and is bound into the seal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyWrap {
    pub label: String,
    pub kind: WrapKind,
    pub sealed_dek: Vec<u8>,
}

/// The recovery key shown once at setup, to print and keep offline.
pub struct RecoveryKey(SecretKey);

impl RecoveryKey {
    /// Groups of four Crockford base32 characters, e.g. `K3FQ-9ZT0-…` (52 characters).
    pub fn to_printable(&self) -> Zeroizing<String> {
        let plain = Zeroizing::new(base32::encode(self.0.expose()));
        let mut out = String::with_capacity(plain.len() + plain.len() / 4);
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        Zeroizing::new(out)
    }

    /// Reads a typed recovery key; spaces, dashes and case do not matter.
    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let bytes = Zeroizing::new(base32::decode(text).ok_or(VaultError::MalformedRecoveryKey)?);
        let array: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::MalformedRecoveryKey)?;
        Ok(RecoveryKey(SecretKey::from_bytes(array)))
    }
}

/// An open vault: the data key and the purpose keys derived from it. Exists only while the
/// kiosk is open; dropping it wipes the data key (ring's own key schedules are not zeroized by
/// ring, a limitation stated in the README).
pub struct Vault {
    dek: SecretKey,
    field: aead::LessSafeKey,
    blind: hmac::Key,
    audit: hmac::Key,
    row: hmac::Key,
    pin_pepper: SecretKey,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault { .. }")
    }
}

const LABEL_FIELD: &[u8] = b"intake-kiosk/v1/field-seal";
const LABEL_BLIND: &[u8] = b"intake-kiosk/v1/blind-index";
const LABEL_AUDIT: &[u8] = b"intake-kiosk/v1/audit-mac";
const LABEL_PIN: &[u8] = b"intake-kiosk/v1/pin-pepper";
const LABEL_ROW: &[u8] = b"intake-kiosk/v1/row-mac";
const LABEL_RECOVERY_KEK: &[u8] = b"intake-kiosk/v1/recovery-kek";

fn hkdf_expand(ikm: &[u8], salt: &[u8], label: &[u8]) -> SecretKey {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let mut out = [0u8; 32];
    prk.expand(&[label], hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut out))
        .expect("HKDF-SHA256 can always produce 32 bytes");
    let key = SecretKey::from_bytes(out);
    zeroize::Zeroize::zeroize(&mut out);
    key
}

fn aead_key(key: &SecretKey) -> aead::LessSafeKey {
    let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, key.expose())
        .expect("a 32-byte key fits AES-256-GCM");
    aead::LessSafeKey::new(unbound)
}

fn wrap_aad(label: &str) -> Aad<'_> {
    Aad {
        table: "key_wraps",
        column: "sealed_dek",
        row_id: label,
    }
}

impl Vault {
    pub(super) fn from_dek(dek: SecretKey) -> Vault {
        let field = aead_key(&hkdf_expand(dek.expose(), b"", LABEL_FIELD));
        let blind = hmac::Key::new(
            hmac::HMAC_SHA256,
            hkdf_expand(dek.expose(), b"", LABEL_BLIND).expose(),
        );
        let audit = hmac::Key::new(
            hmac::HMAC_SHA256,
            hkdf_expand(dek.expose(), b"", LABEL_AUDIT).expose(),
        );
        let pin_pepper = hkdf_expand(dek.expose(), b"", LABEL_PIN);
        let row = hmac::Key::new(
            hmac::HMAC_SHA256,
            hkdf_expand(dek.expose(), b"", LABEL_ROW).expose(),
        );
        Vault {
            dek,
            field,
            blind,
            audit,
            row,
            pin_pepper,
        }
    }

    /// A new installation's vault with a fresh random data key.
    pub fn create() -> Result<Vault, VaultError> {
        Ok(Vault::from_dek(SecretKey::generate()?))
    }

    /// Wraps the data key under `passphrase` for the manager `label`. Records are untouched:
    /// a passphrase change is a new wrap replacing the old one.
    pub fn wrap_with_passphrase(
        &self, label: &str, passphrase: &Passphrase,
    ) -> Result<KeyWrap, VaultError> {
        if passphrase.char_count() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::PassphraseTooShort {
                min: MIN_PASSPHRASE_CHARS,
            });
        }
        let kdf = KdfParams::fresh()?;
        let kek = aead_key(&kdf.derive(passphrase.expose().as_bytes(), b"")?);
        let sealed_dek = seal(&kek, wrap_aad(label), self.dek.expose())?;
        Ok(KeyWrap {
            label: label.to_owned(),
            kind: WrapKind::Passphrase(kdf),
            sealed_dek,
        })
    }

    /// Wraps the data key under a new random recovery key, returned once for printing.
    pub fn wrap_with_new_recovery_key(&self) -> Result<(KeyWrap, RecoveryKey), VaultError> {
        let recovery = RecoveryKey(SecretKey::generate()?);
        let salt = random_bytes::<16>()?;
        let kek = aead_key(&hkdf_expand(recovery.0.expose(), &salt, LABEL_RECOVERY_KEK));
        let label = "recovery";
        let sealed_dek = seal(&kek, wrap_aad(label), self.dek.expose())?;
        let wrap = KeyWrap {
            label: label.to_owned(),
            kind: WrapKind::Recovery { salt },
            sealed_dek,
        };
        Ok((wrap, recovery))
    }

    fn unwrap_dek(kek: &aead::LessSafeKey, wrap: &KeyWrap) -> Option<Vault> {
        let dek = open(kek, wrap_aad(&wrap.label), &wrap.sealed_dek).ok()?;
        let array: [u8; 32] = dek.as_slice().try_into().ok()?;
        Some(Vault::from_dek(SecretKey::from_bytes(array)))
    }

    /// Opens with one wrap's passphrase. Returns the vault and the label (manager) it matched.
    /// Wrong passphrase → [`VaultError::WrongPassphrase`]; nothing is changed either way.
    pub fn unlock_with_passphrase(
        wraps: &[KeyWrap], passphrase: &Passphrase,
    ) -> Result<(Vault, String), VaultError> {
        for wrap in wraps {
            if let WrapKind::Passphrase(kdf) = &wrap.kind {
                let kek = aead_key(&kdf.derive(passphrase.expose().as_bytes(), b"")?);
                if let Some(vault) = Vault::unwrap_dek(&kek, wrap) {
                    return Ok((vault, wrap.label.clone()));
                }
            }
        }
        Err(VaultError::WrongPassphrase)
    }

    /// Opens with the printed recovery key.
    pub fn unlock_with_recovery(
        wraps: &[KeyWrap], recovery: &RecoveryKey,
    ) -> Result<Vault, VaultError> {
        for wrap in wraps {
            if let WrapKind::Recovery { salt } = &wrap.kind {
                let kek = aead_key(&hkdf_expand(recovery.0.expose(), salt, LABEL_RECOVERY_KEK));
                if let Some(vault) = Vault::unwrap_dek(&kek, wrap) {
                    return Ok(vault);
                }
            }
        }
        Err(VaultError::WrongRecoveryKey)
    }

    /// Seals `plaintext` for the place `aad` names: packed first when that makes it smaller
    /// (sealed format 2, see `seal.rs`).
    pub fn seal(&self, aad: Aad<'_>, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        seal_packed(&self.field, aad, plaintext)
    }

    /// Opens a value sealed for the place `aad` names; the result is wiped when dropped.
    pub fn open(&self, aad: Aad<'_>, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        open(&self.field, aad, sealed)
    }

    /// Seals bytes already packed (and checked to unpack) as a packed value for `aad`, without
    /// packing them again.
    pub fn seal_prepacked(
        &self, aad: Aad<'_>, packed: &crate::packing::Packed,
    ) -> Result<Vec<u8>, VaultError> {
        seal_prepacked(&self.field, aad, packed)
    }

    /// Opens a value sealed for `aad` and gives it in the form it was sealed in (packed values
    /// stay packed: to be handed on as they are); wiped when dropped.
    pub fn open_as_sealed(&self, aad: Aad<'_>, sealed: &[u8]) -> Result<Opened, VaultError> {
        open_as_sealed(&self.field, aad, sealed)
    }

    /// A keyed, deterministic index of an already-normalised look-up value: equal inputs give
    /// equal indexes, and nothing about the input can be learned without the data key.
    pub fn blind_index(&self, normalised: &str) -> [u8; 32] {
        let tag = hmac::sign(&self.blind, normalised.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// A keyed, deterministic hash of a record's value (under the blind-index key, in a domain
    /// of its own: no look-up value hashes to it): equal values of one record give equal
    /// hashes, so a value can be compared with the one held without opening it.
    pub fn value_hash(&self, record_id: &str, value: &[u8]) -> [u8; 32] {
        let mut ctx = hmac::Context::with_key(&self.blind);
        ctx.update(b"intake-kiosk/value-hash/1\0");
        ctx.update(&(record_id.len() as u64).to_be_bytes());
        ctx.update(record_id.as_bytes());
        ctx.update(value);
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }

    /// The audit chain tag of an entry: MAC over the previous tag and the entry's content.
    pub fn audit_tag(&self, previous_tag: &[u8], content: &[u8]) -> [u8; 32] {
        let mut ctx = hmac::Context::with_key(&self.audit);
        ctx.update(&(previous_tag.len() as u64).to_be_bytes());
        ctx.update(previous_tag);
        ctx.update(content);
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }

    /// Constant-time check of an audit tag.
    pub fn audit_tag_matches(&self, previous_tag: &[u8], content: &[u8], tag: &[u8]) -> bool {
        let mut message = Vec::with_capacity(8 + previous_tag.len() + content.len());
        message.extend_from_slice(&(previous_tag.len() as u64).to_be_bytes());
        message.extend_from_slice(previous_tag);
        message.extend_from_slice(content);
        hmac::verify(&self.audit, &message, tag).is_ok()
    }

    /// The row tag of a stored row's canonical encoding (see `store::row_auth`): a MAC under its
    /// own purpose key, so a row edited, swapped or copied without the data key fails its check.
    pub fn row_tag(&self, encoded_row: &[u8]) -> [u8; 32] {
        let tag = hmac::sign(&self.row, encoded_row);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Constant-time check of a row tag.
    pub fn row_tag_matches(&self, encoded_row: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.row, encoded_row, tag).is_ok()
    }

    pub(super) fn pin_pepper(&self) -> &SecretKey {
        &self.pin_pepper
    }

    pub(super) fn set_pin_pepper(&mut self, pepper: SecretKey) {
        self.pin_pepper = pepper;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aad(row: &str) -> Aad<'_> {
        Aad {
            table: "patients",
            column: "identity",
            row_id: row,
        }
    }

    #[test]
    fn seal_opens_only_in_its_place() {
        let v = Vault::create().expect("vault");
        let sealed = v.seal(aad("row-1"), b"Jane Doe").expect("seal");
        assert_eq!(
            &v.open(aad("row-1"), &sealed).expect("open")[..],
            b"Jane Doe"
        );
        assert_eq!(
            v.open(aad("row-2"), &sealed).err(),
            Some(VaultError::OpenFailed)
        );
        let other_column = Aad {
            column: "contact",
            ..aad("row-1")
        };
        assert_eq!(
            v.open(other_column, &sealed).err(),
            Some(VaultError::OpenFailed)
        );
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            v.open(aad("row-1"), &flipped).err(),
            Some(VaultError::OpenFailed)
        );
        assert_eq!(
            v.open(aad("row-1"), &sealed[..5]).err(),
            Some(VaultError::OpenFailed)
        );
    }

    #[test]
    fn two_seals_of_one_value_differ() {
        let v = Vault::create().expect("vault");
        assert_ne!(
            v.seal(aad("r"), b"x").expect("seal"),
            v.seal(aad("r"), b"x").expect("seal")
        );
    }

    #[test]
    fn recovery_key_text_round_trips() {
        let v = Vault::create().expect("vault");
        let (wrap, key) = v.wrap_with_new_recovery_key().expect("wrap");
        let printed = key.to_printable();
        assert_eq!(printed.len(), 52 + 12);
        let typed = RecoveryKey::parse(&printed.to_lowercase()).expect("parse");
        let reopened =
            Vault::unlock_with_recovery(std::slice::from_ref(&wrap), &typed).expect("unlock");
        let sealed = v.seal(aad("r"), b"x").expect("seal");
        assert_eq!(&reopened.open(aad("r"), &sealed).expect("open")[..], b"x");
        assert!(RecoveryKey::parse("not a key").is_err());
    }
}
