//! First-run setup names whose PIN was refused: three PINs can be typed there (the manager's, the
//! clinician's, the receptionist's), and "that PIN is not allowed" alone left the clinic guessing
//! which one. The rule itself is `staff::check_new_pin`, the same one the store applies.

use super::SetupForm;
use crate::staff::check_new_pin;

/// The name (as typed) of the first person whose PIN the rule refuses; staff left without a name
/// are not set up, so their PIN is not checked.
pub(super) fn refused_pin_owner(form: &SetupForm) -> Option<String> {
    form.people()
        .into_iter()
        .map(|(person, _)| person)
        .find(|p| !p.name.trim().is_empty() && check_new_pin(&p.pin).is_err())
        .map(|p| p.name.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::{SetupForm, refused_pin_owner};
    use crate::kiosk::NewStaff;

    fn person(name: &str, pin: &str) -> NewStaff {
        NewStaff {
            name: name.into(),
            pin: Zeroizing::new(pin.into()),
        }
    }

    fn form(
        manager_pin: &str, clinician_pin: &str, reception: &str, reception_pin: &str,
    ) -> SetupForm {
        SetupForm {
            clinic: "Clinic".into(),
            passphrase: Zeroizing::new("a long enough passphrase".into()),
            repeat: Zeroizing::new("a long enough passphrase".into()),
            manager: person("Maya", manager_pin),
            clinician: person(" Chris ", clinician_pin),
            reception: person(reception, reception_pin),
        }
    }

    #[test]
    fn names_whose_pin_is_refused() {
        assert_eq!(
            refused_pin_owner(&form("402718", "918273", "Rita", "560193")),
            None
        );
        assert_eq!(
            refused_pin_owner(&form("402718", "918273", "Rita", "111111")).as_deref(),
            Some("Rita")
        );
        assert_eq!(
            refused_pin_owner(&form("402718", "123456", "Rita", "111111")).as_deref(),
            Some("Chris")
        );
        assert_eq!(
            refused_pin_owner(&form("12", "918273", "", "")).as_deref(),
            Some("Maya")
        );
        // No receptionist named: their PIN box is not checked.
        assert_eq!(refused_pin_owner(&form("402718", "918273", "", "1")), None);
    }
}
