//! What a register search needs before it runs, said in words a receptionist acts on: a search
//! with a part missing or a date of birth that is not a date is refused before anything is read
//! (it used to reach the store and come back as "stored value could not be read", which reads
//! like a damaged database).

use crate::forms::{IdentityError, PatientIdentity};
use crate::i18n::t;

/// What stops a search, in the staff's language; `None` when the name and date of birth are
/// enough to search.
pub fn search_problem(
    lang: &str,
    given: &str,
    family: &str,
    date_of_birth: &str,
) -> Option<String> {
    if date_of_birth.trim().is_empty() {
        return Some(t(
            lang,
            "The date of birth is missing: give it as YYYY-MM-DD to search.",
            &[],
        ));
    }
    let mut probe = PatientIdentity::default();
    probe.given_name = given.to_owned();
    probe.family_name = family.to_owned();
    probe.date_of_birth = date_of_birth.to_owned();
    match probe.name_dob_key() {
        Ok(_) => None,
        Err(IdentityError::MissingName) => Some(t(
            lang,
            "The name is missing: give the first or last name to search.",
            &[],
        )),
        Err(_) => Some(t(
            lang,
            "That date of birth is not a date: write it as YYYY-MM-DD, such as 1990-04-12.",
            &[],
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::search_problem;

    #[test]
    fn says_which_part_is_missing() {
        assert_eq!(
            search_problem("en", "Ana", "Demo", "").as_deref(),
            Some("The date of birth is missing: give it as YYYY-MM-DD to search.")
        );
        assert_eq!(
            search_problem("en", " ", "", "1988-04-12").as_deref(),
            Some("The name is missing: give the first or last name to search.")
        );
        assert_eq!(
            search_problem("en", "Ana", "Demo", "12/04/1988").as_deref(),
            Some("That date of birth is not a date: write it as YYYY-MM-DD, such as 1990-04-12.")
        );
        assert_eq!(search_problem("en", "Ana", "Demo", "1988-04-12"), None);
    }
}
