//! Lowercase hexadecimal: the crate's one encoder and decoder of it (ids, content hashes, tags,
//! file digests, FHIR uuids). Strict: one value has exactly one accepted spelling.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends `bytes` to `out` as lowercase hex.
pub fn push(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
}

/// `bytes` as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push(&mut out, bytes);
    out
}

/// Whether `text` is lowercase hex digits only.
pub fn is_lower(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Lowercase hex only; `None` for an odd length or any other character.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips_with_one_spelling() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert_eq!(text.len(), 512);
        assert!(text.starts_with("000102") && text.ends_with("fdfeff"));
        assert!(is_lower(&text));
        assert_eq!(decode(&text), Some(all));
        let mut out = String::from("sha256:");
        push(&mut out, &[0xab, 0x01]);
        assert_eq!(out, "sha256:ab01");
    }

    #[test]
    fn other_spellings_are_refused() {
        for text in ["ABCD", "abc", "0g", " 00", "00 ", "é0"] {
            assert_eq!(decode(text), None, "{text}");
        }
        assert!(!is_lower("AB"));
        assert_eq!(decode(""), Some(Vec::new()));
    }
}
