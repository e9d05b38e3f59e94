//! Which passphrases a manager may choose, and how long a passphrase unlock waits after
//! failures. Plain Rust, no I/O: the store counts failures, this module decides from the count.

use std::time::Duration;

use crate::vault::MIN_PASSPHRASE_CHARS;

/// Why a new passphrase was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassphraseRejection {
    #[error("a passphrase needs at least {min} characters")]
    TooShort { min: usize },
    #[error("the new passphrase must differ from the current one")]
    SameAsOld,
    #[error("this passphrase is too common to be safe")]
    TooCommon,
    #[error("the two new passphrases differ")]
    Mismatch,
}

/// Phrases of twelve characters or more that lead every leaked-password list, compared without
/// case, spaces or punctuation.
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890123",
    "qwertyuiopasdf",
    "qwertyuiop123",
    "passwordpassword",
    "password1234",
    "password12345",
    "iloveyouiloveyou",
    "letmeinletmein",
    "welcome12345",
    "administrator",
    "changemechangeme",
    "abcdefghijkl",
    "aaaaaaaaaaaa",
    "trustno1trustno1",
    "myclinicpassword",
    "thequickbrownfox",
];

fn simplified(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Checks a passphrase a manager wants to set, typed twice (`new`, `repeated`); `current` is
/// the one it replaces, if any. The one rule for every passphrase a manager chooses: at first-run
/// setup (window and CLI), when adding a manager and when changing one's own.
pub fn check_new_passphrase(
    new: &str, repeated: &str, current: Option<&str>,
) -> Result<(), PassphraseRejection> {
    if new != repeated {
        return Err(PassphraseRejection::Mismatch);
    }
    if new.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(PassphraseRejection::TooShort {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    if current.is_some_and(|old| old == new) {
        return Err(PassphraseRejection::SameAsOld);
    }
    let plain = simplified(new);
    let one_character = plain.chars().all(|c| plain.starts_with(c));
    if one_character || COMMON.iter().any(|common| plain == *common) {
        return Err(PassphraseRejection::TooCommon);
    }
    Ok(())
}

/// Passphrase attempts that cost no wait.
pub const FREE_UNLOCK_FAILURES: u32 = 2;
const FIRST_UNLOCK_DELAY_SECS: u64 = 1;
const MAX_UNLOCK_DELAY_SECS: u64 = 60;

/// How long a passphrase (or recovery key) unlock waits before checking, given the failures
/// counted before it: none for the first two attempts, then 1 s, 2 s, 4 s … up to a minute.
/// The wait comes after the attempt is counted, so killing the program during it gains nothing.
pub fn unlock_delay(failures_before: u32) -> Duration {
    if failures_before < FREE_UNLOCK_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (failures_before - FREE_UNLOCK_FAILURES).min(16);
    Duration::from_secs((FIRST_UNLOCK_DELAY_SECS << doublings).min(MAX_UNLOCK_DELAY_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_same_common_and_mistyped_passphrases_are_refused() {
        assert_eq!(
            check_new_passphrase("a long enough one", "a long enough 0ne", None),
            Err(PassphraseRejection::Mismatch)
        );
        assert_eq!(
            check_new_passphrase("short one", "short one", None),
            Err(PassphraseRejection::TooShort { min: 12 })
        );
        assert_eq!(
            check_new_passphrase(
                "a long enough one",
                "a long enough one",
                Some("a long enough one")
            ),
            Err(PassphraseRejection::SameAsOld)
        );
        assert_eq!(
            check_new_passphrase("Password 1234", "Password 1234", None),
            Err(PassphraseRejection::TooCommon)
        );
        assert_eq!(
            check_new_passphrase("zzzzzzzzzzzzzzz", "zzzzzzzzzzzzzzz", None),
            Err(PassphraseRejection::TooCommon)
        );
        let fine = "mauve kettle under the stairs";
        assert!(check_new_passphrase(fine, fine, Some("old")).is_ok());
    }

    #[test]
    fn the_unlock_delay_starts_at_the_third_attempt_and_grows() {
        assert_eq!(unlock_delay(0), Duration::ZERO);
        assert_eq!(unlock_delay(1), Duration::ZERO);
        assert_eq!(unlock_delay(2), Duration::from_secs(1));
        assert_eq!(unlock_delay(3), Duration::from_secs(2));
        assert_eq!(unlock_delay(4), Duration::from_secs(4));
        assert_eq!(unlock_delay(50), Duration::from_secs(60));
    }
}
