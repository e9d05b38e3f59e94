//! The kiosk's pairing nonce, revealed to the desk once the kiosk has accepted the desk's answer
//! (see [`super::comparison`]): one line in the exchange folder, `pair-reveal-<kiosk id>.ikpr`.
//!
//! ```text
//! IKPR1:<kiosk id>:<nonce>
//! ```
//!
//! The kiosk id (16 bytes) and the nonce (32 bytes) are uppercase Crockford base32 without
//! padding, as in the QR code. Nothing in it is secret any more, and nothing in it is trusted:
//! the desk takes the nonce only if it hashes to the secret of the QR code it scanned. The parser
//! is strict, as for the QR code.

use super::SyncError;
use super::encoding::{base32_decode_exact, base32_encode, check_id, hex_decode, hex_encode};

const TAG: &str = "IKPR1";

/// The longest reveal read: one line of about 90 characters.
pub const MAX_REVEAL_LEN: usize = 256;

/// A kiosk's pairing nonce, for the desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairingReveal {
    pub kiosk_id: String,
    pub nonce: [u8; 32],
}

impl PairingReveal {
    /// The line to write.
    pub fn to_text(&self) -> Result<String, SyncError> {
        check_id(&self.kiosk_id)?;
        let id = hex_decode(&self.kiosk_id).ok_or(SyncError::InvalidId)?;
        Ok(format!(
            "{TAG}:{}:{}\n",
            base32_encode(&id).as_str(),
            base32_encode(&self.nonce).as_str()
        ))
    }

    /// Reads a reveal (one line; a final newline allowed).
    pub fn parse(text: &str) -> Result<Self, SyncError> {
        if text.len() > MAX_REVEAL_LEN {
            return Err(SyncError::MalformedText("too long"));
        }
        let line = text.strip_suffix('\n').unwrap_or(text);
        let fields: Vec<&str> = line.split(':').collect();
        let [TAG, kiosk_id, nonce] = fields.as_slice() else {
            return Err(SyncError::MalformedText("not a kiosk's pairing reveal"));
        };
        let kiosk_id = base32_decode_exact::<16>(kiosk_id).ok_or(SyncError::MalformedText(
            "the kiosk id is not 26 base32 characters",
        ))?;
        let nonce = base32_decode_exact::<32>(nonce).ok_or(SyncError::MalformedText(
            "the nonce is not 52 base32 characters",
        ))?;
        Ok(PairingReveal {
            kiosk_id: hex_encode(kiosk_id.as_slice()),
            nonce: *nonce,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::encoding::random_bytes;
    use crate::sync::random_id;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        let reveal = PairingReveal {
            kiosk_id: random_id().expect("id"),
            nonce: random_bytes::<32>().expect("random"),
        };
        let text = reveal.to_text().expect("text");
        assert!(text.starts_with("IKPR1:") && text.ends_with('\n'));
        assert_eq!(PairingReveal::parse(&text).expect("parses"), reveal);
        assert_eq!(
            PairingReveal::parse(text.trim_end()).expect("without its newline"),
            reveal
        );
        for bad in [
            String::new(),
            text.replace("IKPR1", "IKPR2"),
            format!("{text}x"),
            text.replacen(':', "::", 1),
            text.to_lowercase(),
            "IKPR1:".repeat(60),
        ] {
            assert!(PairingReveal::parse(&bad).is_err(), "{bad:?}");
        }
    }
}
