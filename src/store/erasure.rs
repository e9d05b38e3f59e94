//! Erasure, retention and restriction.
//!
//! - An erasure request erases at once what the clinic need not keep: contact details (and the
//!   history of them), and every consent decision but treatment (marketing and photo uses). The
//!   medical record (submissions, signatures, treatment consent, name and date of birth) is held
//!   until its retention end — or erased at once when that has passed.
//! - The retention run erases every patient whose retention end has passed, asked or not.
//! - Erased rows are deleted with `secure_delete` on (SQLite zeroes them) and the WAL is then
//!   checkpointed and truncated, so no copy of the sealed values stays in the files. When
//!   another program's open read blocks the truncation, the result says old copies remain, and
//!   the next open or close of the store finishes it.
//! - Erased submission ids are remembered (they are random, not personal data) so a late bundle
//!   from a kiosk cannot bring an erased record back.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::audit::{self, AuditKind};
use super::patient_records::{LAST_VISIT, Listed, RESTRICTED, STATE, set_state, state_row};
use super::patients::{
    move_rows, open_identity, patient_row, requests_of_patient, reseal_identity, set_patient,
};
use super::references;
use super::row_auth::{self, text_key};
use super::submissions::{
    append_consent_events, clear_ledger, delete_patient_rows, patient_consent_events,
};
use super::{Actor, OpenStore, StoreError, WalCheckpoint, first_column};
use crate::forms::identity::parse_date_of_birth;
use crate::rights::{ErasureStatement, RetentionPolicy, held, held_until};
use crate::store::writing::Writing;
use crate::vault::Vault;

/// One of a patient's forms as the desk handed it on: what taking it back out of the outbox at
/// an erasure needs ([`OpenStore::handed_on_forms`]).
#[derive(Clone)]
pub struct HandedOnForm {
    pub submission_id: String,
    /// The kiosk it came from ("" for one taken on this machine).
    pub kiosk_id: String,
    /// The definition it was filled with (`None` when the desk no longer holds it).
    pub form: Option<super::ExportedForm>,
}

impl OpenStore {
    /// The patient's forms, each with its kiosk and definition (managers; nothing of the
    /// patient is opened, so nothing is logged): read before an erasure, which may delete them.
    pub fn handed_on_forms(
        &self, actor: &Actor, patient_id: &str,
    ) -> Result<Vec<HandedOnForm>, StoreError> {
        actor.require_manager()?;
        super::patient_records::patient_forms(self.conn(), self.vault(), patient_id)?
            .into_iter()
            .map(|submission_id| {
                let row =
                    super::submissions::submission_row(self.conn(), self.vault(), &submission_id)?;
                let hash = row.text("form_hash")?;
                let form = super::forms::stored_definition(self.conn(), self.vault(), &hash)?.map(
                    |definition_json| super::ExportedForm {
                        hash,
                        definition_json,
                    },
                );
                Ok(HandedOnForm {
                    kiosk_id: row.opt_text("source")?.unwrap_or_default(),
                    submission_id,
                    form,
                })
            })
            .collect()
    }
}

/// What a retention run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// RFC 3339.
    pub ran_at: String,
    pub policy: Option<RetentionPolicy>,
    /// Patients whose last visit is old enough to be looked at.
    pub checked: usize,
    /// Erased patients, per category: (patient id, the day their record was held until).
    pub erased_adults: Vec<(String, NaiveDate)>,
    pub erased_children: Vec<(String, NaiveDate)>,
    pub erased_submissions: usize,
    /// Another program had the database open, so old copies of what was erased stay in its
    /// write-ahead log until that program closes (see [`super::OLD_COPIES_REMAIN`]).
    pub old_copies_remain: bool,
}

/// Whether a patient counts as a child under the policy at their last visit.
fn was_child(dob: Option<NaiveDate>, last_visit: NaiveDate, policy: RetentionPolicy) -> bool {
    dob.and_then(|d| d.checked_add_months(chrono::Months::new(policy.adult_age * 12)))
        .is_some_and(|adult| last_visit < adult)
}

fn date_of(rfc3339: &str) -> Result<NaiveDate, StoreError> {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Utc).date_naive())
        .map_err(|e| StoreError::Encoding(format!("stored time {rfc3339:?}: {e}")))
}

/// Deletes everything of one patient inside the caller's transaction, remembering the erased
/// submission ids; the transaction runs without reference checks (`references.rs`), so every
/// row naming the patient or their forms is deleted or unlinked here. The audit log keeps its
/// entries: they hold the pseudonymous id only. Rights requests about the patient stay, no
/// longer linked to them.
fn erase_patient(
    conn: &Connection, vault: &Vault, patient_id: &str, at: &str,
) -> Result<usize, StoreError> {
    let listed = Listed::of_patient(conn, vault, patient_id)?;
    for id in &listed.forms {
        row_auth::insert_if_absent(
            conn,
            vault,
            "erased_submissions",
            &[
                ("submission_id", Value::Text(id.clone())),
                ("erased_at", Value::Text(at.to_owned())),
            ],
        )?;
    }
    let requests = requests_of_patient(conn, patient_id)?;
    move_rows(conn, vault, "rights_requests", &requests, &Value::Null)?;
    conn.execute("DELETE FROM amendments WHERE patient_id = ?1", [patient_id])?;
    delete_patient_rows(conn, patient_id, &listed.ledger)?;
    // What the reference checks would have refused or done, done here (`references.rs`): the
    // rows naming the patient's forms and the patient go first.
    let mut delete_mark =
        conn.prepare_cached("DELETE FROM export_marks WHERE submission_id = ?1")?;
    let mut delete_form = conn.prepare_cached("DELETE FROM submissions WHERE id = ?1")?;
    let mut deleted = 0;
    for id in &listed.forms {
        delete_mark.execute([id])?;
        deleted += delete_form.execute([id])?;
    }
    row_auth::delete_summed(conn, vault, STATE, &row_auth::text_key(patient_id))?;
    // A restricted patient erased is no longer restricted, nor a held one held.
    row_auth::census::note_restricted(conn, vault)?;
    conn.execute("DELETE FROM patients WHERE id = ?1", [patient_id])?;
    row_auth::census::note_held_for_erasure(conn, vault)?;
    Ok(deleted)
}

/// Erases, inside the caller's transaction, the duplicates merged into a patient: their forms
/// and decisions live on with that patient, and what stays with them (copies of decisions, their
/// old details) goes with the patient's own. Runs before the patient's rows are deleted (the
/// duplicates' decisions refer to forms that are now the patient's).
fn erase_merged_into(
    conn: &Connection, vault: &Vault, patient_id: &str, at: &str,
) -> Result<(), StoreError> {
    let merged: Vec<String> = first_column(
        conn,
        "SELECT id FROM patients WHERE merged_into = ?1",
        [patient_id],
    )?;
    for id in merged {
        // Only a duplicate whose own checked row says it was merged into this patient: a
        // `merged_into` written by hand must not take another patient's record with it.
        let row = patient_row(conn, vault, &id).map_err(|e| match e {
            StoreError::NotFound => StoreError::tampered("patients", &id),
            other => other,
        })?;
        if row.opt_text("merged_into")?.as_deref() != Some(patient_id) {
            return Err(StoreError::tampered("patients", &id));
        }
        erase_patient(conn, vault, &id, at)?;
    }
    Ok(())
}

impl OpenStore {
    /// The clinic's retention policy (settings `retention.adult_years`,
    /// `retention.child_until_age`; defaults 8 and 25).
    pub fn retention_policy(&self) -> Result<RetentionPolicy, StoreError> {
        let mut policy = RetentionPolicy::default();
        let number = |key: &str| -> Result<Option<u32>, StoreError> {
            self.setting(key)?
                .map(|v| {
                    v.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=100).contains(n))
                        .ok_or_else(|| StoreError::Invalid(format!("setting {key} is not 1–100")))
                })
                .transpose()
        };
        if let Some(years) = number("retention.adult_years")? {
            policy.adult_years = years;
        }
        if let Some(age) = number("retention.child_until_age")? {
            policy.child_until_age = age;
        }
        Ok(policy)
    }

    /// A patient's right to erasure (managers, who check the request). Erases contact details
    /// and every consent decision but treatment at once; holds the medical record until its
    /// retention end, or erases it too when that has passed or there is none. Logged; returns
    /// the statement for the patient. Refused like a retention run on a clock too far ahead.
    pub fn request_erasure(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<ErasureStatement, StoreError> {
        actor.require_manager()?;
        // What its clock says has passed its retention end is erased with the rest.
        self.trust_clock_to_erase(now)?;
        let policy = self.retention_policy()?;
        let at = now.to_rfc3339();
        let _checks_off = references::checks_off(self.conn())?;
        let tx = Writing::begin(self.conn())?;
        let mut identity = open_identity(&tx, self.vault(), patient_id)?;
        erase_merged_into(&tx, self.vault(), patient_id, &at)?;
        let state = state_row(&tx, self.vault(), patient_id)?;
        let last_visit = state.text(LAST_VISIT)?;
        let submissions = usize::try_from(state.int("form_count")?)
            .map_err(|_| StoreError::tampered(STATE, patient_id))?;
        let until = held_until(
            parse_date_of_birth(&identity.date_of_birth).ok(),
            date_of(&last_visit)?,
            policy,
        );
        let mut erased = Vec::new();
        let held = submissions > 0 && until >= now.date_naive();
        // Asked again while held: nothing more to erase, and a second statement would say
        // "nothing erased" over the first (and move the request's time).
        if held
            && let Some(on) =
                patient_row(&tx, self.vault(), patient_id)?.opt_text("erasure_requested_at")?
        {
            return Err(StoreError::ErasureAlreadyRequested {
                on: on.get(..10).unwrap_or(&on).to_owned(),
                until,
            });
        }
        if held {
            let had_contact = held::clear_contact(&mut identity);
            reseal_identity(&tx, self.vault(), patient_id, &identity)?;
            let old_details = tx.execute(
                "DELETE FROM amendments WHERE patient_id = ?1 AND submission_id IS NULL",
                [patient_id],
            )?;
            if had_contact || old_details > 0 {
                erased.push(
                    "your contact details (email, phone, postcode) and any earlier versions of them"
                        .to_owned(),
                );
            }
            let events = patient_consent_events(&tx, self.vault(), patient_id)?;
            let mut items: Vec<&str> = Vec::new();
            for event in events.iter().filter(|e| !held::kept_while_held(&e.item_id)) {
                if !items.contains(&event.item_id.as_str()) {
                    items.push(&event.item_id);
                }
            }
            if !items.is_empty() {
                // A row holds the decisions taken together, held or not: every row goes, and
                // the held decisions are written again, in their order, under a new chain.
                let kept = held::kept_decisions(&events);
                clear_ledger(&tx, self.vault(), patient_id)?;
                append_consent_events(&tx, self.vault(), patient_id, &kept)?;
                // Named as the patient saw them: titles from the newest stored form.
                let titles = self.consent_titles_en()?;
                let named: Vec<&str> = items
                    .iter()
                    .map(|id| titles.get(*id).map_or(*id, String::as_str))
                    .collect();
                erased.push(format!(
                    "your marketing and photo consent decisions ({}): you will not be contacted for marketing and no photo of you will be used",
                    named.join("; ")
                ));
            }
            set_patient(
                &tx,
                self.vault(),
                patient_id,
                &[("erasure_requested_at", Value::Text(at.clone()))],
            )?;
            row_auth::census::note_held_for_erasure(&tx, self.vault())?;
        } else {
            erase_patient(&tx, self.vault(), patient_id, &at)?;
            erased.push(format!(
                "your whole record: identity, contact details, {submissions} form{} with answers and signatures, and every consent decision",
                if submissions == 1 { "" } else { "s" }
            ));
        }
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            if held {
                AuditKind::ErasureRequested
            } else {
                AuditKind::Erased
            },
            patient_id,
        )?;
        tx.commit(self.vault())?;
        let wal = self.store.checkpoint()?;
        Ok(ErasureStatement {
            patient_id: patient_id.to_owned(),
            requested_at: at,
            erased,
            held_until: held.then_some(until),
            held_submissions: if held { submissions } else { 0 },
            old_copies_remain: wal == WalCheckpoint::OldCopiesRemain,
        })
    }

    /// Erases every patient whose medical record has passed its retention end (managers; also
    /// run at the desk's start-up). One transaction; the WAL is truncated afterwards. Logged.
    /// Refused (`ClockAhead`), erasing nothing, when `now` is too far after the last run or
    /// confirmation of the clock (`OpenStore::trust_clock_to_erase`): a clock that jumped ahead.
    pub fn run_retention(
        &self, actor: &Actor, now: DateTime<Utc>,
    ) -> Result<RetentionReport, StoreError> {
        actor.require_manager()?;
        self.trust_clock_to_erase(now)?;
        let policy = self.retention_policy()?;
        let at = now.to_rfc3339();
        let today = now.date_naive();
        // Nobody is held for less than `adult_years` after their last visit, so only patients
        // seen before this cut-off need their date of birth opened.
        let cutoff = today
            .checked_sub_months(chrono::Months::new(policy.adult_years * 12))
            .unwrap_or(NaiveDate::MIN);
        let candidates: Vec<String> = first_column(
            self.conn(),
            // Merged duplicates go with the record they were merged into.
            "SELECT patient_id FROM visit_state WHERE substr(last_visit_at, 1, 10) < ?1
             AND patient_id NOT IN (SELECT id FROM patients WHERE merged_into IS NOT NULL)",
            [cutoff.to_string()],
        )?;
        let mut report = RetentionReport {
            ran_at: at.clone(),
            policy: Some(policy),
            checked: candidates.len(),
            ..RetentionReport::default()
        };
        let _checks_off = references::checks_off(self.conn())?;
        let tx = Writing::begin(self.conn())?;
        for patient_id in candidates {
            // The time the rule uses comes from the checked row: a back-dated visit is refused.
            let last_visit = state_row(&tx, self.vault(), &patient_id)?.text(LAST_VISIT)?;
            let identity = open_identity(&tx, self.vault(), &patient_id)?;
            let dob = parse_date_of_birth(&identity.date_of_birth).ok();
            let last_visit = date_of(&last_visit)?;
            let until = held_until(dob, last_visit, policy);
            if until >= today {
                continue;
            }
            erase_merged_into(&tx, self.vault(), &patient_id, &at)?;
            report.erased_submissions += erase_patient(&tx, self.vault(), &patient_id, &at)?;
            self.audit_as(actor, &tx, &at, AuditKind::Erased, &patient_id)?;
            if was_child(dob, last_visit, policy) {
                report.erased_children.push((patient_id, until));
            } else {
                report.erased_adults.push((patient_id, until));
            }
        }
        let erased = report.erased_adults.len() + report.erased_children.len();
        self.audit_as(
            actor,
            &tx,
            &at,
            AuditKind::RetentionRun,
            &erased.to_string(),
        )?;
        tx.commit(self.vault())?;
        if erased > 0 {
            report.old_copies_remain = self.store.checkpoint()? == WalCheckpoint::OldCopiesRemain;
        }
        Ok(report)
    }

    /// Restricts processing of a patient's data (or lifts it): while restricted the record is
    /// stored and shown, but left out of marketing lists and not handed on. Managers. Logged.
    pub fn set_restricted(
        &self, actor: &Actor, patient_id: &str, restricted: bool, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.managed_change(
            actor,
            AuditKind::RestrictionChanged,
            patient_id,
            now,
            |tx, at| {
                let since = state_row(tx, self.vault(), patient_id)?.opt_text(RESTRICTED)?;
                let value = match (restricted, since) {
                    (false, _) => Value::Null,
                    (true, Some(since)) => Value::Text(since),
                    (true, None) => Value::Text(at.to_owned()),
                };
                set_state(tx, self.vault(), patient_id, &[(RESTRICTED, value)])
            },
        )
    }

    /// Since when a patient's processing is restricted, if it is.
    pub fn restricted_since(&self, patient_id: &str) -> Result<Option<String>, StoreError> {
        state_row(self.conn(), self.vault(), patient_id)?.opt_text(RESTRICTED)
    }

    /// Whether a submission id was erased here (a late bundle must not bring it back).
    pub fn was_erased(&self, submission_id: &str) -> Result<bool, StoreError> {
        row_auth::check(
            self.conn(),
            self.vault(),
            "erased_submissions",
            &text_key(submission_id),
        )
    }

    /// Consent item titles in English from the newest stored form definition (empty when none).
    fn consent_titles_en(&self) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let Some((_, json)) = self.latest_form()? else {
            return Ok(Default::default());
        };
        let form = crate::forms::FormDefinition::from_stored(&json)?;
        Ok(form
            .consents
            .iter()
            .map(|c| (c.id.clone(), crate::forms::tr(&c.title, "en").to_owned()))
            .collect())
    }
}
