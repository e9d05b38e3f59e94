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
    // ASCII has no decompositions and no combining marks: the same result without the
    // decomposition's buffering.
    if text.is_ascii() {
        return text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
    }
    normalise_unicode(text)
}

/// [`normalise_text`] for any text.
fn normalise_unicode(text: &str) -> String {
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
        Ok(self.index_keys()?.0)
    }

    /// [`lookup_key`](Self::lookup_key) and [`name_dob_key`](Self::name_dob_key) at once (the
    /// first begins with the second: each name is normalised once).
    pub fn index_keys(&self) -> Result<(String, String), IdentityError> {
        let name_dob = self.name_dob_key()?;
        let postcode = normalise_text(&self.postcode);
        if postcode.is_empty() {
            return Err(IdentityError::MissingPostcode);
        }
        Ok((format!("{name_dob}\x1f{postcode}"), name_dob))
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

    /// These details updated with what the patient gave in `typed`: a field they filled and
    /// that differs is taken from it; a field left blank, or the same up to case, spacing and
    /// accents (names, postcode) or surrounding spaces (email, phone), keeps what is here. The
    /// date of birth is never taken from `typed`: it is what the record is checked against.
    pub fn updated_with(&self, typed: &PatientIdentity) -> PatientIdentity {
        let text = |old: &str, new: &str| {
            if new.trim().is_empty() || normalise_text(old) == normalise_text(new) {
                old.to_owned()
            } else {
                new.trim().to_owned()
            }
        };
        let exact = |old: &str, new: &str| {
            if new.trim().is_empty() || old.trim() == new.trim() {
                old.to_owned()
            } else {
                new.trim().to_owned()
            }
        };
        PatientIdentity {
            given_name: text(&self.given_name, &typed.given_name),
            family_name: text(&self.family_name, &typed.family_name),
            date_of_birth: self.date_of_birth.clone(),
            postcode: text(&self.postcode, &typed.postcode),
            email: exact(&self.email, &typed.email),
            phone: exact(&self.phone, &typed.phone),
        }
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
    fn ascii_text_normalises_as_any_text_does() {
        let every: String = (0u8..128).map(char::from).collect();
        for text in [
            every.as_str(),
            " Mary-Jane O'Neil ",
            "SW1A 1AA",
            "",
            "\t\u{7f}x",
        ] {
            assert_eq!(normalise_text(text), normalise_unicode(text), "{text:?}");
        }
        assert_eq!(
            normalise_text(&every),
            "0123456789abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
        );
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
    fn an_update_takes_what_changed_and_keeps_what_was_left_blank() {
        let mut stored = id("Ada", "Lovelace", "1985-12-10", "SW1A 1AA");
        stored.email = "ada@example.org".into();
        stored.phone = "07700 900123".into();
        let mut typed = id("ADA", " lovelace ", "1999-01-01", "sw1a1aa");
        typed.email = " ada@example.org ".into();
        assert!(
            stored.updated_with(&typed) == stored,
            "case, spacing and blanks are no change; the date of birth is never taken"
        );
        typed.email = "ada@new.example".into();
        typed.postcode = "EC1A 1BB".into();
        let updated = stored.updated_with(&typed);
        assert_eq!(updated.email, "ada@new.example");
        assert_eq!(updated.postcode, "EC1A 1BB");
        assert_eq!(updated.phone, "07700 900123", "left blank: kept");
        assert_eq!(updated.given_name, "Ada");
        assert_eq!(updated.date_of_birth, "1985-12-10");
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
