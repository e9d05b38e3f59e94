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
    #[error("the email address is not one (it is written as name@example.com)")]
    BadEmail,
    #[error(
        "a detail holds a control character or one that turns the direction of the text around it"
    )]
    HiddenCharacters,
}

/// Whether `text` holds a control character (a line break, a tab…) or one that turns the
/// direction of the text around it (U+202A–U+202E, U+2066–U+2069): what shows on a screen would
/// not be what is stored and handed on (a postcode stored reversed, a name that reads as
/// another's). The rule for one-line values typed by staff: a patient's details, a staff name,
/// what a rights request says.
pub fn has_hidden_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
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

/// Whether `text` (trimmed) reads as an email address: one `@` with something before it (letters
/// and digits of any script and the marks RFC 5322 allows unquoted), a domain of dot-separated
/// labels after it (letters of any script, digits, hyphens inside), at most 254 characters. Not whether the address is the
/// patient's: a typing slip such as "ana@gmail" or "ana gmail.com" is caught, which is what
/// keeps marketing by email from going astray.
pub fn check_email(text: &str) -> Result<(), IdentityError> {
    let text = text.trim();
    let (local, domain) = text.split_once('@').ok_or(IdentityError::BadEmail)?;
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let fits = text.len() <= 254 && !local.is_empty() && local.len() <= 64;
    // Letters and digits of any script, and the marks an address may hold unquoted (RFC 5322
    // "atext" and the dot): no space, no control or direction-changing character, no quote.
    let plain = |part: &str| {
        part.chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    };
    if fits && plain(local) && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) {
        Ok(())
    } else {
        Err(IdentityError::BadEmail)
    }
}

impl PatientIdentity {
    /// Whether these details can be kept as a patient's: a name, a date of birth that is a
    /// date, and an email address that reads as one when there is any. The desk checks a
    /// correction by this; the kiosk's form by the same rules
    /// ([`FormDefinition::validate`](super::FormDefinition::validate)).
    pub fn check(&self) -> Result<(), IdentityError> {
        let details = [
            &self.given_name,
            &self.family_name,
            &self.date_of_birth,
            &self.postcode,
            &self.email,
            &self.phone,
        ];
        if details.iter().any(|d| has_hidden_characters(d)) {
            return Err(IdentityError::HiddenCharacters);
        }
        self.name_dob_key()?;
        if !self.email.trim().is_empty() {
            check_email(&self.email)?;
        }
        Ok(())
    }

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

    /// A correction at the desk with a character that turns the text's direction (a postcode
    /// shown as "SW1A 1AA" but stored and handed on reversed) or a control character is refused.
    #[test]
    fn details_with_hidden_characters_are_refused() {
        let mut good = PatientIdentity::default();
        good.given_name = "Ada".into();
        good.family_name = "Lovelace".into();
        good.date_of_birth = "1987-06-15".into();
        good.postcode = "SW1A 1AA".into();
        assert_eq!(good.check(), Ok(()));
        for bad in [
            "\u{202e}AA1 A1WS",
            "SW1A\u{2066} 1AA",
            "SW1A\n1AA",
            "SW1A\u{0}",
        ] {
            let mut edited = good.clone();
            edited.postcode = bad.into();
            assert_eq!(
                edited.check(),
                Err(IdentityError::HiddenCharacters),
                "{bad:?}"
            );
        }
        // Arabic and other scripts, and marks inside words, are text, not hidden characters.
        assert!(!has_hidden_characters("سارة"));
        assert!(!has_hidden_characters("Zoë O'Neil-Smith"));
        assert!(!has_hidden_characters("\u{200f}سارة"));
    }

    #[test]
    fn an_email_address_reads_as_one() {
        for good in [
            "ada@example.org",
            " ada.lovelace+clinic@mail.example.co.uk ",
            "zoë@exämple.de",
            "o'neil@example-mail.ie",
        ] {
            assert_eq!(super::check_email(good), Ok(()), "{good:?}");
        }
        let long_local = format!("{}@example.org", "a".repeat(65));
        let long_whole = format!("ada@{}.org", "a".repeat(250));
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@gmail",
            "ada gmail.com",
            "ada@example..org",
            "ada@-example.org",
            "ada@example.org.",
            "ada@@example.org",
            "ada@exa mple.org",
            "ada lovelace@example.org",
            "ada@example.org\u{202e}",
            "\u{202e}gro.elpmaxe@ada",
            "\"ada\"@example.org",
            "ada\n@example.org",
            long_local.as_str(),
            long_whole.as_str(),
        ] {
            assert_eq!(
                super::check_email(bad),
                Err(super::IdentityError::BadEmail),
                "{bad:?}"
            );
        }
    }

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
