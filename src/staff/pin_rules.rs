//! Which PINs a staff member may choose.

/// Why a new PIN was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinRejection {
    #[error("a PIN has at least {min} digits")]
    TooShort { min: usize },
    #[error("a PIN has at most {max} digits")]
    TooLong { max: usize },
    #[error("a PIN is digits only")]
    NotDigits,
    #[error("this PIN is too easy to guess (repeated, sequential or common)")]
    TooCommon,
}

pub const MIN_PIN_DIGITS: usize = 6;
pub const MAX_PIN_DIGITS: usize = 12;

/// PINs that appear at the top of every leaked-PIN list but are not caught by the pattern rules.
const COMMON: &[&str] = &[
    "121212", "112233", "123123", "131313", "159753", "696969", "101010", "111222", "112211",
    "147258", "147852", "753951", "102030", "010203", "000123", "123321", "246810", "520520",
    "200000", "100000", "110110", "122333", "251251", "142536", "147369", "123654", "121314",
];

fn all_same(d: &[u8]) -> bool {
    d.windows(2).all(|w| w[0] == w[1])
}

fn sequential(d: &[u8]) -> bool {
    let up = d.windows(2).all(|w| (w[0] + 1) % 10 == w[1]);
    let down = d.windows(2).all(|w| (w[1] + 1) % 10 == w[0]);
    up || down
}

/// A repeated short pattern such as 121212 or 123123.
fn repeated_pattern(d: &[u8]) -> bool {
    (1..=d.len() / 2).any(|p| d.len().is_multiple_of(p) && d.chunks(p).all(|c| c == &d[..p]))
}

/// Checks a PIN a staff member wants to set.
pub fn check_new_pin(pin: &str) -> Result<(), PinRejection> {
    if !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(PinRejection::NotDigits);
    }
    if pin.len() < MIN_PIN_DIGITS {
        return Err(PinRejection::TooShort {
            min: MIN_PIN_DIGITS,
        });
    }
    if pin.len() > MAX_PIN_DIGITS {
        return Err(PinRejection::TooLong {
            max: MAX_PIN_DIGITS,
        });
    }
    let digits: Vec<u8> = pin.bytes().map(|b| b - b'0').collect();
    if all_same(&digits)
        || sequential(&digits)
        || repeated_pattern(&digits)
        || COMMON.contains(&pin)
    {
        return Err(PinRejection::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_pins_are_refused() {
        for pin in [
            "000000", "111111", "123456", "654321", "234567", "890123", "121212", "123123",
            "112233",
        ] {
            assert_eq!(check_new_pin(pin), Err(PinRejection::TooCommon), "{pin}");
        }
        assert_eq!(
            check_new_pin("12345"),
            Err(PinRejection::TooShort { min: 6 })
        );
        assert_eq!(check_new_pin("12a456"), Err(PinRejection::NotDigits));
        assert_eq!(check_new_pin("١٢٣٤٥٦"), Err(PinRejection::NotDigits));
        assert_eq!(
            check_new_pin("1234567890123"),
            Err(PinRejection::TooLong { max: 12 })
        );
    }

    #[test]
    fn ordinary_pins_pass() {
        for pin in ["402718", "918273", "5061932"] {
            assert_eq!(check_new_pin(pin), Ok(()), "{pin}");
        }
    }
}
