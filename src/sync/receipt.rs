//! The desk's signed receipt for a bundle: which submissions it received, so the kiosk may mark
//! them as delivered (and later erase them by its own retention rules).
//!
//! ```text
//! "IKSR" | version 1 | body section: JSON Receipt | signature section: Ed25519 (64)
//! ```
//!
//! The desk's Ed25519 key signs every byte before the signature section. The kiosk first
//! [`Receipt::peek`]s at the ids (unverified) to pick the desk's key, then
//! [`Receipt::verify_for`] (or [`Receipt::parse_and_verify`]) checks the signature before the
//! body is trusted — or even parsed as JSON.

use serde::{Deserialize, Serialize};

use super::bundle::check_entry_id;
use super::encoding::{ID_HEX_LEN, check_id, check_timestamp};
use super::frame::{
    FrameReader, FrameWriter, MAX_ENTRIES, MAX_FIELD, PREAMBLE_LEN, SECTION_PREFIX_LEN,
};
use super::keys::{SIGNATURE_LEN, verify_ed25519};
use super::{DeskKeys, DeskPublic, FileKind, SyncError};

/// The one receipt format this build writes and reads.
pub const RECEIPT_VERSION: u8 = 1;

/// The JSON body without its submission ids, every field at its longest (two ids, a `u64`
/// sequence number, a 64-character timestamp and the field names come to about 230 bytes).
const MAX_BODY_WITHOUT_IDS: usize = 512;

/// The longest receipt for `ids` submissions whose ids are the kiosk's own (32 lowercase hex
/// characters), each quoted and comma-separated in the body.
pub const fn max_receipt_len(ids: usize) -> usize {
    PREAMBLE_LEN
        + SECTION_PREFIX_LEN
        + MAX_BODY_WITHOUT_IDS
        + ids * (ID_HEX_LEN + 3)
        + SECTION_PREFIX_LEN
        + SIGNATURE_LEN
}

/// The longest receipt a kiosk can be sent for one of its bundles: [`MAX_ENTRIES`] of its own
/// submission ids (about 35 MB). A kiosk refuses a longer file without reading it.
pub const MAX_RECEIPT_LEN: usize = max_receipt_len(MAX_ENTRIES);

/// What a desk received from a kiosk's bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub desk_id: String,
    pub kiosk_id: String,
    pub bundle_seq: u64,
    /// Submissions the desk stored; each one the kiosk may consider delivered.
    pub submission_ids: Vec<String>,
    /// RFC 3339, by the desk's clock.
    pub received_at: String,
}

/// Who a receipt claims to be from and for, before anything is verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptIds {
    pub desk_id: String,
    pub kiosk_id: String,
}

impl Receipt {
    fn check(&self) -> Result<(), SyncError> {
        check_id(&self.desk_id)?;
        check_id(&self.kiosk_id)?;
        check_timestamp(&self.received_at)?;
        if self.submission_ids.len() > MAX_ENTRIES {
            return Err(SyncError::TooManyEntries { limit: MAX_ENTRIES });
        }
        self.submission_ids
            .iter()
            .try_for_each(|id| check_entry_id(id))
    }

    /// The signed receipt, from the desk whose keys these are.
    pub fn sign(&self, desk: &DeskKeys) -> Result<Vec<u8>, SyncError> {
        self.check()?;
        if self.desk_id != desk.desk_id() {
            return Err(SyncError::WrongDesk);
        }
        let body = serde_json::to_vec(self)
            .map_err(|error| SyncError::MalformedHeader(error.to_string()))?;
        let capacity = 5 + SECTION_PREFIX_LEN * 2 + body.len() + SIGNATURE_LEN;
        let mut writer = FrameWriter::with_capacity(FileKind::Receipt, RECEIPT_VERSION, capacity);
        writer.section(&body)?;
        let signature = desk.sign(writer.buffer())?;
        writer.section(&signature)?;
        Ok(writer.into_bytes())
    }

    /// The ids a receipt claims, unverified: only to find the desk's key.
    pub fn peek(bytes: &[u8]) -> Result<ReceiptIds, SyncError> {
        let receipt = parse_body(split(bytes)?.body)?;
        Ok(ReceiptIds {
            desk_id: receipt.desk_id,
            kiosk_id: receipt.kiosk_id,
        })
    }

    /// Checks the desk's signature, then reads the receipt.
    pub fn parse_and_verify(
        bytes: &[u8], desk_sign_public: &[u8; 32],
    ) -> Result<Receipt, SyncError> {
        let framed = split(bytes)?;
        verify_ed25519(desk_sign_public, framed.signed, &framed.signature)?;
        parse_body(framed.body)
    }

    /// [`Receipt::parse_and_verify`] with `desk`'s key, and refused unless the receipt names
    /// that desk and this kiosk.
    pub fn verify_for(
        bytes: &[u8], desk: &DeskPublic, kiosk_id: &str,
    ) -> Result<Receipt, SyncError> {
        let receipt = Self::parse_and_verify(bytes, &desk.sign_public)?;
        if receipt.desk_id != desk.desk_id {
            return Err(SyncError::WrongDesk);
        }
        if receipt.kiosk_id != kiosk_id {
            return Err(SyncError::WrongKiosk);
        }
        Ok(receipt)
    }
}

/// A framed receipt taken apart.
struct Framed<'a> {
    body: &'a [u8],
    /// Every byte the signature covers.
    signed: &'a [u8],
    signature: [u8; SIGNATURE_LEN],
}

fn split(bytes: &[u8]) -> Result<Framed<'_>, SyncError> {
    let mut reader = FrameReader::new(bytes, FileKind::Receipt, RECEIPT_VERSION)?;
    let body = reader.section(MAX_FIELD)?;
    let signed_end = reader.position();
    let signature = reader.fixed_section::<SIGNATURE_LEN>()?;
    reader.finish()?;
    let signed = bytes.get(..signed_end).ok_or(SyncError::Truncated)?;
    Ok(Framed {
        body,
        signed,
        signature,
    })
}

fn parse_body(body: &[u8]) -> Result<Receipt, SyncError> {
    let receipt: Receipt = serde_json::from_slice(body)
        .map_err(|error| SyncError::MalformedHeader(error.to_string()))?;
    receipt.check()?;
    Ok(receipt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::random_id;

    struct Setup {
        desk: DeskKeys,
        receipt: Receipt,
    }

    fn setup() -> Setup {
        let desk = DeskKeys::generate(&random_id().expect("random")).expect("keys");
        let receipt = Receipt {
            desk_id: desk.desk_id().to_owned(),
            kiosk_id: random_id().expect("random"),
            bundle_seq: 7,
            submission_ids: vec![random_id().expect("random"), random_id().expect("random")],
            received_at: "2026-11-23T10:15:00Z".to_owned(),
        };
        Setup { desk, receipt }
    }

    /// The set-up receipt signed, and the key it verifies with.
    fn signed(setup: &Setup) -> (Vec<u8>, [u8; 32]) {
        let bytes = setup.receipt.sign(&setup.desk).expect("sign");
        (bytes, setup.desk.public().sign_public)
    }

    #[test]
    fn round_trip_and_peek() {
        let setup = setup();
        let bytes = setup.receipt.sign(&setup.desk).expect("sign");
        let ids = Receipt::peek(&bytes).expect("peek");
        assert_eq!(ids.desk_id, setup.receipt.desk_id);
        assert_eq!(ids.kiosk_id, setup.receipt.kiosk_id);
        let public = setup.desk.public();
        let read = Receipt::parse_and_verify(&bytes, &public.sign_public).expect("verifies");
        assert_eq!(read, setup.receipt);
        let read = Receipt::verify_for(&bytes, &public, &setup.receipt.kiosk_id).expect("ours");
        assert_eq!(read, setup.receipt);
    }

    #[test]
    fn a_receipt_is_no_longer_than_its_bound() {
        let setup = setup();
        let mut receipt = setup.receipt.clone();
        receipt.bundle_seq = u64::MAX;
        receipt.submission_ids.clear();
        for ids in 0..4 {
            let bytes = receipt.sign(&setup.desk).expect("sign");
            assert!(bytes.len() <= max_receipt_len(ids), "{ids} ids");
            // The body's fixed part at its longest: a 64-character timestamp, unchecked here.
            let mut longest = receipt.clone();
            longest.received_at = "x".repeat(64);
            let body = serde_json::to_vec(&longest).expect("json");
            assert!(body.len() <= MAX_BODY_WITHOUT_IDS + ids * (ID_HEX_LEN + 3));
            receipt.submission_ids.push(random_id().expect("random"));
        }
    }

    #[test]
    fn another_desks_key_is_refused() {
        let setup = setup();
        let bytes = setup.receipt.sign(&setup.desk).expect("sign");
        let other = DeskKeys::generate(setup.desk.desk_id()).expect("keys");
        assert_eq!(
            Receipt::parse_and_verify(&bytes, &other.public().sign_public),
            Err(SyncError::BadSignature)
        );
    }

    #[test]
    fn wrong_desk_or_kiosk_is_refused() {
        let setup = setup();
        let bytes = setup.receipt.sign(&setup.desk).expect("sign");
        let mut public = setup.desk.public();
        assert_eq!(
            Receipt::verify_for(&bytes, &public, &random_id().expect("random")),
            Err(SyncError::WrongKiosk)
        );
        public.desk_id = random_id().expect("random");
        assert_eq!(
            Receipt::verify_for(&bytes, &public, &setup.receipt.kiosk_id),
            Err(SyncError::WrongDesk)
        );
        // A desk cannot sign a receipt in another desk's name.
        let mut receipt = setup.receipt.clone();
        receipt.desk_id = random_id().expect("random");
        assert_eq!(receipt.sign(&setup.desk), Err(SyncError::WrongDesk));
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let setup = setup();
        let (bytes, public) = signed(&setup);
        for position in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[position] ^= 0x01;
            let result = Receipt::parse_and_verify(&flipped, &public);
            assert!(result.is_err(), "flip at {position} accepted");
            // Past the framing, every flip is caught by the signature.
            if (9..bytes.len() - 68).contains(&position) || position >= bytes.len() - 64 {
                assert_eq!(result, Err(SyncError::BadSignature), "flip at {position}");
            }
            // Peeking never panics either, whatever it says.
            let _ = Receipt::peek(&flipped);
        }
    }

    #[test]
    fn every_truncation_is_refused() {
        let setup = setup();
        let (bytes, public) = signed(&setup);
        for len in 0..bytes.len() {
            let result = Receipt::parse_and_verify(&bytes[..len], &public);
            assert!(result.is_err(), "truncated to {len} accepted");
            assert!(Receipt::peek(&bytes[..len]).is_err());
        }
        assert_eq!(
            Receipt::parse_and_verify(&bytes[..bytes.len() - 1], &public),
            Err(SyncError::Truncated)
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Receipt::parse_and_verify(&longer, &public),
            Err(SyncError::TrailingBytes)
        );
    }

    #[test]
    fn a_bundle_signature_is_not_a_receipt_signature() {
        // The magic is part of what is signed: relabelling a file is a framing error, and a
        // receipt body framed as anything else cannot verify.
        let setup = setup();
        let mut bytes = setup.receipt.sign(&setup.desk).expect("sign");
        bytes[..4].copy_from_slice(b"IKSB");
        assert_eq!(
            Receipt::parse_and_verify(&bytes, &setup.desk.public().sign_public),
            Err(SyncError::BadMagic {
                expected: FileKind::Receipt
            })
        );
    }

    #[test]
    fn malformed_bodies_are_refused_even_when_signed() {
        let setup = setup();
        let sign_body = |body: &[u8]| {
            let mut writer = FrameWriter::new(FileKind::Receipt, RECEIPT_VERSION);
            writer.section(body).expect("small");
            let signature = setup.desk.sign(writer.buffer()).expect("sign");
            writer.section(&signature).expect("small");
            writer.into_bytes()
        };
        let public = setup.desk.public().sign_public;
        let mut value = serde_json::to_value(&setup.receipt).expect("json");
        value["extra"] = serde_json::json!(1);
        let bytes = sign_body(value.to_string().as_bytes());
        assert!(matches!(
            Receipt::parse_and_verify(&bytes, &public),
            Err(SyncError::MalformedHeader(_))
        ));
        let bytes = sign_body(b"not json");
        assert!(matches!(
            Receipt::parse_and_verify(&bytes, &public),
            Err(SyncError::MalformedHeader(_))
        ));
        let mut receipt = setup.receipt.clone();
        receipt.received_at = "yesterday".into();
        let bytes = sign_body(&serde_json::to_vec(&receipt).expect("json"));
        assert_eq!(
            Receipt::parse_and_verify(&bytes, &public),
            Err(SyncError::InvalidTimestamp)
        );
        let mut receipt = setup.receipt.clone();
        receipt.submission_ids.push("no spaces allowed".into());
        let bytes = sign_body(&serde_json::to_vec(&receipt).expect("json"));
        assert_eq!(
            Receipt::parse_and_verify(&bytes, &public),
            Err(SyncError::InvalidEntryId)
        );
        assert_eq!(receipt.sign(&setup.desk), Err(SyncError::InvalidEntryId));
    }
}
