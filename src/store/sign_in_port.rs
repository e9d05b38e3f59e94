//! The sign-in port: the staff list, PIN sign-in and one audit event — what every window needs
//! before and around any record — named once; the kiosk's and the desk's ports extend it, so
//! neither declares it again. The sealed store implements it, and so does the in-memory staff
//! both windows' fakes share (`memory_staff`, test builds only). The rules are the store's
//! ([`super::staff`], [`super::audit`]).

use chrono::{DateTime, Utc};

use super::{Actor, AuditKind, OpenStore, SignInError, StaffMember, StoreError};
use crate::port::port;
use crate::vault::Pin;

port! {
    /// Who may sign in, signing in, and an event for the audit log.
    pub trait SignInRecords for OpenStore {
        fn list_staff(&self, now: DateTime<Utc>) -> Result<Vec<StaffMember>, StoreError>;
        fn sign_in(&mut self, staff_id: &str, pin: &Pin, now: DateTime<Utc>)
            -> Result<Actor, SignInError>;
        fn record_event(&self, actor: &str, kind: AuditKind, subject: &str, now: DateTime<Utc>)
            -> Result<(), StoreError>;
    }
}
