//! Who the patient is, and the normalised form used for the returning-patient look-up.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A patient's identity and contact details as entered on the tablet. Sealed at rest; wiped from
/// memory when dropped; never printed (no `Debug`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop, Default)]
pub struct PatientIdentity {
    pub given_name: String,
    pub family_name: String,
    /// ISO 8601 (YYYY-MM-DD).
    pub date_of_birth: String,
    pub postcode: String,
    pub email: String,
    pub phone: String,
}

/// Why an identity cannot be used for a look-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the name is missing")]
    MissingName,
    #[error("the date of birth is not a valid date")]
    BadDateOfBirth,
    #[error("the postcode is missing")]
    MissingPostcode,
}

/// Letters and digits only, case-folded, compatibility-decomposed (NFKD) with accents removed,
/// so "José", "JOSE\u{301}" and "Jose" all match, and "Mary-Jane" matches "Mary Jane". Folding
/// accents keeps a receptionist's keyboard from missing a patient; date of birth and postcode
/// still have to match.
pub fn normalise_text(text: &str) -> String {
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Parses a date of birth in ISO form (YYYY-MM-DD).
pub fn parse_date_of_birth(text: &str) -> Result<NaiveDate, IdentityError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| IdentityError::BadDateOfBirth)
}

impl PatientIdentity {
    /// The three-point check key: name + date of birth + postcode, normalised. Feed it to the
    /// vault's blind index; never store it.
    pub fn lookup_key(&self) -> Result<String, IdentityError> {
        let given = normalise_text(&self.given_name);
        let family = normalise_text(&self.family_name);
        if given.is_empty() && family.is_empty() {
            return Err(IdentityError::MissingName);
        }
        let dob = parse_date_of_birth(&self.date_of_birth)?;
        let postcode = normalise_text(&self.postcode);
        if postcode.is_empty() {
            return Err(IdentityError::MissingPostcode);
        }
        Ok(format!("v1\x1f{given}\x1f{family}\x1f{dob}\x1f{postcode}"))
    }

    /// Name + date of birth only (the desk's register search).
    pub fn name_dob_key(&self) -> Result<String, IdentityError> {
        let given = normalise_text(&self.given_name);
        let family = normalise_text(&self.family_name);
        if given.is_empty() && family.is_empty() {
            return Err(IdentityError::MissingName);
        }
        let dob = parse_date_of_birth(&self.date_of_birth)?;
        Ok(format!("v1\x1f{given}\x1f{family}\x1f{dob}"))
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name.trim(), self.family_name.trim())
            .trim()
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(given: &str, family: &str, dob: &str, postcode: &str) -> PatientIdentity {
        let mut p = PatientIdentity::default();
        p.given_name = given.into();
        p.family_name = family.into();
        p.date_of_birth = dob.into();
        p.postcode = postcode.into();
        p
    }

    #[test]
    fn lookup_key_ignores_case_spacing_and_unicode_form() {
        let a = id("José", "Ó Briain", "1980-02-29", "sw1a 1aa");
        let b = id("JOSE\u{301}", "o briain", "1980-02-29", "SW1A1AA");
        assert_eq!(a.lookup_key(), b.lookup_key());
        let c = id("Jose", "O Briain", "1980-02-29", "SW1A1AA");
        assert_eq!(a.lookup_key(), c.lookup_key());
        let d = id("Josef", "O Briain", "1980-02-29", "SW1A1AA");
        assert_ne!(a.lookup_key(), d.lookup_key());
        let e = id("Ярослава", "Шевченко", "1980-02-29", "01001");
        assert!(
            e.lookup_key()
                .expect("cyrillic is letters")
                .contains("ярослава")
        );
    }

    #[test]
    fn bad_identity_is_refused() {
        assert_eq!(
            id("", "", "1980-01-01", "X").lookup_key(),
            Err(IdentityError::MissingName)
        );
        assert_eq!(
            id("A", "B", "1980-02-30", "X").lookup_key(),
            Err(IdentityError::BadDateOfBirth)
        );
        assert_eq!(
            id("A", "B", "1980-02-01", " - ").lookup_key(),
            Err(IdentityError::MissingPostcode)
        );
    }
}
