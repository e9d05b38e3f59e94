//! Crockford base32 for the printed recovery key: no I/L/O/U, case-insensitive, and the
//! look-alikes a person may type (O for 0, I/L for 1) are read as the digit they resemble.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn value(c: char) -> Option<u32> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// Decodes, skipping spaces and dashes. `None` for any other character or a bad length.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !matches!(c, '-' | ' ')) {
        buffer = (buffer << 5) | value(c)?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    // Leftover bits must be padding zeros; anything else means a typo in the last group.
    if bits >= 5 || buffer & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_lookalikes() {
        let bytes: Vec<u8> = (0..32).collect();
        let text = encode(&bytes);
        assert_eq!(decode(&text).as_deref(), Some(&bytes[..]));
        assert_eq!(decode(&text.to_lowercase()).as_deref(), Some(&bytes[..]));
        let with_o = text.replace('0', "O");
        assert_eq!(decode(&with_o).as_deref(), Some(&bytes[..]));
        assert_eq!(decode("U"), None);
    }
}
