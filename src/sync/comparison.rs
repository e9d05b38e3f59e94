//! The short code both screens show after pairing, e.g. `482 915`, so staff can see that the
//! kiosk and the desk hold the same three public keys — and, since session 50, a code that a
//! stranger cannot make match.
//!
//! The code is taken over the three keys *and the kiosk's pairing nonce*: 32 random bytes the
//! kiosk draws at pair-start and keeps to itself. Its QR code carries only a hash of the nonce,
//! [`offer_secret`] (which is also the one-time secret that authenticates the desk's answer, see
//! [`super::pairing`]); the kiosk reveals the nonce ([`super::PairingReveal`]) only after it has
//! accepted an answer, and accepts no other answer after that. So whoever saw the QR code and can
//! write the exchange folder (a forged answer with keys of their own) must choose their keys
//! before they know the nonce: the code the kiosk then shows matches the desk's by chance only,
//! one in a million. (Over the keys alone, such a stranger could try keys until the kiosk's code
//! matched the desk's — about a million tries, a second's work.) The desk checks the revealed
//! nonce against the QR code it scanned ([`reveal_matches`]) before it computes its code.

use ring::digest;

const DOMAIN: &[u8] = b"intake-kiosk/sync/v2/comparison-code\0";
const OFFER_SECRET_DOMAIN: &[u8] = b"intake-kiosk/sync/v2/pairing-nonce\0";
const KEPT_DOMAIN: &[u8] = b"intake-kiosk/sync/v2/pairing-nonce-kept\0";

/// The one-time secret the kiosk's QR code carries: a hash of its pairing nonce.
pub fn offer_secret(nonce: &[u8; 32]) -> [u8; 32] {
    sha256(&[OFFER_SECRET_DOMAIN, nonce])
}

/// What the desk keeps of a scanned offer's secret until the kiosk reveals its nonce: a hash of
/// it (the secret itself would let a reader of the desk's database answer the kiosk).
pub fn kept_offer_secret(secret: &[u8; 32]) -> [u8; 32] {
    sha256(&[KEPT_DOMAIN, secret])
}

/// Whether `nonce` is the one behind the offer whose secret the desk kept as `kept`.
pub fn reveal_matches(nonce: &[u8; 32], kept: &[u8; 32]) -> bool {
    crate::vault::constant_time_eq(&kept_offer_secret(&offer_secret(nonce)), kept)
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut context = digest::Context::new(&digest::SHA256);
    for part in parts {
        context.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

/// Six decimal digits from SHA-256 over a domain label, the three keys and the kiosk's pairing
/// nonce (each of fixed length, so the concatenation is unambiguous), written as two groups of
/// three.
pub fn comparison_code(
    kiosk_sign_public: &[u8; 32], desk_kem_public: &[u8; 32], desk_sign_public: &[u8; 32],
    nonce: &[u8; 32],
) -> String {
    let hash = sha256(&[
        DOMAIN,
        kiosk_sign_public,
        desk_kem_public,
        desk_sign_public,
        nonce,
    ]);
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    // 2^64 mod 10^6 makes some codes likelier by about 1 in 10^13: negligible.
    let number = u64::from_be_bytes(first) % 1_000_000;
    format!("{:03} {:03}", number / 1000, number % 1000)
}

/// Whether `typed` (what a person typed from the other screen: `482 915`, `482915`, `482-915`)
/// is the code `shown` here. Only the six digits count; anything but digits, spaces and hyphens,
/// or another number of digits, never matches. (The codes derive from public keys: not secrets,
/// so a plain comparison is fine.)
pub fn comparison_codes_match(shown: &str, typed: &str) -> bool {
    let digits = |text: &str| -> Option<String> {
        let mut out = String::with_capacity(6);
        for c in text.trim().chars() {
            match c {
                '0'..='9' => out.push(c),
                ' ' | '-' => {}
                _ => return None,
            }
        }
        (out.len() == 6).then_some(out)
    };
    matches!((digits(shown), digits(typed)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::sync::encoding::random_bytes;

    #[test]
    fn looks_like_two_groups_of_three_digits() {
        let code = comparison_code(&[0; 32], &[0; 32], &[0; 32], &[0; 32]);
        assert_eq!(code.len(), 7);
        assert_eq!(code.as_bytes()[3], b' ');
        assert!(
            code.chars()
                .filter(|c| *c != ' ')
                .all(|c| c.is_ascii_digit())
        );
        assert_eq!(
            code,
            comparison_code(&[0; 32], &[0; 32], &[0; 32], &[0; 32])
        );
    }

    #[test]
    fn every_single_bit_flip_in_any_key_changes_the_code() {
        let keys = [[1u8; 32], [2u8; 32], [3u8; 32], [4u8; 32]];
        let original = comparison_code(&keys[0], &keys[1], &keys[2], &keys[3]);
        for which in 0..4 {
            for byte in 0..32 {
                for bit in 0..8 {
                    let mut changed = keys;
                    changed[which][byte] ^= 1 << bit;
                    let code = comparison_code(&changed[0], &changed[1], &changed[2], &changed[3]);
                    assert_ne!(code, original, "key {which} byte {byte} bit {bit}");
                }
            }
        }
        // The keys are not interchangeable: the same bytes in another role give another code.
        assert_ne!(
            comparison_code(&keys[1], &keys[0], &keys[2], &keys[3]),
            original,
            "swapping roles changes the code"
        );
    }

    #[test]
    fn random_key_changes_rarely_collide() {
        let base: [[u8; 32]; 4] = std::array::from_fn(|_| random_bytes::<32>().expect("random"));
        let original = comparison_code(&base[0], &base[1], &base[2], &base[3]);
        let mut collisions = 0;
        let mut seen = HashSet::new();
        for round in 0..3000 {
            let mut changed = base;
            changed[round % 4] = random_bytes::<32>().expect("random");
            let code = comparison_code(&changed[0], &changed[1], &changed[2], &changed[3]);
            if code == original {
                collisions += 1;
            }
            seen.insert(code);
        }
        // Expected collisions with the original: 3000 / 10^6. Distinct codes among 3000: nearly
        // all (birthday bound ~4.5 repeats expected).
        assert!(collisions <= 1, "{collisions} collisions");
        assert!(seen.len() >= 2980, "only {} distinct codes", seen.len());
    }

    /// The desk checks a revealed nonce against what it kept of the scanned secret: only the
    /// kiosk's own nonce matches, and what the QR code shows (the secret) is not the nonce.
    #[test]
    fn only_the_nonce_behind_the_scanned_secret_matches() {
        let nonce = random_bytes::<32>().expect("random");
        let secret = offer_secret(&nonce);
        assert_ne!(secret, nonce);
        let kept = kept_offer_secret(&secret);
        assert_ne!(kept, secret);
        assert!(reveal_matches(&nonce, &kept));
        assert!(
            !reveal_matches(&secret, &kept),
            "the QR's secret is not the nonce"
        );
        let mut other = nonce;
        other[31] ^= 1;
        assert!(!reveal_matches(&other, &kept));
    }

    #[test]
    fn a_typed_code_matches_in_any_common_spelling_and_nothing_else() {
        let shown = "482 915";
        for typed in ["482 915", "482915", " 482-915 ", "4 8 2 9 1 5"] {
            assert!(comparison_codes_match(shown, typed), "{typed:?}");
        }
        for typed in [
            "482 916",
            "48291",
            "4829150",
            "482 915x",
            "",
            "482\u{a0}915",
            "٤٨٢٩١٥",
        ] {
            assert!(!comparison_codes_match(shown, typed), "{typed:?}");
        }
        assert!(!comparison_codes_match("", ""), "no code matches nothing");
    }
}
