//! "Which form did this record use, and what if it is missing?" — answered once, here.
//!
//! Every submission stores the exact definition the patient filled (canonical JSON, hashed and
//! authenticated by the store). Reading a record always goes through [`form_used`]:
//! - the stored definition when it is there and parses: `exact` is true;
//! - otherwise (a record written before definitions were stored, or a definition that no longer
//!   parses) the built-in form, with `exact` false, so a reader can still see the answers whose
//!   question ids it knows, and says the labels may differ.
//!
//! Anything that *changes* answers (rectification) needs the exact form ([`FormUsed::exact`]):
//! writing an answer against a guessed form could store it under the wrong question.

use super::definition::FormDefinition;

/// The question ids every form has, which the patient record and the returning-patient check use.
pub mod identity_ids {
    pub const GIVEN_NAME: &str = "given_name";
    pub const FAMILY_NAME: &str = "family_name";
    pub const DATE_OF_BIRTH: &str = "date_of_birth";
    pub const POSTCODE: &str = "postcode";
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    /// The ones a definition must have (the returning-patient check depends on them).
    pub const REQUIRED: [&str; 4] = [GIVEN_NAME, FAMILY_NAME, DATE_OF_BIRTH, POSTCODE];
}

/// The consent item every form has: consent to treatment. It is the one decision kept while a
/// medical record is held after an erasure request, and FHIR scopes it as treatment.
pub const TREATMENT_CONSENT: &str = "treatment";

/// The form a record was filled with (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct FormUsed {
    pub definition: FormDefinition,
    /// The definition is the one stored with the record (not the built-in fallback).
    pub exact: bool,
}

/// Why a record's answers cannot be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the form this record was filled with is not stored; its answers cannot be corrected")]
pub struct FormNotStored;

impl FormUsed {
    /// The definition, only when it is the exact one stored with the record.
    pub fn exact(self) -> Result<FormDefinition, FormNotStored> {
        if self.exact {
            Ok(self.definition)
        } else {
            Err(FormNotStored)
        }
    }
}

/// The form of a record whose stored definition is `stored_json` (see the module doc).
pub fn form_used(stored_json: Option<&str>) -> FormUsed {
    match stored_json.map(FormDefinition::from_stored) {
        Some(Ok(definition)) => FormUsed {
            definition,
            exact: true,
        },
        _ => FormUsed {
            definition: FormDefinition::built_in(),
            exact: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_is_used_when_it_parses() {
        let mut form = FormDefinition::built_in();
        form.version = "clinic-7".into();
        let used = form_used(Some(&form.canonical_json()));
        assert!(used.exact);
        assert_eq!(used.clone().exact().unwrap().version, "clinic-7");
    }

    #[test]
    fn a_missing_or_unreadable_form_falls_back_to_the_built_in_one_and_says_so() {
        for stored in [None, Some("{not json")] {
            let used = form_used(stored);
            assert!(!used.exact);
            assert_eq!(used.definition, FormDefinition::built_in());
            assert_eq!(used.exact(), Err(FormNotStored));
        }
    }

    #[test]
    fn the_built_in_form_has_every_named_id() {
        let form = FormDefinition::built_in();
        for id in identity_ids::REQUIRED {
            assert!(form.questions().any(|q| q.id == id && q.identity), "{id}");
        }
        assert!(form.consents.iter().any(|c| c.id == TREATMENT_CONSENT));
    }
}
