//! What a record held for erasure keeps: when a patient asks for erasure while their medical
//! record must still be kept, their contact details go at once and so does every consent decision
//! but the treatment consent. The erasure applies this to what is stored; a form that arrives
//! later (filled before the request) gets the same, in the store and in what is handed on.

use crate::forms::{ConsentEvent, PatientIdentity, TREATMENT_CONSENT};

/// Empties `identity`'s contact details (email, phone, postcode). Returns whether any was set.
pub fn clear_contact(identity: &mut PatientIdentity) -> bool {
    let had = [&identity.email, &identity.phone, &identity.postcode]
        .iter()
        .any(|v| !v.trim().is_empty());
    identity.email.clear();
    identity.phone.clear();
    identity.postcode.clear();
    had
}

/// Whether a decision on `item_id` stays with a held record: the treatment consent only.
pub fn kept_while_held(item_id: &str) -> bool {
    item_id == TREATMENT_CONSENT
}

/// The decisions of `events` a held record keeps.
pub fn kept_decisions(events: &[ConsentEvent]) -> Vec<ConsentEvent> {
    events
        .iter()
        .filter(|e| kept_while_held(&e.item_id))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_goes_and_only_the_treatment_consent_stays() {
        let mut identity = PatientIdentity {
            given_name: "Eve".into(),
            family_name: "Leak".into(),
            date_of_birth: "1990-01-02".into(),
            email: "eve@example.invalid".into(),
            phone: "07700 900666".into(),
            postcode: "EC1A 1BB".into(),
        };
        assert!(clear_contact(&mut identity));
        assert_eq!(
            (
                identity.email.as_str(),
                identity.phone.as_str(),
                identity.postcode.as_str()
            ),
            ("", "", "")
        );
        assert_eq!(identity.given_name, "Eve");
        assert!(!clear_contact(&mut identity), "nothing left to clear");
        assert!(kept_while_held(TREATMENT_CONSENT));
        assert!(!kept_while_held("marketing_email"));
    }
}
