//! A store's refusal in words for desk staff, in their language. The refusals staff act on
//! themselves (a wrong passphrase or recovery key, their role, a full or read-only disk, a busy
//! database, a database edited outside the app) are catalogued; the rest keep the store's own
//! English words, a detail for IT. One mapping for every desk screen: opening, sign-in, actions,
//! staff and keys.

use crate::forms::IdentityError;
use crate::i18n::{msgid, t};
use crate::store::{FolderProblem, StoreError};
use crate::vault::VaultError;

/// `e` in words for desk staff (see the module).
pub fn store_failure_words(lang: &str, e: &StoreError) -> String {
    let template = match e {
        StoreError::Vault(VaultError::WrongPassphrase) => msgid("That passphrase is not right."),
        StoreError::Vault(VaultError::WrongRecoveryKey) => msgid("That recovery key is not right."),
        StoreError::Forbidden => msgid("Your role may not do this."),
        StoreError::NotFound => msgid("Nothing to do: no such record or nothing granted."),
        StoreError::DiskFull => {
            msgid("The disk is full, so this was not saved. Nothing saved before was lost.")
        }
        StoreError::ReadOnly => {
            msgid("The desk's storage cannot be written, so this was not saved.")
        }
        StoreError::Busy => {
            msgid("The desk's database is busy in another program. Try again in a moment.")
        }
        StoreError::Details(IdentityError::BadEmail) => msgid(
            "That email address is not one: write it as name@example.com. Nothing was changed.",
        ),
        StoreError::Details(IdentityError::BadDateOfBirth) => {
            msgid("That date of birth is not a date: write it as YYYY-MM-DD, such as 1990-04-12.")
        }
        StoreError::Details(IdentityError::HiddenCharacters) => msgid(
            "A detail holds a control character or one that turns the direction of the text around it: type it again without. Nothing was changed.",
        ),
        StoreError::Details(IdentityError::MissingName) => {
            msgid("A patient needs a first or last name. Nothing was changed.")
        }
        StoreError::Folder(problem) => return folder_words(lang, problem),
        StoreError::ErasureAlreadyRequested { on, until } => {
            return t(
                lang,
                "Erasure of this record was already requested on {}: what could be erased was erased then, and the medical record is held until {}. The statement given then stands.",
                &[on, &until.to_string()],
            );
        }
        StoreError::ClockAhead { reads, last } => {
            return t(
                lang,
                "The clock reads {}, more than 92 days after the last retention check ({}), so no record was erased: a clock that jumped ahead would erase records years early. If the date is right (the desk was not used for that long), a manager taps The clock is right; otherwise set the date and time.",
                &[reads, last],
            );
        }
        StoreError::Tampered { table, .. } => {
            return t(
                lang,
                "The desk's database was changed outside the app (table {}), so nothing was done. Please tell your data protection lead: a backup must be restored.",
                &[table],
            );
        }
        other => return other.to_string(),
    };
    t(lang, template, &[])
}

/// A folder's problem in words for desk staff (one refused when set, or met when written into).
pub fn folder_words(lang: &str, problem: &FolderProblem) -> String {
    let folder = problem.folder().display().to_string();
    super::backups::folder_problem_words(lang, problem.kind(), &folder)
        .unwrap_or_else(|| problem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusals_staff_act_on_are_in_their_language() {
        let wrong_key = StoreError::Vault(VaultError::WrongRecoveryKey);
        assert_eq!(
            store_failure_words("en", &wrong_key),
            "That recovery key is not right."
        );
        let german = store_failure_words("de", &wrong_key);
        assert!(!german.is_empty());
        assert_ne!(german, "That recovery key is not right.");
        assert_ne!(german, wrong_key.to_string());
        let tampered = StoreError::tampered("staff", "s-1");
        let words = store_failure_words("fr", &tampered);
        assert!(words.contains("staff"), "{words}");
        assert_ne!(words, store_failure_words("en", &tampered));
        let email = StoreError::Details(IdentityError::BadEmail);
        assert!(store_failure_words("en", &email).contains("name@example.com"));
        assert_ne!(
            store_failure_words("pl", &email),
            store_failure_words("en", &email)
        );
    }

    #[test]
    fn a_detail_for_it_keeps_the_stores_own_words() {
        let e = StoreError::NewerSchema {
            found: 99,
            known: 1,
        };
        assert_eq!(store_failure_words("de", &e), e.to_string());
    }
}
