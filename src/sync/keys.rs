//! The long-term keys of the two ends of sync.
//!
//! - A **desk** (the back office) holds an X25519 secret that kiosks seal entries to (HPKE KEM) and
//!   an Ed25519 key that signs receipts. Its public half, [`DeskPublic`], is what a kiosk learns
//!   when pairing.
//! - A **kiosk** holds an Ed25519 key that signs its bundles; the desk learns the public half from
//!   the pairing QR code.
//!
//! Secret halves live in zeroizing buffers (the Ed25519 key as PKCS#8 v2 bytes, parsed by ring
//! only for the moment of signing) or in hpke's X25519 key type, which zeroizes on drop. No type
//! here implements `Debug`. `to_secret_bytes` gives the caller a small framed blob to seal with the
//! vault; nothing here writes a file.

use hpke::{Deserializable, Kem as _, Serializable};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use zeroize::Zeroizing;

use super::encoding::{check_id, random_bytes};
use super::frame::{FrameReader, FrameWriter};
use super::{FileKind, SyncError};

/// The HPKE KEM every bundle entry is sealed with (RFC 9180 DHKEM(X25519, HKDF-SHA256)).
pub(crate) type Kem = hpke::kem::X25519HkdfSha256;
pub(crate) type KemPrivateKey = <Kem as hpke::Kem>::PrivateKey;
pub(crate) type KemPublicKey = <Kem as hpke::Kem>::PublicKey;

const KEY_FILE_VERSION: u8 = 1;
/// Ring's Ed25519 PKCS#8 v2 documents are 83 bytes; leave room, refuse anything silly.
const MAX_PKCS8_LEN: usize = 256;

/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// What a kiosk needs to know about a desk: where to seal to and whose receipts to trust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskPublic {
    pub desk_id: String,
    /// X25519 public key entries are sealed to.
    pub kem_public: [u8; 32],
    /// Ed25519 public key receipts are signed with.
    pub sign_public: [u8; 32],
}

/// An end's id and the Ed25519 key it signs with: what a desk and a kiosk both hold, framed the
/// same way in their key files (the id first, the PKCS#8 document last).
struct Signer {
    id: String,
    pkcs8: Zeroizing<Vec<u8>>,
    public: [u8; 32],
}

impl Signer {
    fn generate(id: &str) -> Result<Self, SyncError> {
        check_id(id)?;
        let (pkcs8, public) = generate_ed25519()?;
        Ok(Signer {
            id: id.to_owned(),
            pkcs8,
            public,
        })
    }

    /// The key file of `kind`: the id, then `middle` (a desk's KEM secret) if any, then the
    /// signing key.
    fn to_secret_bytes(&self, kind: FileKind, middle: Option<&[u8]>) -> Zeroizing<Vec<u8>> {
        // Exact capacity so the buffer is never reallocated (which would leave a copy behind).
        let capacity =
            5 + 4 + self.id.len() + middle.map_or(0, |m| 4 + m.len()) + 4 + self.pkcs8.len();
        let mut writer = FrameWriter::with_capacity(kind, KEY_FILE_VERSION, capacity);
        writer
            .section(self.id.as_bytes())
            .expect("an id is 32 bytes");
        if let Some(middle) = middle {
            writer.section(middle).expect("32 bytes");
        }
        writer
            .section(&self.pkcs8)
            .expect("PKCS#8 is checked to be short");
        Zeroizing::new(writer.into_bytes())
    }

    /// Reads a key file of `kind`; `middle` reads what stands between the id and the signing key.
    fn from_secret_bytes<T>(
        bytes: &[u8], kind: FileKind,
        middle: impl FnOnce(&mut FrameReader<'_>) -> Result<T, SyncError>,
    ) -> Result<(Self, T), SyncError> {
        let mut reader = FrameReader::new(bytes, kind, KEY_FILE_VERSION)?;
        let id = reader.text_section(64)?;
        check_id(id)?;
        let middle = middle(&mut reader)?;
        let pkcs8 = Zeroizing::new(reader.section(MAX_PKCS8_LEN)?.to_vec());
        reader.finish()?;
        let public = ed25519_public(&pkcs8)?;
        let signer = Signer {
            id: id.to_owned(),
            pkcs8,
            public,
        };
        Ok((signer, middle))
    }

    fn sign(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN], SyncError> {
        let pair = Ed25519KeyPair::from_pkcs8(&self.pkcs8).map_err(|_| SyncError::InvalidKey)?;
        pair.sign(message)
            .as_ref()
            .try_into()
            .map_err(|_| SyncError::InvalidKey)
    }
}

/// A desk's secret keys. Never printed; wiped when dropped.
pub struct DeskKeys {
    signer: Signer,
    kem_secret: KemPrivateKey,
    kem_public: [u8; 32],
}

impl DeskKeys {
    /// Fresh keys for the desk `desk_id` (32 lowercase hex characters, e.g. from
    /// [`super::random_id`]).
    pub fn generate(desk_id: &str) -> Result<Self, SyncError> {
        let signer = Signer::generate(desk_id)?;
        // RFC 9180 DeriveKeyPair from 256 bits of the OS random source; ring's generator is
        // fallible where hpke's would panic.
        let ikm = Zeroizing::new(random_bytes::<32>()?);
        let (kem_secret, kem_public) = Kem::derive_keypair(ikm.as_slice());
        Ok(DeskKeys {
            signer,
            kem_secret,
            kem_public: kem_public_bytes(&kem_public),
        })
    }

    pub fn desk_id(&self) -> &str {
        &self.signer.id
    }

    pub fn public(&self) -> DeskPublic {
        DeskPublic {
            desk_id: self.signer.id.clone(),
            kem_public: self.kem_public,
            sign_public: self.signer.public,
        }
    }

    /// The key material as a small framed blob (`IKSD`), for the caller to seal at rest.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut kem_secret = Zeroizing::new([0u8; 32]);
        self.kem_secret.write_exact(kem_secret.as_mut_slice());
        self.signer
            .to_secret_bytes(FileKind::DeskKeys, Some(kem_secret.as_slice()))
    }

    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, SyncError> {
        let (signer, kem_bytes) = Signer::from_secret_bytes(bytes, FileKind::DeskKeys, |r| {
            Ok(Zeroizing::new(r.fixed_section::<32>()?))
        })?;
        let kem_secret =
            KemPrivateKey::from_bytes(kem_bytes.as_slice()).map_err(|_| SyncError::InvalidKey)?;
        let kem_public = kem_public_bytes(&Kem::sk_to_pk(&kem_secret));
        Ok(DeskKeys {
            signer,
            kem_secret,
            kem_public,
        })
    }

    pub(crate) fn kem_secret(&self) -> &KemPrivateKey {
        &self.kem_secret
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN], SyncError> {
        self.signer.sign(message)
    }
}

/// A kiosk's secret signing key and its id. Never printed; wiped when dropped.
pub struct KioskKeys {
    signer: Signer,
}

impl KioskKeys {
    /// A fresh Ed25519 key for the kiosk `kiosk_id` (32 lowercase hex characters).
    pub fn generate(kiosk_id: &str) -> Result<Self, SyncError> {
        Ok(KioskKeys {
            signer: Signer::generate(kiosk_id)?,
        })
    }

    pub fn kiosk_id(&self) -> &str {
        &self.signer.id
    }

    /// The Ed25519 public key bundles are verified with.
    pub fn sign_public(&self) -> [u8; 32] {
        self.signer.public
    }

    /// The key material as a small framed blob (`IKSK`), for the caller to seal at rest.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.signer.to_secret_bytes(FileKind::KioskKeys, None)
    }

    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, SyncError> {
        let (signer, ()) = Signer::from_secret_bytes(bytes, FileKind::KioskKeys, |_| Ok(()))?;
        Ok(KioskKeys { signer })
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN], SyncError> {
        self.signer.sign(message)
    }
}

pub(crate) fn kem_public_bytes(public: &KemPublicKey) -> [u8; 32] {
    let mut out = [0u8; 32];
    public.write_exact(&mut out);
    out
}

fn generate_ed25519() -> Result<(Zeroizing<Vec<u8>>, [u8; 32]), SyncError> {
    let document = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .map_err(|_| SyncError::Random)?;
    let pkcs8 = Zeroizing::new(document.as_ref().to_vec());
    let public = ed25519_public(&pkcs8)?;
    Ok((pkcs8, public))
}

/// Parses (and so checks) a PKCS#8 v2 Ed25519 key and returns its public half.
fn ed25519_public(pkcs8: &[u8]) -> Result<[u8; 32], SyncError> {
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| SyncError::InvalidKey)?;
    pair.public_key()
        .as_ref()
        .try_into()
        .map_err(|_| SyncError::InvalidKey)
}

/// Verifies an Ed25519 signature; any failure is [`SyncError::BadSignature`].
pub(crate) fn verify_ed25519(
    public: &[u8; 32], message: &[u8], signature: &[u8; SIGNATURE_LEN],
) -> Result<(), SyncError> {
    UnparsedPublicKey::new(&ED25519, public)
        .verify(message, signature)
        .map_err(|_| SyncError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::random_id;

    #[test]
    fn desk_keys_round_trip_through_secret_bytes() {
        let keys = DeskKeys::generate(&random_id().expect("random")).expect("generate");
        let again = DeskKeys::from_secret_bytes(&keys.to_secret_bytes()).expect("reads back");
        assert_eq!(again.public(), keys.public());
        assert_eq!(*again.to_secret_bytes(), *keys.to_secret_bytes());
        let other = DeskKeys::generate(keys.desk_id()).expect("generate");
        assert_ne!(other.public().kem_public, keys.public().kem_public);
        assert_ne!(other.public().sign_public, keys.public().sign_public);
    }

    #[test]
    fn kiosk_keys_round_trip_and_sign() {
        let keys = KioskKeys::generate(&random_id().expect("random")).expect("generate");
        let again = KioskKeys::from_secret_bytes(&keys.to_secret_bytes()).expect("reads back");
        assert_eq!(again.kiosk_id(), keys.kiosk_id());
        assert_eq!(again.sign_public(), keys.sign_public());
        let signature = again.sign(b"message").expect("sign");
        assert_eq!(
            verify_ed25519(&keys.sign_public(), b"message", &signature),
            Ok(())
        );
        assert_eq!(
            verify_ed25519(&keys.sign_public(), b"messagf", &signature),
            Err(SyncError::BadSignature)
        );
    }

    #[test]
    fn bad_ids_and_key_files_are_refused() {
        assert_eq!(
            DeskKeys::generate("not-an-id").err(),
            Some(SyncError::InvalidId)
        );
        assert_eq!(KioskKeys::generate("").err(), Some(SyncError::InvalidId));
        let keys = KioskKeys::generate(&random_id().expect("random")).expect("generate");
        let bytes = keys.to_secret_bytes();
        assert_eq!(
            DeskKeys::from_secret_bytes(&bytes).err(),
            Some(SyncError::BadMagic {
                expected: FileKind::DeskKeys
            })
        );
        // A damaged PKCS#8 document is refused, never half-used.
        let mut damaged = bytes.to_vec();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(
            KioskKeys::from_secret_bytes(&damaged).err(),
            Some(SyncError::InvalidKey)
        );
        for len in 0..bytes.len() {
            assert!(KioskKeys::from_secret_bytes(&bytes[..len]).is_err());
        }
    }
}
