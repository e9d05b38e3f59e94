//! The desk's side of sync: the kiosks paired with it, and the exactly-once import of their
//! bundles.
//!
//! Invariants: a bundle is imported in one transaction (all of it or nothing); a submission id
//! already held is never stored again; a bundle (kiosk, seq) is imported at most once; a
//! kiosk's audit chain never gets shorter from one bundle to the next. A kiosk link is pending
//! (nothing imported) until a manager confirms the kiosk's code at the desk; a known kiosk id
//! gets a new key only by a manager's replacement; a revoked link is final. A bundle's forms come
//! one at a time, each read, its times checked (`kiosk_clock`) and stored before the next, so
//! memory does not grow with the bundle; any bad one rolls the whole bundle back. It is stored by
//! event time: a late older form moves no last visit back and replaces no newer details.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

use super::amendments::{Visit, visit_changes};
use super::audit::AuditKind;
use super::kiosk_clock::BundleTimes;
use super::patient_records::form_seals::Seals;
use super::patient_records::{
    IDENTITY_MAC, LAST_VISIT, RESTRICTED, form_link, identity_hash, state_row, visit_time_at,
};
use super::patients::{Index, ids_by_index, indexes, insert_patient_as, open_patient, set_patient};
use super::row_auth::{self, text_key};
use super::submissions::{
    FiledUnder, FirstDecisions, SubmissionRow, aad, finish_visit, insert_submission,
    store_form_definition,
};
use super::transfer::{
    Added, AuditHead, BundleIn, EXPORT_VERSION, ExportedSubmission, ImportReport, Outgoing,
};
use super::{Actor, OpenStore, StoreError};
use crate::forms::ConsentEvent;
use crate::store::writing::Writing;
use crate::vault::time_ordered_id;

mod links;
pub use links::{KioskLink, LinkState, OfferedKey};

/// One imported bundle, for the desk's listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedBundle {
    pub kiosk_id: String,
    pub seq: u64,
    pub imported_at: String,
    pub added: u64,
    pub duplicates: u64,
}

impl OpenStore {
    pub fn bundle_imported(&self, kiosk_id: &str, seq: u64) -> Result<bool, StoreError> {
        Ok(self.imported_file_hash(kiosk_id, seq)?.is_some())
    }

    /// The hash of the file bundle `seq` of `kiosk_id` was imported from (checked); `None` when
    /// it was not imported.
    pub fn imported_file_hash(
        &self, kiosk_id: &str, seq: u64,
    ) -> Result<Option<String>, StoreError> {
        let seq = i64::try_from(seq)
            .map_err(|_| StoreError::Invalid("bundle number out of range".into()))?;
        row_auth::get(
            self.conn(),
            self.vault(),
            "imported_bundles",
            &[Value::Text(kiosk_id.to_owned()), Value::Integer(seq)],
        )?
        .map(|row| row.text("file_hash"))
        .transpose()
    }

    pub fn imported_bundles(&self) -> Result<Vec<ImportedBundle>, StoreError> {
        let count = |row: &row_auth::Row, column: &str| -> Result<u64, StoreError> {
            u64::try_from(row.int(column)?)
                .map_err(|_| StoreError::tampered("imported_bundles", column))
        };
        let mut out = row_auth::all(self.conn(), self.vault(), "imported_bundles")?
            .iter()
            .map(|row| {
                Ok(ImportedBundle {
                    kiosk_id: row.text("kiosk_id")?,
                    seq: count(row, "seq")?,
                    imported_at: row.text("imported_at")?,
                    added: count(row, "added")?,
                    duplicates: count(row, "duplicates")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort_by(|a, b| (&a.imported_at, a.seq).cmp(&(&b.imported_at, b.seq)));
        Ok(out)
    }

    /// Stores a verified, opened bundle from a paired kiosk, exactly once, in one transaction:
    /// any failure leaves nothing of it. Patients are matched on the desk's own blind index
    /// (name, date of birth, postcode); a submission id already held is skipped. Logged.
    #[allow(clippy::too_many_arguments)]
    pub fn import_bundle(
        &mut self, actor: &Actor, kiosk_id: &str, seq: u64, head: &AuditHead, file_hash: &str,
        incoming: &Outgoing, now: DateTime<Utc>,
    ) -> Result<ImportReport, StoreError> {
        let bundle = BundleIn {
            kiosk_id,
            seq,
            head,
            file_hash,
            forms: &incoming.forms,
            security: &incoming.security,
        };
        let mut forms = incoming.submissions.iter();
        let stored = self.import_streamed(
            actor,
            &bundle,
            || forms.next().map(Ok),
            now,
            |_| Ok::<(), std::convert::Infallible>(()),
        )?;
        Ok(stored.unwrap_or_else(|never| match never {}))
    }

    /// [`OpenStore::import_bundle`] of a bundle whose forms `next` gives one at a time, each
    /// read, checked and stored before the next is asked for (so a bundle of any size is held
    /// one form at a time), with `before_commit` run on the report once everything is written
    /// and before the transaction commits (the desk hands the forms on there). When `next`
    /// gives an error or `before_commit` fails, nothing of the bundle is stored and that error
    /// comes back inside `Ok`.
    pub fn import_streamed<S, E>(
        &mut self, actor: &Actor, bundle: &BundleIn,
        mut next: impl FnMut() -> Option<Result<S, E>>, now: DateTime<Utc>,
        before_commit: impl FnOnce(&ImportReport) -> Result<(), E>,
    ) -> Result<Result<ImportReport, E>, StoreError>
    where
        S: std::borrow::Borrow<ExportedSubmission>,
    {
        let BundleIn {
            kiosk_id,
            seq,
            head,
            file_hash,
            forms,
            security,
        } = *bundle;
        actor.require_manager()?;
        let link = self.link_in_state(kiosk_id, LinkState::Confirmed)?;
        let paired_at = DateTime::parse_from_rfc3339(&link.paired_at)
            .map_err(|_| StoreError::Encoding(format!("kiosk {kiosk_id}'s pairing time")))?
            .with_timezone(&Utc);
        let bad_time = |detail| StoreError::KioskClock {
            kiosk_id: kiosk_id.to_owned(),
            detail,
        };
        let times = BundleTimes::new(paired_at, now);
        times.security(security).map_err(bad_time)?;
        // Two histories of one kiosk: a chain as long as the one last seen, ending elsewhere.
        // Refused, and the kiosk flagged (outside the refused import) for a manager to look into.
        if head.length == link.audit_length
            && !link.audit_tag.is_empty()
            && !crate::vault::constant_time_eq(head.last_tag.as_bytes(), link.audit_tag.as_bytes())
        {
            self.flag_audit_fork(kiosk_id, head.length, now)?;
            return Err(StoreError::AuditForked {
                kiosk_id: kiosk_id.to_owned(),
                length: head.length,
            });
        }
        // The log this one grew from, as the kiosk reads it now, where it stood at its previous
        // bundle: when that bundle was imported here it must be the same (a kiosk's file put
        // back from an older copy and used since, or restored from a backup, grows another log
        // past the one seen here, which the length alone does not show).
        if let Some(previous) = &head.previous {
            let key = [
                Value::Text(kiosk_id.to_owned()),
                Value::Integer(i64::try_from(previous.seq).unwrap_or(i64::MAX)),
            ];
            if let Some(row) = row_auth::get(self.conn(), self.vault(), "imported_bundles", &key)? {
                let same_length = u64::try_from(row.int("audit_length")?) == Ok(previous.length);
                let same_tag = row.opt_text("audit_tag")?.is_none_or(|tag| {
                    crate::vault::constant_time_eq(tag.as_bytes(), previous.tag.as_bytes())
                });
                if !(same_length && same_tag) {
                    self.flag_audit_fork(kiosk_id, previous.length, now)?;
                    return Err(StoreError::AuditForked {
                        kiosk_id: kiosk_id.to_owned(),
                        length: previous.length,
                    });
                }
            }
        }
        if self.bundle_imported(kiosk_id, seq)? {
            return Err(StoreError::AlreadyImported {
                kiosk_id: kiosk_id.to_owned(),
                seq,
            });
        }
        // The kiosk's audit log only grows: a later bundle never carries a shorter chain than an
        // earlier one (a late-arriving older bundle carries a shorter one, which is fine).
        let (longest_before, shortest_after): (Option<i64>, Option<i64>) = self.conn().query_row(
            "SELECT (SELECT MAX(audit_length) FROM imported_bundles WHERE kiosk_id = ?1 AND seq < ?2),
                    (SELECT MIN(audit_length) FROM imported_bundles WHERE kiosk_id = ?1 AND seq > ?2)",
            params![kiosk_id, seq as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let length = head.length as i64;
        if let Some(had) = longest_before.filter(|had| *had > length) {
            return Err(StoreError::AuditRolledBack {
                kiosk_id: kiosk_id.to_owned(),
                had: had as u64,
                now: head.length,
            });
        }
        if let Some(later) = shortest_after.filter(|later| *later < length) {
            return Err(StoreError::AuditRolledBack {
                kiosk_id: kiosk_id.to_owned(),
                had: head.length,
                now: later as u64,
            });
        }
        let newest = shortest_after.is_none();
        let at = now.to_rfc3339();
        let mut report = ImportReport::default();
        let _cache = self.store.large_cache()?;
        // The bundle's pages written once, into the database (not into the WAL and again at the
        // checkpoint): see store/bulk_write.rs.
        let _journal = self.store.rollback_journal();
        let tx = Writing::begin(self.conn())?;
        // What was imported and what was erased, as written: a list shortened by hand would let
        // an old bundle in again, and an erased patient with it.
        row_auth::census::check(&tx, self.vault(), row_auth::census::IMPORT_LISTS)?;
        for form in forms {
            if crate::vault::content_hash(form.definition_json.as_bytes()) != form.hash {
                return Err(StoreError::Encoding(format!(
                    "form {} does not match its hash",
                    form.hash
                )));
            }
            store_form_definition(&tx, self.vault(), &form.hash, &form.definition_json, &at)?;
        }
        // Asked once per bundle rather than once per form: whether any patient is held for
        // erasure (nothing below sets it), and which form definitions are known.
        let any_held_for_erasure: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM patients WHERE erasure_requested_at IS NOT NULL)",
            [],
            |r| r.get(0),
        )?;
        let mut known_forms: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut sealer = ValueSealer::new(self.vault());
        while let Some(item) = next() {
            let item = match item {
                Ok(item) => item,
                // Dropped uncommitted: rolled back.
                Err(e) => return Ok(Err(e)),
            };
            let s: &ExportedSubmission = item.borrow();
            let submitted = times.submission(s).map_err(bad_time)?;
            if s.version != EXPORT_VERSION {
                return Err(StoreError::Encoding(format!(
                    "submission format {} is not supported",
                    s.version
                )));
            }
            let held: bool = tx
                // An erased submission counts as held: a late bundle must not bring it back.
                .prepare_cached(
                    "SELECT 1 FROM submissions WHERE id = ?1
                     UNION ALL SELECT 1 FROM erased_submissions WHERE submission_id = ?1",
                )?
                .query_row([&s.submission_id], |_| Ok(()))
                .optional()?
                .is_some();
            if held {
                // Held for real: a row put in the file to have a form dropped is refused.
                let key = text_key(&s.submission_id);
                if !row_auth::check(&tx, self.vault(), "submissions", &key)?
                    && !row_auth::check(&tx, self.vault(), "erased_submissions", &key)?
                {
                    return Err(StoreError::tampered("submissions", &s.submission_id));
                }
                report.duplicates.push(s.submission_id.clone());
                continue;
            }
            let known = known_forms.contains(s.form_hash.as_str())
                || tx
                    .prepare_cached("SELECT 1 FROM form_definitions WHERE hash = ?1")?
                    .query_row([&s.form_hash], |_| Ok(()))
                    .optional()?
                    .is_some();
            if known {
                if !known_forms.contains(s.form_hash.as_str()) {
                    known_forms.insert(s.form_hash.clone());
                }
            } else {
                return Err(StoreError::Encoding(format!(
                    "submission {} refers to a form the bundle does not carry",
                    s.submission_id
                )));
            }
            // Read and checked above (kiosk_clock); stored in one form (UTC) so stored times
            // compare.
            let submitted_at = submitted.to_rfc3339();
            let indexes = indexes(self.vault(), &s.identity)?;
            let existing = ids_by_index(&tx, Index::Lookup, &indexes.0)?
                .into_iter()
                .next();
            // A form filled before the patient asked for erasure, arriving after it: it joins
            // the held record under the same rules (no contact details, treatment consent only)
            // instead of starting a new record with everything the erasure took away.
            let held_for_erasure: Option<String> = if existing.is_none() && any_held_for_erasure {
                tx.prepare_cached(
                    "SELECT id FROM patients WHERE name_dob_index = ?1 AND erasure_requested_at > ?2
                     ORDER BY erasure_requested_at DESC LIMIT 1",
                )?
                .query_row(
                    params![&indexes.1[..], submitted_at],
                    |r| r.get(0),
                )
                .optional()?
            } else {
                None
            };
            let existing = existing.or(held_for_erasure.clone());
            // A returning patient's visit state, checked: what the form changes of the patient
            // is written there, once. Their own row is read only when the form's details are
            // not the ones held.
            let state = match &existing {
                Some(id) => Some(state_row(&tx, self.vault(), id).map_err(|e| match e {
                    // Named by the index, gone from the table: the index was edited.
                    StoreError::NotFound => StoreError::tampered("patients", id),
                    other => other,
                })?),
                None => None,
            };
            let restricted = match &state {
                Some(state) => state.opt_text(RESTRICTED)?.is_some(),
                None => false,
            };
            let (patient_id, visit) = match (existing, &state) {
                (Some(id), Some(state)) => {
                    let last_visit = state.text(LAST_VISIT)?;
                    let mut changes = Vec::new();
                    let arrived = identity_hash(self.vault(), &id, &s.identity)?;
                    let same = match (state.opt_blob(IDENTITY_MAC)?, &arrived) {
                        (Some(held), Value::Blob(arrived)) => {
                            crate::vault::constant_time_eq(&held, arrived)
                        }
                        _ => false,
                    };
                    // A record held for erasure keeps its details as the erasure left them.
                    if !same && held_for_erasure.is_none() {
                        // By the form's time, not by arrival: a late older form neither moves
                        // the last visit back nor replaces newer details.
                        let (_, stored) =
                            open_patient(&tx, self.vault(), &id).map_err(|e| match e {
                                StoreError::NotFound => StoreError::tampered("patients", &id),
                                other => other,
                            })?;
                        let reason = format!(
                            "{} {kiosk_id}, form {} of {submitted_at}",
                            super::returning::UPDATED_AT_KIOSK,
                            s.submission_id
                        );
                        let visit = Visit {
                            staff_id: actor.staff_id(),
                            patient_id: &id,
                            identity: &s.identity,
                            at: submitted,
                            reason: &reason,
                        };
                        let after = visit_changes(&tx, self.vault(), &visit, &last_visit, stored)?;
                        if !after.columns.is_empty() {
                            set_patient(&tx, self.vault(), &id, &after.columns)?;
                        }
                        let held = identity_hash(self.vault(), &id, &after.held)?;
                        changes.push((IDENTITY_MAC, held));
                    }
                    let visit_at = visit_time_at(submitted);
                    if visit_at > last_visit {
                        changes.push((LAST_VISIT, Value::Text(visit_at)));
                    }
                    (id, changes)
                }
                // Ordered by the form's time, as its id: a new patient's rows land where their
                // tables end (see `time_ordered_id`).
                _ => (time_ordered_id(submitted.timestamp_millis())?, Vec::new()),
            };
            let new_patient = state.is_none();
            let own_form = Some(s.submission_id.as_str());
            if s.consents
                .iter()
                .any(|e| e.submission_id.as_deref() != own_form)
            {
                return Err(StoreError::Encoding(format!(
                    "a consent event in submission {} belongs to another submission",
                    s.submission_id
                )));
            }
            // The kiosk's decisions as they came, filed under the desk's patient (no copies),
            // each run's value sealed as the bundle carried it; a patient held for erasure keeps
            // only the treatment consent (its run written anew).
            let (events, as_sent): (std::borrow::Cow<[ConsentEvent]>, _) =
                if held_for_erasure.is_some() {
                    let kept = crate::rights::held::kept_decisions(&s.consents);
                    (std::borrow::Cow::Owned(kept), &[][..])
                } else {
                    (std::borrow::Cow::Borrowed(&s.consents), &s.packed.runs[..])
                };
            let under = FiledUnder::Imported {
                patient_id: &patient_id,
                as_sent,
            };
            let id = s.submission_id.as_str();
            let sealed_answers =
                sealer.seal("sealed_answers", id, &s.packed.answers, &s.answers)?;
            let sealed_signature =
                sealer.seal("sealed_signature", id, &s.packed.signature, &s.signature)?;
            let seal = Seals::of_form(self.vault(), id, &sealed_answers, &sealed_signature);
            // A new patient's visit state is written once, its consent chain's head in it.
            let first = if new_patient {
                let first = FirstDecisions::prepare(&tx, self.vault(), under, &events)?;
                insert_patient_as(
                    &tx,
                    self.vault(),
                    &patient_id,
                    &s.identity,
                    &indexes,
                    &submitted_at,
                    first.head(),
                    (&first.listed(&s.submission_id), seal),
                )?;
                Some(first)
            } else {
                None
            };
            let prev_form = match &state {
                Some(state) => form_link(state)?,
                None => Value::Null,
            };
            insert_submission(
                &tx,
                self.vault(),
                &SubmissionRow {
                    id: &s.submission_id,
                    patient_id: &patient_id,
                    staff_id: actor.staff_id(),
                    created_at: &submitted_at,
                    form_hash: &s.form_hash,
                    notice_hash: &s.notice_hash,
                    language: &s.language,
                    sealed_answers: &sealed_answers,
                    sealed_signature: &sealed_signature,
                    source: Some(kiosk_id),
                    export_state: "delivered",
                    prev_form,
                },
            )?;
            // The visit state written once: the visit's changes, the form linked, the consent
            // chain carried.
            let form = (id, seal);
            finish_visit(&tx, self.vault(), under, first, state, form, &events, visit)?;
            report.added.push(Added {
                submission_id: s.submission_id.clone(),
                patient_id,
                restricted,
                held_for_erasure: held_for_erasure.is_some(),
            });
        }
        for event in security {
            if !matches!(
                event.kind.as_str(),
                "sign_in_failed" | "locked_out" | "failed_unlocks"
            ) || DateTime::parse_from_rfc3339(&event.at).is_err()
            {
                return Err(StoreError::Encoding(format!(
                    "a security event of kind {:?} at {:?} is not one the desk keeps",
                    event.kind, event.at
                )));
            }
            let event_seq = i64::try_from(event.seq).map_err(|_| {
                StoreError::Encoding("a security event number is out of range".into())
            })?;
            row_auth::insert_if_absent(
                &tx,
                self.vault(),
                "kiosk_security_events",
                &[
                    ("kiosk_id", Value::Text(kiosk_id.to_owned())),
                    ("seq", Value::Integer(event_seq)),
                    ("at", Value::Text(event.at.clone())),
                    ("kind", Value::Text(event.kind.clone())),
                ],
            )?;
        }
        let counted = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        row_auth::insert(
            &tx,
            self.vault(),
            "imported_bundles",
            &[
                ("kiosk_id", Value::Text(kiosk_id.to_owned())),
                ("seq", Value::Integer(seq as i64)),
                ("file_hash", Value::Text(file_hash.to_owned())),
                ("imported_at", Value::Text(at.clone())),
                ("added", Value::Integer(counted(report.added.len()))),
                (
                    "duplicates",
                    Value::Integer(counted(report.duplicates.len())),
                ),
                ("audit_length", Value::Integer(length)),
                ("audit_tag", Value::Text(head.last_tag.clone())),
            ],
        )?;
        if newest {
            row_auth::update(
                &tx,
                self.vault(),
                "kiosk_links",
                &text_key(kiosk_id),
                &[
                    ("audit_length", Value::Integer(length)),
                    ("audit_tag", Value::Text(head.last_tag.clone())),
                ],
            )?;
        }
        self.audit_as(
            actor,
            &tx,
            &at,
            AuditKind::Imported,
            &format!("{kiosk_id}:bundle:{seq}:{}", report.added.len()),
        )?;
        if let Err(e) = before_commit(&report) {
            // Dropped uncommitted: rolled back.
            return Ok(Err(e));
        }
        tx.commit(self.vault())?;
        Ok(Ok(report))
    }
}

/// Seals an imported form's answers and signature: each as the kiosk packed it when it did (the
/// entry's reader unpacked and read those bytes, so they are the value), without writing and
/// packing it again; otherwise written as JSON into one wiped buffer kept for every value of the
/// bundle.
struct ValueSealer<'a> {
    vault: &'a crate::vault::Vault,
    json: crate::vault::WipedBuffer,
}

impl<'a> ValueSealer<'a> {
    fn new(vault: &'a crate::vault::Vault) -> Self {
        ValueSealer {
            vault,
            json: crate::vault::WipedBuffer::with_capacity(64 * 1024),
        }
    }

    /// `value` sealed for `column` of submission `id`.
    fn seal<T: serde::Serialize>(
        &mut self, column: &'static str, id: &str, packed: &Option<crate::packing::Packed>,
        value: &T,
    ) -> Result<Vec<u8>, StoreError> {
        let aad = aad(column, id);
        if let Some(packed) = packed {
            return Ok(self.vault.seal_prepacked(aad, packed)?);
        }
        Ok(self.vault.seal(aad, self.json.write_json(value)?)?)
    }
}
