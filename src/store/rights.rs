//! Patient rights at the desk that need nothing but the ledger and the blind indexes: finding a
//! patient without decrypting the register, withdrawing one consent, and the marketing list of
//! a channel. Every call is audited.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::audit::{self, AuditKind};
use super::patients::{Index, open_by_index, open_patient};
use super::submissions::{Scope, patient_consent_events, read_ledger};
use super::{Actor, OpenStore, StoreError};
use crate::forms::{ConsentDecision, ConsentEvent, Decision, PatientIdentity, current_state};

/// A patient and their details: who is on a marketing list (the contact details the channel
/// uses), or who a register search found (listed by name and date of birth).
pub struct ListedPatient {
    pub patient_id: String,
    pub identity: PatientIdentity,
}

impl OpenStore {
    /// Patients with this name and date of birth, newest visit first — by the blind index, never
    /// by decrypting the register. Any role. Logged: one `patient_lookup` entry naming them all.
    pub fn find_patients(
        &self, actor: &Actor, given: &str, family: &str, date_of_birth: &str, now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        let listed = self.look_up_patients(actor, given, family, date_of_birth, now)?;
        Ok(listed.into_iter().map(|p| p.patient_id).collect())
    }

    /// [`find_patients`](Self::find_patients) with each patient's details, for a register that
    /// lists them: each row read once, checked and opened. A search is logged as the one look-up
    /// it is, never as a view of each record it found: a common name must not read as many
    /// records opened, in the patients' access histories or in the unusual-access flags.
    pub fn look_up_patients(
        &self, actor: &Actor, given: &str, family: &str, date_of_birth: &str, now: DateTime<Utc>,
    ) -> Result<Vec<ListedPatient>, StoreError> {
        let mut probe = PatientIdentity::default();
        probe.given_name = given.to_owned();
        probe.family_name = family.to_owned();
        probe.date_of_birth = date_of_birth.to_owned();
        let listed: Vec<ListedPatient> =
            open_by_index(self.conn(), self.vault(), &probe, Index::NameDob)?
                .into_iter()
                .map(|(patient_id, identity)| ListedPatient {
                    patient_id,
                    identity,
                })
                .collect();
        let ids: Vec<&str> = listed.iter().map(|p| p.patient_id.as_str()).collect();
        self.log_look_up(actor, &ids, now)?;
        Ok(listed)
    }

    fn log_look_up(
        &self, actor: &Actor, found: &[&str], now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let subject = found.join(",");
        self.record_event(actor.staff_id(), AuditKind::PatientLookup, &subject, now)
    }

    /// Withdraws one consent item (say SMS marketing only), effective at once: a new ledger
    /// event referring to the text the patient last decided on. Any role may record it (a patient
    /// may withdraw at reception). Refused when there is nothing granted to withdraw.
    pub fn withdraw_consent(
        &self, actor: &Actor, patient_id: &str, item_id: &str, now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError> {
        let history = self.consent_history(actor, patient_id, now)?;
        let current = crate::forms::current_events(&history);
        let Some(last) = current.get(item_id) else {
            return Err(StoreError::NotFound);
        };
        if last.decision != Decision::Granted {
            return Err(StoreError::NotFound);
        }
        let decision = ConsentDecision {
            item_id: item_id.to_owned(),
            decision: Decision::Withdrawn,
            text_hash: last.text_hash.clone(),
            text_version: last.text_version.clone(),
            language: last.language.clone(),
        };
        self.record_consent(actor, patient_id, &decision, now)
    }

    /// Every patient whose current decision for `item_id` (e.g. `marketing_sms`) is granted,
    /// with their contact details, for the clinic's mailing tool (managers only). Logged.
    pub fn marketing_list(
        &self, actor: &Actor, item_id: &str, now: DateTime<Utc>,
    ) -> Result<Vec<ListedPatient>, StoreError> {
        actor.require_manager()?;
        // Who is restricted and whose record is held for erasure, as last written: a visit state
        // put back from before its patient's restriction, or a patient's row from before their
        // request, would put them on the list.
        super::row_auth::census::check(
            self.conn(),
            self.vault(),
            super::row_auth::census::MARKETING_LISTS,
        )?;
        let mut by_patient: HashMap<String, Vec<ConsentEvent>> = HashMap::new();
        read_ledger(self.conn(), self.vault(), Scope::Everything, |row| {
            for event in row.events.into_iter().filter(|e| e.item_id == item_id) {
                by_patient
                    .entry(event.patient_id.clone())
                    .or_default()
                    .push(event);
            }
            Ok(())
        })?;
        let granted: BTreeMap<String, ()> = by_patient
            .into_iter()
            .filter_map(|(patient, events)| {
                current_state(&events)
                    .get(item_id)
                    .is_some_and(|d| d.is_granted())
                    .then_some((patient, ()))
            })
            .collect();
        let mut list = Vec::with_capacity(granted.len());
        for patient_id in granted.into_keys() {
            // Restricted processing: stored, never used for marketing.
            if self.restricted_since(&patient_id)?.is_some() {
                continue;
            }
            // A duplicate merged into another record: its decisions now live there.
            if super::returning::merged_into(self.conn(), self.vault(), &patient_id)?.is_some() {
                continue;
            }
            // The patient's whole chain, checked: a withdrawal deleted from the file, or an old
            // grant put back, is refused rather than obeyed.
            let events = patient_consent_events(self.conn(), self.vault(), &patient_id)?;
            if !current_state(&events)
                .get(item_id)
                .is_some_and(|d| d.is_granted())
            {
                continue;
            }
            let (row, identity) = open_patient(self.conn(), self.vault(), &patient_id)?;
            // Held for erasure: the erasure took every decision but those a held record keeps
            // away, and a late form brings none back (`rights::held`). A grant seen here was put
            // back by hand (an old chain, and the old details beside the request).
            if row.opt_text("erasure_requested_at")?.is_some()
                && !crate::rights::held::kept_while_held(item_id)
            {
                return Err(StoreError::tampered(
                    "consent_records",
                    format!(
                        "{patient_id}: a {item_id} grant on a record held for erasure, which keeps \
                         none: an older chain was put back"
                    ),
                ));
            }
            list.push(ListedPatient {
                identity,
                patient_id,
            });
        }
        audit::append(
            self.conn(),
            self.vault(),
            &now.to_rfc3339(),
            actor.staff_id(),
            AuditKind::Exported,
            &format!("marketing:{item_id}:{}", list.len()),
        )?;
        Ok(list)
    }
}
