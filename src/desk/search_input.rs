//! What a register search needs before it runs, said in words a receptionist acts on: a search
//! with a part missing or a date of birth that is not a date is refused before anything is read
//! (it used to reach the store and come back as "stored value could not be read", which reads
//! like a damaged database). The rule is the search action's ([`super::actions::search`]), so
//! the window and `desk find` refuse the same searches; the window says it in the staff's
//! language.

use crate::forms::{IdentityError, PatientIdentity};
use crate::i18n::t;

/// Why a search was refused before anything was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SearchProblem {
    #[error("the date of birth is missing: give it as YYYY-MM-DD to search")]
    MissingDateOfBirth,
    #[error("the name is missing: give the first or last name to search")]
    MissingName,
    #[error("that date of birth is not a date: write it as YYYY-MM-DD, such as 1990-04-12")]
    NotADate,
}

impl SearchProblem {
    /// Whether the name and date of birth are enough to search.
    pub fn check(given: &str, family: &str, date_of_birth: &str) -> Result<(), SearchProblem> {
        if date_of_birth.trim().is_empty() {
            return Err(SearchProblem::MissingDateOfBirth);
        }
        let mut probe = PatientIdentity::default();
        probe.given_name = given.to_owned();
        probe.family_name = family.to_owned();
        probe.date_of_birth = date_of_birth.to_owned();
        match probe.name_dob_key() {
            Ok(_) => Ok(()),
            Err(IdentityError::MissingName) => Err(SearchProblem::MissingName),
            Err(_) => Err(SearchProblem::NotADate),
        }
    }

    /// The refusal in the staff's language.
    pub fn words(self, lang: &str) -> String {
        match self {
            SearchProblem::MissingDateOfBirth => t(
                lang,
                "The date of birth is missing: give it as YYYY-MM-DD to search.",
                &[],
            ),
            SearchProblem::MissingName => t(
                lang,
                "The name is missing: give the first or last name to search.",
                &[],
            ),
            SearchProblem::NotADate => t(
                lang,
                "That date of birth is not a date: write it as YYYY-MM-DD, such as 1990-04-12.",
                &[],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SearchProblem;

    fn search_problem(lang: &str, given: &str, family: &str, dob: &str) -> Option<String> {
        SearchProblem::check(given, family, dob)
            .err()
            .map(|p| p.words(lang))
    }

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
