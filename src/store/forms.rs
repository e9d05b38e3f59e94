//! The clinic's active form definition. Definitions are not patient data: they are stored in the
//! clear, once per content hash (the same table old submissions read their form from), and the
//! active one is named by its hash in `settings`.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Actor, AuditKind, OpenStore, StoreError};

const ACTIVE_FORM: &str = "active_form";

impl OpenStore {
    /// The active definition as (hash, canonical JSON), if a manager has chosen one.
    /// The caller checks the JSON against its hash before using it.
    pub fn active_form(&self) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT d.hash, d.definition_json FROM settings s
                 JOIN form_definitions d ON d.hash = s.value WHERE s.key = ?1",
                [ACTIVE_FORM],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The definition most recently first used by a submission (the desk has no active form of
    /// its own): (hash, canonical JSON).
    pub fn latest_form(&self) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT hash, definition_json FROM form_definitions ORDER BY first_used_at DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Makes a checked definition the one every new handover uses (managers only); logged with
    /// the definition's hash. One transaction: a failure leaves the previous form active.
    pub fn activate_form(
        &self,
        actor: &Actor,
        hash: &str,
        definition_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let subject = format!("form:{hash}");
        self.managed_change(actor, AuditKind::SettingsChanged, &subject, now, |tx, at| {
            tx.execute(
                "INSERT OR IGNORE INTO form_definitions (hash, definition_json, first_used_at) VALUES (?1, ?2, ?3)",
                params![hash, definition_json, at],
            )?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![ACTIVE_FORM, hash],
            )?;
            Ok(())
        })
    }
}
