//! Roles and need-to-know. The store enforces these; the UI only follows them.

use serde::{Deserialize, Serialize};

/// A staff member's role. Need-to-know: reception handles identity, contact and consent state,
/// never medical history or signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Clinician,
    Reception,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Manager, Role::Clinician, Role::Reception];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Clinician => "clinician",
            Role::Reception => "reception",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Medical history, allergies, medications, answers and signatures.
    pub fn may_read_medical(self) -> bool {
        matches!(self, Role::Manager | Role::Clinician)
    }

    /// Adding staff, resetting lockouts, settings, pairing and export.
    pub fn may_manage(self) -> bool {
        self == Role::Manager
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn need_to_know() {
        assert!(!Role::Reception.may_read_medical());
        assert!(Role::Clinician.may_read_medical());
        assert!(Role::Manager.may_read_medical());
        assert!(!Role::Clinician.may_manage());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
