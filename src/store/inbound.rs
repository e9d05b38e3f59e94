//! The desk's side of sync: the kiosks paired with it, and the exactly-once import of their
//! bundles.
//!
//! Invariants: a bundle is imported in one transaction (all of it or nothing); a submission id
//! already held is never stored again; a bundle (kiosk, seq) is imported at most once; a
//! kiosk's audit chain never gets shorter from one bundle to the next.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::audit::{self, AuditKind};
use super::patients::insert_patient;
use super::returning::update_from_kiosk;
use super::submissions::{aad, append_consent_event};
use super::transfer::{Added, AuditHead, EXPORT_VERSION, ImportReport, Outgoing};
use super::{Actor, OpenStore, StoreError};

/// A kiosk paired with this desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KioskLink {
    pub kiosk_id: String,
    pub sign_public: Vec<u8>,
    pub comparison_code: String,
    pub paired_at: String,
    pub revoked: bool,
    /// The longest audit chain seen from it so far.
    pub audit_length: u64,
    pub audit_tag: String,
}

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
    /// Pairs a kiosk (managers only): its signing key and the code both screens showed. A kiosk
    /// paired before gets its new key (e.g. after the tablet was reset). Logged.
    pub fn link_kiosk(
        &self,
        actor: &Actor,
        kiosk_id: &str,
        sign_public: &[u8],
        comparison_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.managed_change(actor, AuditKind::Paired, kiosk_id, now, |tx, at| {
            tx.execute(
                "INSERT INTO kiosk_links (kiosk_id, sign_public, comparison_code, paired_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kiosk_id) DO UPDATE SET sign_public = excluded.sign_public,
                     comparison_code = excluded.comparison_code, paired_at = excluded.paired_at,
                     revoked_at = NULL",
                params![kiosk_id, sign_public, comparison_code, at],
            )?;
            Ok(())
        })
    }

    pub fn kiosk_links(&self) -> Result<Vec<KioskLink>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT kiosk_id, sign_public, comparison_code, paired_at, revoked_at, audit_length, audit_tag
             FROM kiosk_links ORDER BY paired_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KioskLink {
                kiosk_id: r.get(0)?,
                sign_public: r.get(1)?,
                comparison_code: r.get(2)?,
                paired_at: r.get(3)?,
                revoked: r.get::<_, Option<String>>(4)?.is_some(),
                audit_length: r.get::<_, i64>(5)? as u64,
                audit_tag: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn kiosk_link(&self, kiosk_id: &str) -> Result<Option<KioskLink>, StoreError> {
        Ok(self
            .kiosk_links()?
            .into_iter()
            .find(|k| k.kiosk_id == kiosk_id))
    }

    /// Stops accepting bundles from a kiosk (managers only). Logged.
    pub fn revoke_kiosk(
        &self,
        actor: &Actor,
        kiosk_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.managed_change(actor, AuditKind::PairingRevoked, kiosk_id, now, |tx, at| {
            let n = tx.execute(
                "UPDATE kiosk_links SET revoked_at = ?2 WHERE kiosk_id = ?1 AND revoked_at IS NULL",
                params![kiosk_id, at],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
    }

    pub fn bundle_imported(&self, kiosk_id: &str, seq: u64) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM imported_bundles WHERE kiosk_id = ?1 AND seq = ?2",
                params![kiosk_id, seq as i64],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn imported_bundles(&self) -> Result<Vec<ImportedBundle>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT kiosk_id, seq, imported_at, added, duplicates FROM imported_bundles ORDER BY imported_at, seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ImportedBundle {
                kiosk_id: r.get(0)?,
                seq: r.get::<_, i64>(1)? as u64,
                imported_at: r.get(2)?,
                added: r.get::<_, i64>(3)? as u64,
                duplicates: r.get::<_, i64>(4)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a verified, opened bundle from a paired kiosk, exactly once, in one transaction:
    /// any failure leaves nothing of it. Patients are matched on the desk's own blind index
    /// (name, date of birth, postcode); a submission id already held is skipped. Logged.
    #[allow(clippy::too_many_arguments)]
    pub fn import_bundle(
        &mut self,
        actor: &Actor,
        kiosk_id: &str,
        seq: u64,
        head: &AuditHead,
        file_hash: &str,
        incoming: &Outgoing,
        now: DateTime<Utc>,
    ) -> Result<ImportReport, StoreError> {
        actor.require_manager()?;
        self.kiosk_link(kiosk_id)?
            .filter(|l| !l.revoked)
            .ok_or(StoreError::NotFound)?;
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
        let tx = self.conn().unchecked_transaction()?;
        for form in &incoming.forms {
            if crate::vault::content_hash(form.definition_json.as_bytes()) != form.hash {
                return Err(StoreError::Encoding(format!(
                    "form {} does not match its hash",
                    form.hash
                )));
            }
            tx.prepare_cached("INSERT OR IGNORE INTO form_definitions (hash, definition_json, first_used_at) VALUES (?1, ?2, ?3)")?
                .execute(params![form.hash, form.definition_json, at])?;
        }
        for s in &incoming.submissions {
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
                report.duplicates.push(s.submission_id.clone());
                continue;
            }
            let known: Option<String> = tx
                .prepare_cached("SELECT 1 FROM form_definitions WHERE hash = ?1")?
                .query_row([&s.form_hash], |_| Ok(String::new()))
                .optional()?;
            if known.is_none() {
                return Err(StoreError::Encoding(format!(
                    "submission {} refers to a form the bundle does not carry",
                    s.submission_id
                )));
            }
            let lookup = s
                .identity
                .lookup_key()
                .map_err(|e| StoreError::Encoding(e.to_string()))?;
            let index = self.vault().blind_index(&lookup);
            let existing: Option<String> = tx
                .prepare_cached("SELECT id FROM patients WHERE lookup_index = ?1 ORDER BY last_visit_at DESC LIMIT 1")?
                .query_row([&index[..]], |r| r.get(0))
                .optional()?;
            // A form filled before the patient asked for erasure, arriving after it: it joins
            // the held record under the same rules (no contact details, treatment consent only)
            // instead of starting a new record with everything the erasure took away.
            let held_for_erasure: Option<String> = if existing.is_none() {
                let name_dob = s
                    .identity
                    .name_dob_key()
                    .map_err(|e| StoreError::Encoding(e.to_string()))?;
                tx.prepare_cached(
                    "SELECT id FROM patients WHERE name_dob_index = ?1 AND erasure_requested_at > ?2
                     ORDER BY erasure_requested_at DESC LIMIT 1",
                )?
                .query_row(
                    params![&self.vault().blind_index(&name_dob)[..], s.submitted_at],
                    |r| r.get(0),
                )
                .optional()?
            } else {
                None
            };
            let existing = existing.or(held_for_erasure.clone());
            let restricted = match &existing {
                Some(id) => tx
                    .prepare_cached("SELECT restricted_at IS NOT NULL FROM patients WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))?,
                None => false,
            };
            let patient_id = match existing {
                Some(id) if held_for_erasure.is_some() => {
                    tx.execute(
                        "UPDATE patients SET last_visit_at = max(last_visit_at, ?2) WHERE id = ?1",
                        params![id, s.submitted_at],
                    )?;
                    id
                }
                Some(id) => {
                    update_from_kiosk(
                        &tx,
                        self.vault(),
                        actor,
                        &id,
                        &s.identity,
                        kiosk_id,
                        &s.submitted_at,
                        &at,
                    )?;
                    id
                }
                None => insert_patient(&tx, self.vault(), &s.identity, &s.submitted_at)?,
            };
            let answers = zeroize::Zeroizing::new(serde_json::to_vec(&s.answers)?);
            let signature = zeroize::Zeroizing::new(serde_json::to_vec(&s.signature)?);
            let sealed_answers = self
                .vault()
                .seal(aad("sealed_answers", &s.submission_id), &answers)?;
            let sealed_signature = self
                .vault()
                .seal(aad("sealed_signature", &s.submission_id), &signature)?;
            tx.prepare_cached(
                "INSERT INTO submissions (id, patient_id, staff_id, created_at, form_hash, notice_hash, language,
                     sealed_answers, sealed_signature, export_state, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'delivered', ?10)",
            )?
            .execute(params![
                s.submission_id,
                patient_id,
                actor.staff_id(),
                s.submitted_at,
                s.form_hash,
                s.notice_hash,
                s.language,
                sealed_answers,
                sealed_signature,
                kiosk_id
            ])?;
            for event in &s.consents {
                if event.submission_id.as_deref() != Some(s.submission_id.as_str()) {
                    return Err(StoreError::Encoding(format!(
                        "a consent event in submission {} belongs to another submission",
                        s.submission_id
                    )));
                }
                if held_for_erasure.is_some() && event.item_id != super::erasure::HELD_CONSENT_ITEM
                {
                    continue;
                }
                let mut event = event.clone();
                event.patient_id = patient_id.clone();
                append_consent_event(&tx, self.vault(), &event)?;
            }
            report.added.push(Added {
                submission_id: s.submission_id.clone(),
                patient_id,
                restricted,
            });
        }
        for event in &incoming.security {
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
            tx.prepare_cached(
                "INSERT OR IGNORE INTO kiosk_security_events (kiosk_id, seq, at, kind) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![kiosk_id, event.seq as i64, event.at, event.kind])?;
        }
        tx.execute(
            "INSERT INTO imported_bundles (kiosk_id, seq, file_hash, imported_at, added, duplicates, audit_length)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                kiosk_id,
                seq as i64,
                file_hash,
                at,
                report.added.len() as i64,
                report.duplicates.len() as i64,
                length
            ],
        )?;
        if newest {
            tx.execute(
                "UPDATE kiosk_links SET audit_length = ?2, audit_tag = ?3 WHERE kiosk_id = ?1",
                params![kiosk_id, length, head.last_tag],
            )?;
        }
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::Imported,
            &format!("{kiosk_id}:bundle:{seq}:{}", report.added.len()),
        )?;
        tx.commit()?;
        Ok(report)
    }
}
