//! The pairing offer a kiosk shows as a QR code for the desk to scan.
//!
//! ```text
//! IKP1:<kiosk id>:<kiosk signing public key>:<one-time secret>:<expires at>
//! ```
//!
//! - `IKP1` names the format and its version;
//! - the kiosk id (16 bytes), the Ed25519 public key (32 bytes) and the one-time secret
//!   (32 bytes, 256 random bits) are uppercase Crockford base32 without padding (26, 52 and 52
//!   characters);
//! - `expires at` is Unix seconds in decimal, without sign or leading zeros.
//!
//! The one-time secret is not drawn on its own: it is a hash of the kiosk's pairing nonce
//! ([`super::offer_secret`]), which the kiosk reveals once it has accepted an answer, so that the
//! comparison code cannot be matched by a stranger who saw the QR code (see
//! [`super::comparison`]).
//!
//! Every character is in the QR alphanumeric set (0-9, A-Z, `:`), so the code stays small
//! (about 150 characters). The offer holds no passphrase and no long-term secret: the one-time
//! secret only authenticates the desk's answer ([`super::pairing`]) and is useless once the
//! kiosk has accepted an answer or the offer has expired. The parser is strict — exact field
//! count, exact lengths, one spelling per value, nothing before or after — because a QR code is
//! read by a machine, and anything else is a wrong code.

use zeroize::Zeroizing;

use super::encoding::{
    base32_decode_exact, base32_encode, check_id, hex_decode, hex_encode, random_bytes,
};
use super::{KioskKeys, SyncError};

/// The one offer format this build writes and reads.
pub const PAIRING_OFFER_VERSION: u8 = 1;
/// No valid offer text is longer; longer input is refused before it is looked at.
pub const MAX_OFFER_TEXT_LEN: usize = 200;

const PREFIX: &str = "IKP";
const FIELDS: usize = 5;

/// What a kiosk offers a desk to pair with. Holds the one-time secret: never printed, wiped
/// when dropped, and to be discarded by the kiosk as soon as an answer is accepted.
pub struct PairingOffer {
    pub version: u8,
    pub kiosk_id: String,
    pub kiosk_sign_public: [u8; 32],
    pub secret: Zeroizing<[u8; 32]>,
    /// Unix seconds after which the kiosk refuses answers to this offer.
    pub expires_at: i64,
}

impl PairingOffer {
    /// A fresh offer from this kiosk with a new random one-time secret (one whose nonce nobody
    /// keeps: for tests of the answer alone; a kiosk pairs with [`PairingOffer::from_nonce`]).
    pub fn new(kiosk: &KioskKeys, expires_at: i64) -> Result<Self, SyncError> {
        Self::from_nonce(kiosk, &random_bytes::<32>()?, expires_at)
    }

    /// The offer whose one-time secret is the hash of the kiosk's pairing `nonce`
    /// ([`super::offer_secret`]); the kiosk keeps the nonce and reveals it only once it has
    /// accepted an answer.
    pub fn from_nonce(
        kiosk: &KioskKeys, nonce: &[u8; 32], expires_at: i64,
    ) -> Result<Self, SyncError> {
        if expires_at < 0 {
            return Err(SyncError::InvalidTimestamp);
        }
        Ok(PairingOffer {
            version: PAIRING_OFFER_VERSION,
            kiosk_id: kiosk.kiosk_id().to_owned(),
            kiosk_sign_public: kiosk.sign_public(),
            secret: Zeroizing::new(super::offer_secret(nonce)),
            expires_at,
        })
    }

    /// [`SyncError::Expired`] once `now` (Unix seconds) is past `expires_at`.
    pub fn check_fresh(&self, now: i64) -> Result<(), SyncError> {
        if now > self.expires_at {
            Err(SyncError::Expired)
        } else {
            Ok(())
        }
    }

    /// The single line to put in the QR code. Zeroizing: it contains the one-time secret.
    pub fn to_text(&self) -> Result<Zeroizing<String>, SyncError> {
        if self.version != PAIRING_OFFER_VERSION {
            return Err(SyncError::UnsupportedOfferVersion(self.version));
        }
        check_id(&self.kiosk_id)?;
        if self.expires_at < 0 {
            return Err(SyncError::InvalidTimestamp);
        }
        let id_bytes = hex_decode(&self.kiosk_id).ok_or(SyncError::InvalidId)?;
        let mut text = Zeroizing::new(String::with_capacity(MAX_OFFER_TEXT_LEN));
        text.push_str(PREFIX);
        text.push_str(&self.version.to_string());
        for field in [
            base32_encode(&id_bytes),
            base32_encode(&self.kiosk_sign_public),
            base32_encode(self.secret.as_slice()),
        ] {
            text.push(':');
            text.push_str(&field);
        }
        text.push(':');
        text.push_str(&self.expires_at.to_string());
        Ok(text)
    }

    /// Reads a scanned offer. Does not check expiry (see [`PairingOffer::check_fresh`]).
    pub fn parse(text: &str) -> Result<Self, SyncError> {
        if text.len() > MAX_OFFER_TEXT_LEN {
            return Err(SyncError::MalformedText("too long"));
        }
        let fields: Vec<&str> = text.split(':').collect();
        let [tag, kiosk_id, sign_public, secret, expires_at] = fields.as_slice() else {
            return Err(SyncError::MalformedText(if fields.len() < FIELDS {
                "too few fields"
            } else {
                "too many fields"
            }));
        };
        let version = parse_tag(tag)?;
        let kiosk_id = base32_decode_exact::<16>(kiosk_id).ok_or(SyncError::MalformedText(
            "the kiosk id is not 26 base32 characters",
        ))?;
        let kiosk_sign_public = *base32_decode_exact::<32>(sign_public).ok_or(
            SyncError::MalformedText("the kiosk key is not 52 base32 characters"),
        )?;
        let secret = base32_decode_exact::<32>(secret).ok_or(SyncError::MalformedText(
            "the one-time secret is not 52 base32 characters",
        ))?;
        let expires_at = parse_unix_seconds(expires_at)
            .ok_or(SyncError::MalformedText("the expiry is not a plain number"))?;
        Ok(PairingOffer {
            version,
            kiosk_id: hex_encode(kiosk_id.as_slice()),
            kiosk_sign_public,
            secret,
            expires_at,
        })
    }
}

/// `IKP` then the version in decimal; only [`PAIRING_OFFER_VERSION`] is read.
fn parse_tag(tag: &str) -> Result<u8, SyncError> {
    let not_ours = SyncError::MalformedText("not an intake-kiosk pairing code");
    let Some(digits) = tag.strip_prefix(PREFIX) else {
        return Err(not_ours);
    };
    let version = parse_decimal(digits)
        .and_then(|v| u8::try_from(v).ok())
        .ok_or(not_ours)?;
    if version != PAIRING_OFFER_VERSION {
        return Err(SyncError::UnsupportedOfferVersion(version));
    }
    Ok(version)
}

fn parse_unix_seconds(text: &str) -> Option<i64> {
    i64::try_from(parse_decimal(text)?).ok()
}

/// Plain decimal digits, no sign, no leading zeros, at most 19 digits.
fn parse_decimal(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 19 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::random_id;

    fn offer() -> PairingOffer {
        let kiosk = KioskKeys::generate(&random_id().expect("random")).expect("keys");
        PairingOffer::new(&kiosk, 1_900_000_000).expect("offer")
    }

    fn text_of(offer: &PairingOffer) -> String {
        offer.to_text().expect("valid offer").to_string()
    }

    #[test]
    fn round_trips_through_qr_friendly_text() {
        let offer = offer();
        let text = text_of(&offer);
        assert!(text.starts_with("IKP1:"));
        assert!(text.len() <= MAX_OFFER_TEXT_LEN);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b':'),
            "QR alphanumeric set only: {text}"
        );
        let parsed = PairingOffer::parse(&text).expect("parses");
        assert_eq!(parsed.version, 1);
        assert_eq!(parsed.kiosk_id, offer.kiosk_id);
        assert_eq!(parsed.kiosk_sign_public, offer.kiosk_sign_public);
        assert_eq!(*parsed.secret, *offer.secret);
        assert_eq!(parsed.expires_at, offer.expires_at);
        assert_eq!(text_of(&parsed), text);
    }

    #[test]
    fn fresh_offers_have_fresh_secrets() {
        assert_ne!(*offer().secret, *offer().secret);
    }

    #[test]
    fn expiry_is_checked_against_the_given_time() {
        let offer = offer();
        assert_eq!(offer.check_fresh(offer.expires_at), Ok(()));
        assert_eq!(
            offer.check_fresh(offer.expires_at + 1),
            Err(SyncError::Expired)
        );
    }

    #[test]
    fn wrong_field_count_is_refused() {
        let text = text_of(&offer());
        let fewer = text.rsplit_once(':').expect("has fields").0.to_owned();
        assert_eq!(
            PairingOffer::parse(&fewer).err(),
            Some(SyncError::MalformedText("too few fields"))
        );
        assert_eq!(
            PairingOffer::parse(&format!("{text}:1")).err(),
            Some(SyncError::MalformedText("too many fields"))
        );
        assert_eq!(
            PairingOffer::parse(&format!("{text}:")).err(),
            Some(SyncError::MalformedText("too many fields"))
        );
        assert_eq!(
            PairingOffer::parse("").err(),
            Some(SyncError::MalformedText("too few fields"))
        );
    }

    #[test]
    fn wrong_lengths_and_characters_are_refused() {
        let text = text_of(&offer());
        let fields: Vec<String> = text.split(':').map(str::to_owned).collect();
        let with = |index: usize, value: &str| {
            let mut changed = fields.clone();
            changed[index] = value.to_owned();
            PairingOffer::parse(&changed.join(":")).err()
        };
        let id_error = Some(SyncError::MalformedText(
            "the kiosk id is not 26 base32 characters",
        ));
        let key_error = Some(SyncError::MalformedText(
            "the kiosk key is not 52 base32 characters",
        ));
        let secret_error = Some(SyncError::MalformedText(
            "the one-time secret is not 52 base32 characters",
        ));
        let expiry_error = Some(SyncError::MalformedText("the expiry is not a plain number"));

        assert_eq!(with(1, &fields[1][..25]), id_error);
        assert_eq!(with(1, &format!("{}0", fields[1])), id_error);
        assert_eq!(with(1, &fields[1].to_lowercase()), id_error);
        assert_eq!(with(2, &fields[2][..51]), key_error);
        assert_eq!(with(2, &fields[2].replacen(|_| true, "U", 1)), key_error);
        assert_eq!(with(3, &fields[3][1..]), secret_error);
        assert_eq!(with(3, &fields[3].replacen(|_| true, "-", 1)), secret_error);
        // Twenty-six characters carry 130 bits: the two padding bits must be zero.
        assert_eq!(with(1, &format!("{}1", &fields[1][..25])), id_error);
        for expiry in [
            "",
            "-1",
            "+5",
            "01",
            "1e9",
            "12345678901234567890",
            " 1",
            "1 ",
        ] {
            assert_eq!(with(4, expiry), expiry_error, "{expiry:?}");
        }
        assert_eq!(
            PairingOffer::parse(&format!("{text}\n")).err(),
            expiry_error,
            "trailing junk"
        );
    }

    #[test]
    fn wrong_prefix_version_and_oversize_are_refused() {
        let text = text_of(&offer());
        assert_eq!(
            PairingOffer::parse(&text.replacen("IKP1", "IKP2", 1)).err(),
            Some(SyncError::UnsupportedOfferVersion(2))
        );
        for tag in ["IKX1", "ikp1", "IKP", "IKP01", "IKP1000", " IKP1"] {
            assert_eq!(
                PairingOffer::parse(&text.replacen("IKP1", tag, 1)).err(),
                Some(SyncError::MalformedText("not an intake-kiosk pairing code")),
                "{tag}"
            );
        }
        let long = format!("{text}{}", "0".repeat(MAX_OFFER_TEXT_LEN));
        assert_eq!(
            PairingOffer::parse(&long).err(),
            Some(SyncError::MalformedText("too long"))
        );
    }

    #[test]
    fn an_offer_with_a_bad_version_or_id_is_not_written() {
        let mut bad = offer();
        bad.version = 2;
        assert!(matches!(
            bad.to_text(),
            Err(SyncError::UnsupportedOfferVersion(2))
        ));
        let mut bad = offer();
        bad.kiosk_id = "x".into();
        assert_eq!(bad.to_text().err(), Some(SyncError::InvalidId));
    }
}
