//! The desk's answer to a kiosk's pairing offer: which desk it is and its two public keys,
//! authenticated with the one-time secret from the offer's QR code.
//!
//! ```text
//! "IKSP" | version 1 | kiosk id | desk id | desk KEM public (32) | desk signing public (32)
//!        | created at (i64 LE, Unix seconds) | HMAC-SHA256 (32)
//! ```
//! (every item but the version and the time is a length-prefixed section, see `frame.rs`).
//!
//! The MAC covers every byte before it, magic included, under a key derived with HKDF-SHA256
//! from the offer's secret and bound to the kiosk's id and signing key. An answer therefore
//! verifies only at the kiosk that showed the offer, only with the secret it showed, and only if
//! the desk saw that kiosk's real signing key — a desk that scanned a substituted QR code makes
//! an answer the real kiosk refuses. The kiosk must discard the offer once an answer is
//! accepted (one-time) and refuse answers after `expires_at`.
//!
//! [`PairingAnswer::open`] refuses with distinct errors: another kiosk's answer
//! ([`SyncError::WrongKiosk`]), a wrong MAC ([`SyncError::Forged`]), a late answer
//! ([`SyncError::Expired`]), and framing errors for anything unreadable.

use ring::{hkdf, hmac};

use super::encoding::check_id;
use super::frame::{FrameReader, FrameWriter};
use super::{DeskPublic, FileKind, PairingOffer, SyncError};

/// The one answer format this build writes and reads.
pub const PAIRING_ANSWER_VERSION: u8 = 1;

/// The longest pairing answer a kiosk reads. An answer is under 200 bytes (two ids, two public
/// keys, a time and a MAC); a few KiB leave room for a later version and nothing for abuse.
pub const MAX_PAIRING_ANSWER_LEN: usize = 4 * 1024;

const MAC_SALT: &[u8] = b"intake-kiosk/sync/v1/pairing-answer";
const MAC_LABEL: &[u8] = b"intake-kiosk/sync/v1/pairing-answer-mac\0";
const MAC_LEN: usize = 32;

/// What a desk tells a kiosk when pairing. No secrets: public keys and ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairingAnswer {
    pub kiosk_id: String,
    pub desk_id: String,
    pub desk_kem_public: [u8; 32],
    pub desk_sign_public: [u8; 32],
    /// Unix seconds, by the desk's clock (informative; expiry is judged by the kiosk's clock).
    pub created_at: i64,
}

impl PairingAnswer {
    /// The answer `desk` gives to `offer`.
    pub fn for_offer(offer: &PairingOffer, desk: &DeskPublic, created_at: i64) -> Self {
        PairingAnswer {
            kiosk_id: offer.kiosk_id.clone(),
            desk_id: desk.desk_id.clone(),
            desk_kem_public: desk.kem_public,
            desk_sign_public: desk.sign_public,
            created_at,
        }
    }

    /// The desk's public keys as the kiosk stores them after pairing.
    pub fn desk_public(&self) -> DeskPublic {
        DeskPublic {
            desk_id: self.desk_id.clone(),
            kem_public: self.desk_kem_public,
            sign_public: self.desk_sign_public,
        }
    }

    /// The bytes the desk sends back, authenticated with the offer's one-time secret.
    pub fn seal(&self, offer: &PairingOffer) -> Result<Vec<u8>, SyncError> {
        check_id(&self.kiosk_id)?;
        check_id(&self.desk_id)?;
        if self.kiosk_id != offer.kiosk_id {
            return Err(SyncError::WrongKiosk);
        }
        let mut writer = FrameWriter::new(FileKind::PairingAnswer, PAIRING_ANSWER_VERSION);
        writer.section(self.kiosk_id.as_bytes())?;
        writer.section(self.desk_id.as_bytes())?;
        writer.section(&self.desk_kem_public)?;
        writer.section(&self.desk_sign_public)?;
        writer.u64(u64::from_le_bytes(self.created_at.to_le_bytes()));
        let tag = hmac::sign(&mac_key(offer)?, writer.buffer());
        writer.section(tag.as_ref())?;
        Ok(writer.into_bytes())
    }

    /// Reads and checks an answer at the kiosk that made `offer`, at time `now` (Unix seconds).
    pub fn open(bytes: &[u8], offer: &PairingOffer, now: i64) -> Result<PairingAnswer, SyncError> {
        let mut reader = FrameReader::new(bytes, FileKind::PairingAnswer, PAIRING_ANSWER_VERSION)?;
        let kiosk_id = reader.text_section(64)?;
        let desk_id = reader.text_section(64)?;
        let desk_kem_public = reader.fixed_section::<32>()?;
        let desk_sign_public = reader.fixed_section::<32>()?;
        let created_at = i64::from_le_bytes(reader.u64()?.to_le_bytes());
        let mac_start = reader.position();
        let mac = reader.fixed_section::<MAC_LEN>()?;
        reader.finish()?;
        check_id(kiosk_id)?;
        check_id(desk_id)?;

        if kiosk_id != offer.kiosk_id {
            return Err(SyncError::WrongKiosk);
        }
        let authenticated = bytes.get(..mac_start).ok_or(SyncError::Truncated)?;
        hmac::verify(&mac_key(offer)?, authenticated, &mac).map_err(|_| SyncError::Forged)?;
        offer.check_fresh(now)?;
        Ok(PairingAnswer {
            kiosk_id: kiosk_id.to_owned(),
            desk_id: desk_id.to_owned(),
            desk_kem_public,
            desk_sign_public,
            created_at,
        })
    }
}

/// HMAC key from the offer's one-time secret, bound to the kiosk's id and signing key.
fn mac_key(offer: &PairingOffer) -> Result<hmac::Key, SyncError> {
    check_id(&offer.kiosk_id)?;
    let info = [
        MAC_LABEL,
        offer.kiosk_id.as_bytes(),
        offer.kiosk_sign_public.as_slice(),
    ];
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, MAC_SALT).extract(offer.secret.as_slice());
    let okm = prk
        .expand(&info, hmac::HMAC_SHA256)
        .map_err(|_| SyncError::InvalidKey)?;
    Ok(hmac::Key::from(okm))
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::sync::{DeskKeys, KioskKeys, random_id};

    const NOW: i64 = 1_800_000_000;

    struct Setup {
        offer: PairingOffer,
        desk: DeskKeys,
    }

    fn setup() -> Setup {
        let kiosk = KioskKeys::generate(&random_id().expect("random")).expect("keys");
        let offer = PairingOffer::new(&kiosk, NOW + 300).expect("offer");
        let desk = DeskKeys::generate(&random_id().expect("random")).expect("keys");
        Setup { offer, desk }
    }

    fn answer_bytes(setup: &Setup) -> Vec<u8> {
        sealed_answer(setup, &setup.offer, &setup.offer)
    }

    /// The desk's answer to `offer`, sealed with what it saw of the offer (`seen`: its key and
    /// secret).
    fn sealed_answer(setup: &Setup, offer: &PairingOffer, seen: &PairingOffer) -> Vec<u8> {
        PairingAnswer::for_offer(offer, &setup.desk.public(), NOW)
            .seal(seen)
            .expect("seal")
    }

    #[test]
    fn round_trip() {
        let setup = setup();
        let bytes = answer_bytes(&setup);
        let answer = PairingAnswer::open(&bytes, &setup.offer, NOW + 10).expect("opens");
        assert_eq!(answer.kiosk_id, setup.offer.kiosk_id);
        assert_eq!(answer.desk_public(), setup.desk.public());
        assert_eq!(answer.created_at, NOW);
    }

    #[test]
    fn an_answer_fits_its_bound() {
        assert!(answer_bytes(&setup()).len() <= MAX_PAIRING_ANSWER_LEN / 16);
    }

    #[test]
    fn the_desk_reads_the_offer_from_its_text() {
        let setup = setup();
        let scanned = PairingOffer::parse(&setup.offer.to_text().expect("text")).expect("parse");
        let bytes = sealed_answer(&setup, &scanned, &scanned);
        assert!(PairingAnswer::open(&bytes, &setup.offer, NOW).is_ok());
    }

    #[test]
    fn the_fuzz_targets_fixed_offer_parses() {
        // The fuzz targets open answers against this very text (fuzz/src/lib.rs, FIXED_OFFER).
        let offer = PairingOffer::parse(
            "IKP1:04HMASW9NF6YY0938NKRKAYDXW:\
             0W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3GE1R70W3G:\
             144GJ289144GJ289144GJ289144GJ289144GJ289144GJ289144G:2000000000",
        )
        .expect("parses");
        assert_eq!(offer.kiosk_id, "0123456789abcdef0123456789abcdef");
        assert_eq!(offer.kiosk_sign_public, [7; 32]);
        assert_eq!(*offer.secret, [9; 32]);
        assert_eq!(offer.expires_at, 2_000_000_000);
    }

    #[test]
    fn expired_offer_is_refused() {
        let setup = setup();
        let bytes = answer_bytes(&setup);
        assert!(PairingAnswer::open(&bytes, &setup.offer, setup.offer.expires_at).is_ok());
        assert_eq!(
            PairingAnswer::open(&bytes, &setup.offer, setup.offer.expires_at + 1),
            Err(SyncError::Expired)
        );
    }

    /// The kiosk's offer as someone else saw it: its id and expiry, with this signing key and
    /// secret.
    fn seen_offer(setup: &Setup, kiosk_sign_public: [u8; 32], secret: [u8; 32]) -> PairingOffer {
        PairingOffer {
            version: 1,
            kiosk_id: setup.offer.kiosk_id.clone(),
            kiosk_sign_public,
            secret: Zeroizing::new(secret),
            expires_at: setup.offer.expires_at,
        }
    }

    /// The kiosk refuses `answer` as forged.
    fn assert_forged(setup: &Setup, answer: &[u8]) {
        assert_eq!(
            PairingAnswer::open(answer, &setup.offer, NOW),
            Err(SyncError::Forged)
        );
    }

    #[test]
    fn forged_answer_is_refused() {
        let setup = setup();
        // Someone who saw the kiosk id and key but not the secret.
        let guessed = seen_offer(&setup, setup.offer.kiosk_sign_public, [0x42; 32]);
        assert_forged(&setup, &sealed_answer(&setup, &setup.offer, &guessed));
    }

    #[test]
    fn a_desk_that_saw_another_kiosk_key_is_refused() {
        let setup = setup();
        let substituted = seen_offer(&setup, [7; 32], *setup.offer.secret);
        assert_forged(&setup, &sealed_answer(&setup, &substituted, &substituted));
    }

    #[test]
    fn answer_for_another_kiosk_is_refused() {
        let setup = setup();
        let other = self::setup();
        let bytes = answer_bytes(&other);
        assert_eq!(
            PairingAnswer::open(&bytes, &setup.offer, NOW),
            Err(SyncError::WrongKiosk)
        );
        let mut answer = PairingAnswer::for_offer(&setup.offer, &setup.desk.public(), NOW);
        answer.kiosk_id = other.offer.kiosk_id.clone();
        assert_eq!(answer.seal(&setup.offer), Err(SyncError::WrongKiosk));
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let setup = setup();
        let bytes = answer_bytes(&setup);
        // Offsets of the desk's keys, the time and the MAC: there a flip can only be a forgery.
        let keys_start = 5 + (4 + 32) * 2 + 4;
        for position in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[position] ^= 0x01;
            let result = PairingAnswer::open(&flipped, &setup.offer, NOW);
            assert!(result.is_err(), "flip at {position} accepted");
            let in_content = (keys_start..keys_start + 32).contains(&position)
                || (keys_start + 36..keys_start + 36 + 32 + 8).contains(&position)
                || position >= bytes.len() - 32;
            if in_content {
                assert_eq!(result, Err(SyncError::Forged), "flip at {position}");
            }
        }
    }

    #[test]
    fn every_truncation_and_extension_is_refused() {
        let setup = setup();
        let bytes = answer_bytes(&setup);
        for len in 0..bytes.len() {
            let result = PairingAnswer::open(&bytes[..len], &setup.offer, NOW);
            assert!(result.is_err(), "truncated to {len} accepted");
        }
        assert_eq!(
            PairingAnswer::open(&bytes[..bytes.len() - 1], &setup.offer, NOW),
            Err(SyncError::Truncated)
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            PairingAnswer::open(&longer, &setup.offer, NOW),
            Err(SyncError::TrailingBytes)
        );
        assert_eq!(
            PairingAnswer::open(b"IKSB\x01", &setup.offer, NOW),
            Err(SyncError::BadMagic {
                expected: FileKind::PairingAnswer
            })
        );
    }
}
