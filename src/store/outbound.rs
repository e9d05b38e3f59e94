//! The kiosk's side of sync: the pairing offer, the link to its back office, what to export,
//! and the purge once the back office has acknowledged a bundle.
//!
//! Invariant: a submission leaves this database only after a receipt signed by the paired desk
//! names it; until then it stays, exported or not, and is offered again in the next bundle.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use zeroize::Zeroizing;

use super::audit::{self, AuditKind, ChainCheck};
use super::patients::open_identity;
use super::submissions::{aad, event_aad};
use super::transfer::{
    AuditHead, EXPORT_VERSION, ExportedForm, ExportedSubmission, Outgoing, SECURITY_LOG_LIMIT,
    SecurityEvent,
};
use super::{Actor, OpenStore, StoreError};
use crate::forms::ConsentEvent;
use crate::vault::Aad;

/// The back office this kiosk exports to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskLink {
    pub desk_id: String,
    pub kem_public: Vec<u8>,
    pub sign_public: Vec<u8>,
    /// The short code both screens showed at pairing.
    pub comparison_code: String,
    pub paired_at: String,
    /// A manager confirmed the codes matched; only then does export run.
    pub confirmed: bool,
}

/// A pairing offer as stored: the one-time secret (wiped when dropped) and its expiry.
pub struct StoredOffer {
    pub id: String,
    pub secret: Zeroizing<Vec<u8>>,
    /// Unix seconds.
    pub expires_at: i64,
    pub used: bool,
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
}

fn offer_aad(id: &str) -> Aad<'_> {
    Aad {
        table: "pairing_offers",
        column: "sealed_secret",
        row_id: id,
    }
}

impl OpenStore {
    /// Keeps a pairing offer's one-time secret until its answer comes back (managers only).
    /// A new offer replaces any unused one.
    pub fn save_pairing_offer(
        &self,
        actor: &Actor,
        offer_id: &str,
        secret: &[u8],
        expires_at: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let sealed = self.vault().seal(offer_aad(offer_id), secret)?;
        self.managed_change(actor, AuditKind::PairingStarted, offer_id, now, |tx, at| {
            tx.execute("DELETE FROM pairing_offers WHERE used_at IS NULL", [])?;
            tx.execute(
                "INSERT INTO pairing_offers (id, sealed_secret, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![offer_id, sealed, expires_at, at],
            )?;
            Ok(())
        })
    }

    /// The most recent pairing offer, used or not.
    pub fn latest_pairing_offer(&self) -> Result<Option<StoredOffer>, StoreError> {
        let row: Option<(String, Vec<u8>, i64, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT id, sealed_secret, expires_at, used_at FROM pairing_offers ORDER BY rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, sealed, expires_at, used_at)) = row else {
            return Ok(None);
        };
        let secret = self
            .vault()
            .open(offer_aad(&id), &sealed)
            .map_err(|_| StoreError::Tampered)?;
        Ok(Some(StoredOffer {
            id,
            secret,
            expires_at,
            used: used_at.is_some(),
        }))
    }

    /// Stores the desk from a verified pairing answer and uses up the offer, in one transaction.
    /// The link is unconfirmed until a manager compares the codes. Any earlier desk is revoked.
    pub fn link_desk(
        &self,
        actor: &Actor,
        offer_id: &str,
        link: &DeskLink,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.managed_change(actor, AuditKind::Paired, &link.desk_id, now, |tx, at| {
            let used = tx.execute(
                "UPDATE pairing_offers SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
                params![offer_id, at],
            )?;
            if used == 0 {
                return Err(StoreError::NotFound);
            }
            tx.execute(
                "UPDATE desk_link SET revoked_at = ?1 WHERE revoked_at IS NULL",
                [at],
            )?;
            tx.execute(
            "INSERT INTO desk_link (desk_id, kem_public, sign_public, comparison_code, paired_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (desk_id) DO UPDATE SET kem_public = excluded.kem_public,
                 sign_public = excluded.sign_public, comparison_code = excluded.comparison_code,
                 paired_at = excluded.paired_at, confirmed_at = NULL, revoked_at = NULL",
            params![
                link.desk_id,
                link.kem_public,
                link.sign_public,
                link.comparison_code,
                at
            ],
        )?;
            Ok(())
        })
    }

    /// A manager saw the same code on both screens.
    pub fn confirm_desk(
        &self,
        actor: &Actor,
        desk_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let subject = format!("confirmed:{desk_id}");
        self.managed_change(actor, AuditKind::Paired, &subject, now, |tx, at| {
            let n = tx.execute(
                "UPDATE desk_link SET confirmed_at = ?2 WHERE desk_id = ?1 AND revoked_at IS NULL",
                params![desk_id, at],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
    }

    /// The desk this kiosk is paired with (not revoked), confirmed or not.
    pub fn desk_link(&self) -> Result<Option<DeskLink>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT desk_id, kem_public, sign_public, comparison_code, paired_at, confirmed_at
                 FROM desk_link WHERE revoked_at IS NULL ORDER BY paired_at DESC LIMIT 1",
                [],
                |r| {
                    Ok(DeskLink {
                        desk_id: r.get(0)?,
                        kem_public: r.get(1)?,
                        sign_public: r.get(2)?,
                        comparison_code: r.get(3)?,
                        paired_at: r.get(4)?,
                        confirmed: r.get::<_, Option<String>>(5)?.is_some(),
                    })
                },
            )
            .optional()?)
    }

    /// Ends the pairing: nothing more is exported until a new one is confirmed.
    pub fn revoke_desk(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.managed_change(actor, AuditKind::PairingRevoked, "desk", now, |tx, at| {
            tx.execute(
                "UPDATE desk_link SET revoked_at = ?1 WHERE revoked_at IS NULL",
                [at],
            )?;
            Ok(())
        })
    }

    /// Everything not yet acknowledged by the desk, opened for sealing to the desk's key
    /// (managers only; the caller logs the export when the bundle is written).
    pub fn outgoing(&self, actor: &Actor) -> Result<Outgoing, StoreError> {
        actor.require_manager()?;
        let mut events: HashMap<String, Vec<ConsentEvent>> = HashMap::new();
        {
            let mut stmt = self.conn().prepare_cached(
                "SELECT e.id, e.sealed_event FROM consent_events e
                 JOIN submissions s ON s.id = e.submission_id
                 WHERE s.export_state != 'delivered' ORDER BY e.seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let sealed: Vec<u8> = r.get(1)?;
                let json = self
                    .vault()
                    .open(event_aad(&id), &sealed)
                    .map_err(|_| StoreError::Tampered)?;
                let event: ConsentEvent = serde_json::from_slice(&json)?;
                if event.id != id {
                    return Err(StoreError::Tampered);
                }
                let key = event.submission_id.clone().unwrap_or_default();
                events.entry(key).or_default().push(event);
            }
        }
        let mut forms: BTreeMap<String, String> = BTreeMap::new();
        let mut submissions = Vec::new();
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, patient_id, created_at, form_hash, notice_hash, language, sealed_answers, sealed_signature
             FROM submissions WHERE export_state != 'delivered' ORDER BY created_at, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let patient_id: String = r.get(1)?;
            let form_hash: String = r.get(3)?;
            let answers = self
                .vault()
                .open(aad("sealed_answers", &id), &r.get::<_, Vec<u8>>(6)?)
                .map_err(|_| StoreError::Tampered)?;
            let signature = self
                .vault()
                .open(aad("sealed_signature", &id), &r.get::<_, Vec<u8>>(7)?)
                .map_err(|_| StoreError::Tampered)?;
            if !forms.contains_key(&form_hash) {
                let json: String = self.conn().query_row(
                    "SELECT definition_json FROM form_definitions WHERE hash = ?1",
                    [&form_hash],
                    |r| r.get(0),
                )?;
                forms.insert(form_hash.clone(), json);
            }
            submissions.push(ExportedSubmission {
                version: EXPORT_VERSION,
                identity: open_identity(self.conn(), self.vault(), &patient_id)?,
                answers: serde_json::from_slice(&answers)?,
                signature: serde_json::from_slice(&signature)?,
                consents: events.remove(&id).unwrap_or_default(),
                submitted_at: r.get(2)?,
                notice_hash: r.get(4)?,
                language: r.get(5)?,
                submission_id: id,
                kiosk_patient_id: patient_id,
                form_hash,
            });
        }
        let security = self
            .conn()
            .prepare_cached(
                "SELECT seq, at, kind FROM audit_log
                 WHERE kind IN ('sign_in_failed', 'locked_out', 'failed_unlocks')
                 ORDER BY seq DESC LIMIT ?1",
            )?
            .query_map([SECURITY_LOG_LIMIT], |r| {
                Ok(SecurityEvent {
                    seq: r.get::<_, i64>(0)? as u64,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Outgoing {
            submissions,
            security,
            forms: forms
                .into_iter()
                .map(|(hash, definition_json)| ExportedForm {
                    hash,
                    definition_json,
                })
                .collect(),
        })
    }

    /// The sequence number the next bundle gets (1, 2, 3, …; never reused).
    pub fn next_bundle_seq(&self) -> Result<u64, StoreError> {
        let last: Option<i64> =
            self.conn()
                .query_row("SELECT MAX(seq) FROM export_bundles", [], |r| r.get(0))?;
        Ok(last.unwrap_or(0) as u64 + 1)
    }

    /// Notes that bundle `seq` holding `ids` was written for `desk_id`. Called after the file is
    /// safely on the exchange medium; one transaction; logged.
    pub fn record_export(
        &self,
        actor: &Actor,
        desk_id: &str,
        seq: u64,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let ids_json = serde_json::to_string(ids)?;
        let subject = format!("bundle:{seq}");
        self.managed_change(actor, AuditKind::Exported, &subject, now, |tx, at| {
            tx.execute(
                "INSERT INTO export_bundles (seq, desk_id, created_at, submission_count) VALUES (?1, ?2, ?3, ?4)",
                params![seq as i64, desk_id, at, ids.len() as i64],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO export_marks (submission_id, bundle_seq, exported_at)
                 SELECT id, ?2, ?1 FROM submissions
                 WHERE export_state = 'pending' AND id IN (SELECT value FROM json_each(?3))",
                params![at, seq as i64, ids_json],
            )?;
            Ok(())
        })
    }

    /// Applies a verified receipt: the named, exported submissions are delivered, so their rows,
    /// consent events and (when nothing else refers to them) patients are deleted — with
    /// `secure_delete` on, the freed pages are zeroed — and the WAL is checkpointed so no copy
    /// stays in it. Returns how many submissions were purged. Logged.
    pub fn apply_receipt(
        &self,
        actor: &Actor,
        desk_id: &str,
        seq: u64,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        actor.require_manager()?;
        let at = now.to_rfc3339();
        let ids_json = serde_json::to_string(ids)?;
        let tx = self.conn().unchecked_transaction()?;
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
        let patients: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT DISTINCT patient_id FROM submissions WHERE id IN (SELECT id FROM temp.purge_ids)",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        tx.execute(
            "DELETE FROM consent_events WHERE submission_id IN (SELECT id FROM temp.purge_ids)",
            [],
        )?;
        tx.execute(
            "DELETE FROM export_marks WHERE submission_id IN (SELECT id FROM temp.purge_ids)",
            [],
        )?;
        let purged = tx.execute(
            "DELETE FROM submissions WHERE id IN (SELECT id FROM temp.purge_ids)",
            [],
        )?;
        for patient in &patients {
            // Details a confirmed patient changed at the kiosk are kept here as amendments until
            // the patient goes: the desk records the change itself when the form arrives.
            tx.execute(
                "DELETE FROM amendments WHERE patient_id = ?1
                 AND NOT EXISTS (SELECT 1 FROM submissions WHERE patient_id = ?1)
                 AND NOT EXISTS (SELECT 1 FROM consent_events WHERE patient_id = ?1)",
                [patient],
            )?;
            tx.execute(
                "DELETE FROM patients WHERE id = ?1
                 AND NOT EXISTS (SELECT 1 FROM submissions WHERE patient_id = ?1)
                 AND NOT EXISTS (SELECT 1 FROM consent_events WHERE patient_id = ?1)",
                [patient],
            )?;
        }
        tx.execute("DELETE FROM temp.purge_ids", [])?;
        tx.execute(
            "UPDATE export_bundles SET delivered_at = COALESCE(delivered_at, ?2), purged = purged + ?3 WHERE seq = ?1",
            params![seq as i64, at, purged as i64],
        )?;
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::ReceiptApplied,
            &format!("{desk_id}:bundle:{seq}"),
        )?;
        audit::append(
            &tx,
            self.vault(),
            &at,
            actor.staff_id(),
            AuditKind::Purged,
            &purged.to_string(),
        )?;
        tx.commit()?;
        self.store().checkpoint()?;
        Ok(purged)
    }

    /// The audit chain's length and last tag, verified: what a bundle carries so the desk can
    /// tell if the kiosk's log is later cut short.
    pub fn audit_head(&self) -> Result<AuditHead, StoreError> {
        match audit::verify(self.conn(), self.vault())? {
            ChainCheck::Intact { entries, last_tag } => Ok(AuditHead {
                length: entries as u64,
                last_tag: last_tag.iter().map(|b| format!("{b:02x}")).collect(),
            }),
            ChainCheck::BrokenAt { .. } => Err(StoreError::Tampered),
        }
    }

    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn().query_row(sql, [], |r| r.get(0))?)
        };
        let (delivered, last_export_at, last_delivery_at): (i64, Option<String>, Option<String>) =
            self.conn().query_row(
                "SELECT COALESCE(SUM(purged), 0),
                        MAX(created_at), MAX(delivered_at) FROM export_bundles",
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
        })
    }
}
