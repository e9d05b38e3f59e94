//! The short code both screens show after pairing, e.g. `482 915`, so staff can see at a glance
//! that the kiosk and the desk hold the same three public keys.
//!
//! What it is and is not: a human cross-check of six digits (about 20 bits). It catches a wrong
//! or swapped key, a mis-scan and a confused operator; it is *not* what authenticates the pairing
//! — an attacker choosing keys could grind a matching code in about a million tries. The pairing
//! is authenticated by the one-time secret in the QR code (see [`super::pairing`]).

use ring::digest;

const DOMAIN: &[u8] = b"intake-kiosk/sync/v1/comparison-code\0";

/// Six decimal digits from SHA-256 over a domain label and the three keys (each of fixed length,
/// so the concatenation is unambiguous), written as two groups of three.
pub fn comparison_code(
    kiosk_sign_public: &[u8; 32], desk_kem_public: &[u8; 32], desk_sign_public: &[u8; 32],
) -> String {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(DOMAIN);
    context.update(kiosk_sign_public);
    context.update(desk_kem_public);
    context.update(desk_sign_public);
    let hash = context.finish();
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_ref()[..8]);
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
        let code = comparison_code(&[0; 32], &[0; 32], &[0; 32]);
        assert_eq!(code.len(), 7);
        assert_eq!(code.as_bytes()[3], b' ');
        assert!(
            code.chars()
                .filter(|c| *c != ' ')
                .all(|c| c.is_ascii_digit())
        );
        assert_eq!(code, comparison_code(&[0; 32], &[0; 32], &[0; 32]));
    }

    #[test]
    fn every_single_bit_flip_in_any_key_changes_the_code() {
        let keys = [[1u8; 32], [2u8; 32], [3u8; 32]];
        let original = comparison_code(&keys[0], &keys[1], &keys[2]);
        for which in 0..3 {
            for byte in 0..32 {
                for bit in 0..8 {
                    let mut changed = keys;
                    changed[which][byte] ^= 1 << bit;
                    let code = comparison_code(&changed[0], &changed[1], &changed[2]);
                    assert_ne!(code, original, "key {which} byte {byte} bit {bit}");
                }
            }
        }
        // The keys are not interchangeable: the same bytes in another role give another code.
        assert_ne!(
            comparison_code(&keys[1], &keys[0], &keys[2]),
            original,
            "swapping roles changes the code"
        );
    }

    #[test]
    fn random_key_changes_rarely_collide() {
        let base: [[u8; 32]; 3] = std::array::from_fn(|_| random_bytes::<32>().expect("random"));
        let original = comparison_code(&base[0], &base[1], &base[2]);
        let mut collisions = 0;
        let mut seen = HashSet::new();
        for round in 0..3000 {
            let mut changed = base;
            changed[round % 3] = random_bytes::<32>().expect("random");
            let code = comparison_code(&changed[0], &changed[1], &changed[2]);
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
