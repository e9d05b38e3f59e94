//! The kiosk's side of sync: the pairing offer, the link to its back office, what to export,
//! and the purge once the back office has acknowledged a bundle.
//!
//! Invariant: a submission leaves this database only after a receipt signed by the paired desk
//! names it; until then it stays, exported or not, and is offered again in the next bundle.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;

use super::audit::{self, AuditKind, ChainCheck};
use super::patient_records::Listed;
use super::patients::open_identity;
use super::row_auth::{self, text_key};
use super::submissions::{
    HAS_FIRST_SHAPE_DECISIONS, Opening, Scope, aad, delete_rows_where, patient_consent_events,
    read_ledger_as, rechain_consents, still_listed,
};
use super::transfer::{
    AuditHead, EXPORT_VERSION, ExportedForm, ExportedSubmission, Outgoing, OutgoingRest,
    PackedValues, SECURITY_LOG_LIMIT, SealedRun, SecurityEvent,
};
use super::{Actor, OpenStore, StoreError, WalCheckpoint};
use crate::forms::ConsentEvent;
use crate::forms::consent_runs::RunValue;
use crate::store::writing::Writing;
use crate::vault::Opened;

mod bundles;
mod desk_link;
pub(super) use desk_link::revoke_live_desks;
pub use desk_link::{DeskLink, StoredOffer, Withdrawal};

/// What applying a receipt did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Purged {
    pub submissions: usize,
    /// Another program had the database open, so old copies of the purged rows stay in its
    /// write-ahead log until that program closes (see [`super::OLD_COPIES_REMAIN`]).
    pub old_copies_remain: bool,
}

/// What staff home shows about sync.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// Saved, never put in a bundle.
    pub pending: i64,
    /// In a bundle, not yet acknowledged by the desk.
    pub exported: i64,
    /// Acknowledged by the desk and purged here.
    pub delivered: i64,
    pub last_export_at: Option<String>,
    pub last_delivery_at: Option<String>,
    pub desk: Option<DeskLink>,
    /// This installation's id in sync (a kiosk's, as the desk lists it); `None` before its
    /// first pairing.
    pub own_id: Option<String>,
}

/// A decision of the ledger's first shape as the run of one it travels as.
fn sealed_run_of(event: &ConsentEvent) -> Result<SealedRun, StoreError> {
    let json = crate::vault::json_wiped(&RunValue::of(std::slice::from_ref(event)))?;
    Ok(SealedRun {
        patient_id: event.patient_id.clone(),
        submission_id: event.submission_id.clone(),
        recorded_at: event.recorded_at.clone(),
        value: Opened::Plain(zeroize::Zeroizing::new(json.as_bytes().to_vec())),
    })
}

/// A form's consent decisions whose form is gone or is another patient's: refused, so that no
/// decision travels without the form it was taken with.
fn decisions_astray(submission_id: &str) -> StoreError {
    StoreError::tampered(
        "submissions",
        format!("of the consent decisions taken with form {submission_id}"),
    )
}

impl OpenStore {
    /// Everything not yet acknowledged by the desk, opened for sealing to the desk's key
    /// (managers only; the caller logs the export when the bundle is written).
    pub fn outgoing(&self, actor: &Actor) -> Result<Outgoing, StoreError> {
        let mut submissions = Vec::new();
        let rest = self.each_outgoing(actor, &mut |submission| {
            let id = submission.submission_id.clone();
            submissions.push(
                submission
                    .parsed()
                    .map_err(|_| StoreError::tampered("submissions", id))?,
            );
            Ok::<(), StoreError>(())
        })?;
        Ok(Outgoing {
            submissions,
            forms: rest.forms,
            security: rest.security,
        })
    }

    /// [`outgoing`](Self::outgoing) one submission at a time, oldest first, handed to `each`
    /// as it is opened (an export seals each into its bundle and lets it go: ten thousand forms
    /// are never all in memory, opened, at once); the forms they refer to and the security
    /// events come back at the end.
    pub fn each_outgoing<E: From<StoreError>>(
        &self, actor: &Actor,
        each: &mut dyn FnMut(ExportedSubmission<Opened, Opened, Vec<SealedRun>>) -> Result<(), E>,
    ) -> Result<OutgoingRest, E> {
        actor.require_manager()?;
        let vault = self.vault();
        // The decisions taken with forms, oldest first: one pass over the ledger (a join would
        // look up each row's form, reading past its sealed values to the export state), each
        // row's value as sealed (the desk reads it). A decision whose form was deleted or moved
        // to another patient must not travel without it: each form's runs are matched to its
        // row as the form is read below, and those of forms not read (delivered, or gone) after
        // the walk (see [`decisions_astray`]).
        let mut runs: HashMap<String, Vec<SealedRun>> = HashMap::new();
        read_ledger_as(
            self.conn(),
            vault,
            Scope::WithForms,
            Opening::AsSealed,
            |row| {
                if let Some(id) = row.submission_id {
                    let held = runs.entry(id).or_default();
                    held.extend(row.sealed);
                    // A row of the first shape (one decision, written before the second existed)
                    // travels as a run of one, its value written here.
                    for event in &row.events {
                        held.push(sealed_run_of(event)?);
                    }
                }
                Ok(())
            },
        )?;
        // Each row is checked as it is read (its covered columns and tag come with it): one pass
        // per table, no second look-up per row.
        let mut forms: BTreeMap<String, String> = BTreeMap::new();
        let mut pending = Vec::new();
        {
            let at = row_auth::checked_len("submissions")?;
            let mut stmt = self
                .conn()
                .prepare_cached(&format!(
                    "SELECT {}, sealed_answers, sealed_signature
                 FROM submissions WHERE export_state != 'delivered' ORDER BY created_at, id",
                    row_auth::select_list("submissions", None)?
                ))
                .map_err(StoreError::from)?;
            let mut rows = stmt.query([]).map_err(StoreError::from)?;
            while let Some(r) = rows.next().map_err(StoreError::from)? {
                let row = row_auth::verify(vault, "submissions", r)?;
                let id = row.text("id")?;
                let patient_id = row.text("patient_id")?;
                let form_hash = row.text("form_hash")?;
                // As sealed: packed values travel packed (the desk unpacks and reads them).
                let open = |column: &'static str, at: usize| {
                    vault
                        .open_as_sealed(aad(column, &id), row_auth::blob_at("submissions", r, at)?)
                        .map_err(|_| StoreError::tampered("submissions", &id))
                };
                let answers = open("sealed_answers", at)?;
                let signature = open("sealed_signature", at + 1)?;
                if !forms.contains_key(&form_hash) {
                    let json = super::forms::stored_definition(self.conn(), vault, &form_hash)?
                        .ok_or_else(|| StoreError::tampered("submissions", &id))?;
                    forms.insert(form_hash.clone(), json);
                }
                if row.text("export_state")? == "pending" {
                    pending.push(id.clone());
                }
                let consents = runs.remove(&id).unwrap_or_default();
                if consents.iter().any(|run| run.patient_id != patient_id) {
                    return Err(decisions_astray(&id).into());
                }
                each(ExportedSubmission {
                    version: EXPORT_VERSION,
                    identity: open_identity(self.conn(), vault, &patient_id)?,
                    answers,
                    signature,
                    consents,
                    submitted_at: row.text("created_at")?,
                    notice_hash: row.text("notice_hash")?,
                    language: row.text("language")?,
                    submission_id: id,
                    kiosk_patient_id: patient_id,
                    form_hash,
                    packed: PackedValues::default(),
                })?;
            }
        }
        // The decisions of forms the walk did not read: each form must still be there, and be
        // its decisions' patient's (a kiosk holds few such rows: delivered forms are purged
        // with their decisions).
        for (id, consents) in &runs {
            let holder: Option<String> = self
                .conn()
                .prepare_cached("SELECT patient_id FROM submissions WHERE id = ?1")
                .map_err(StoreError::from)?
                .query_row([id], |r| r.get(0))
                .optional()
                .map_err(StoreError::from)?;
            if consents
                .iter()
                .any(|run| Some(&run.patient_id) != holder.as_ref())
            {
                return Err(decisions_astray(id).into());
            }
        }
        let security = self
            .conn()
            .prepare_cached(
                "SELECT seq, at, kind FROM audit_log
                 WHERE kind IN ('sign_in_failed', 'locked_out', 'failed_unlocks')
                 ORDER BY seq DESC LIMIT ?1",
            )
            .map_err(StoreError::from)?
            .query_map([SECURITY_LOG_LIMIT], |r| {
                Ok(SecurityEvent {
                    seq: r.get::<_, i64>(0)? as u64,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                })
            })
            .map_err(StoreError::from)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)?;
        Ok(OutgoingRest {
            forms: forms
                .into_iter()
                .map(|(hash, definition_json)| ExportedForm {
                    hash,
                    definition_json,
                })
                .collect(),
            security,
            pending,
        })
    }

    /// Applies a verified receipt: the named, exported submissions are delivered, so their rows,
    /// consent events and (when nothing else refers to them) patients are deleted — with
    /// `secure_delete` on, the freed pages are zeroed — and the WAL is checkpointed so no copy
    /// stays in it. Returns how many submissions were purged. Logged.
    pub fn apply_receipt(
        &self, actor: &Actor, desk_id: &str, seq: u64, ids: &[String], now: DateTime<Utc>,
    ) -> Result<Purged, StoreError> {
        actor.require_manager()?;
        let at = now.to_rfc3339();
        let ids_json = serde_json::to_string(ids)?;
        let tx = Writing::begin(self.conn())?;
        tx.execute(
            "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id TEXT PRIMARY KEY)",
            [],
        )?;
        tx.execute("DELETE FROM temp.purge_ids", [])?;
        tx.execute(
            // `IN (SELECT …)` builds an index over the list; a join would scan it per row.
            "INSERT OR IGNORE INTO temp.purge_ids (id)
             SELECT submission_id FROM export_marks
             WHERE submission_id IN (SELECT value FROM json_each(?1))",
            [&ids_json],
        )?;
        let marked: Vec<String> = tx
            .prepare("SELECT id FROM temp.purge_ids")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &marked {
            row_auth::check(&tx, self.vault(), "export_marks", &text_key(id))?;
        }
        let patients: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT DISTINCT patient_id FROM submissions WHERE id IN (SELECT id FROM temp.purge_ids)",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        // The chains are checked before events leave them, then carried over what stays.
        let mut before = HashMap::with_capacity(patients.len());
        for patient in &patients {
            patient_consent_events(&tx, self.vault(), patient)?;
            before.insert(patient, Listed::of_patient(&tx, self.vault(), patient)?);
        }
        delete_rows_where(&tx, "submission_id IN (SELECT id FROM temp.purge_ids)", &[])?;
        tx.execute(
            "DELETE FROM export_marks WHERE submission_id IN (SELECT id FROM temp.purge_ids)",
            [],
        )?;
        let purged = tx.execute(
            "DELETE FROM submissions WHERE id IN (SELECT id FROM temp.purge_ids)",
            [],
        )?;
        // A patient with no form and no decision left here goes, with the details they changed
        // at the kiosk (kept as amendments until then: the desk records the change itself when
        // the form arrives). Prepared once for the whole receipt (it names hundreds of patients).
        let mut first_shape_left = tx.prepare(&format!("SELECT {HAS_FIRST_SHAPE_DECISIONS}"))?;
        let mut delete_amendments = tx.prepare("DELETE FROM amendments WHERE patient_id = ?1")?;
        let mut delete_patient = tx.prepare("DELETE FROM patients WHERE id = ?1")?;
        for patient in &patients {
            let listed = before.remove(patient).unwrap_or_default();
            let left = still_listed(&tx, listed)?;
            let done = left.forms.is_empty()
                && left.ledger.is_empty()
                && !first_shape_left.query_row([patient], |r| r.get::<_, bool>(0))?;
            if done {
                delete_amendments.execute([patient])?;
                row_auth::delete_summed(&tx, self.vault(), "visit_state", &text_key(patient))?;
                delete_patient.execute([patient])?;
            } else {
                rechain_consents(&tx, self.vault(), patient, &left)?;
            }
        }
        drop((first_shape_left, delete_amendments, delete_patient));
        tx.execute("DELETE FROM temp.purge_ids", [])?;
        // A kiosk neither restricts nor holds a record for erasure; should one of the rows
        // deleted have been so marked, the census says so no longer.
        row_auth::census::note_restricted(&tx, self.vault())?;
        row_auth::census::note_held_for_erasure(&tx, self.vault())?;
        let seq_key = [Value::Integer(i64::try_from(seq).unwrap_or(i64::MAX))];
        if let Some(bundle) = row_auth::get(&tx, self.vault(), "export_bundles", &seq_key)? {
            let delivered = bundle
                .opt_text("delivered_at")?
                .unwrap_or_else(|| at.clone());
            let total = bundle.int("purged")? + i64::try_from(purged).unwrap_or(i64::MAX);
            row_auth::update(
                &tx,
                self.vault(),
                "export_bundles",
                &seq_key,
                &[
                    ("delivered_at", Value::Text(delivered)),
                    ("purged", Value::Integer(total)),
                ],
            )?;
        }
        self.audit_as(
            actor,
            &tx,
            &at,
            AuditKind::ReceiptApplied,
            &format!("{desk_id}:bundle:{seq}"),
        )?;
        self.audit_as(actor, &tx, &at, AuditKind::Purged, &purged.to_string())?;
        tx.commit(self.vault())?;
        let wal = self.store().checkpoint()?;
        Ok(Purged {
            submissions: purged,
            old_copies_remain: wal == WalCheckpoint::OldCopiesRemain,
        })
    }

    /// The audit chain's length and last tag, verified: what a bundle carries so the desk can
    /// tell if the kiosk's log is later cut short.
    pub fn audit_head(&self) -> Result<AuditHead, StoreError> {
        match audit::verify(self.conn(), self.vault())? {
            ChainCheck::Intact { entries, last_tag } => Ok(AuditHead {
                length: entries as u64,
                last_tag: crate::hex::encode(&last_tag),
                previous: None,
            }),
            ChainCheck::BrokenAt { seq } => Err(StoreError::tampered("audit_log", seq)),
        }
    }

    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        // The marks and bundles behind the counts shown, checked.
        row_auth::check_all(self.conn(), self.vault(), "export_marks")?;
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn().query_row(sql, [], |r| r.get(0))?)
        };
        let (delivered, last_export_at, last_delivery_at): (i64, Option<String>, Option<String>) =
            self.conn().query_row(
                // A number taken for a bundle whose file was never written holds no form.
                "SELECT COALESCE(SUM(purged), 0),
                        MAX(CASE WHEN submission_count > 0 THEN created_at END),
                        MAX(delivered_at) FROM export_bundles",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        Ok(SyncStatus {
            pending: count(
                "SELECT COUNT(*) FROM submissions s WHERE s.export_state = 'pending'
                 AND NOT EXISTS (SELECT 1 FROM export_marks m WHERE m.submission_id = s.id)",
            )?,
            exported: count("SELECT COUNT(*) FROM export_marks")?,
            delivered,
            last_export_at,
            last_delivery_at,
            desk: self.desk_link()?,
            own_id: self.sync_identity()?.map(|identity| identity.node_id),
        })
    }
}
