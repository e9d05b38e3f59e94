//! The clinic's active form definition. Definitions are not patient data: they are stored in the
//! clear, once per content hash (the same table old submissions read their form from), and the
//! active one is named by its hash in `settings`. Both rows are authenticated, and a definition
//! must match its hash: a form slipped into the file is refused, never shown to a patient.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::open_store::put_setting;
use super::row_auth::{self, text_key};
use super::submissions::store_form_definition;
use super::{Actor, OpenStore, StoreError};
use crate::vault::Vault;

const ACTIVE_FORM: &str = "active_form";

/// The stored definition with this hash, checked (row tag and content hash); `None` if absent.
pub(super) fn stored_definition(
    conn: &Connection, vault: &Vault, hash: &str,
) -> Result<Option<String>, StoreError> {
    let Some(row) = row_auth::get(conn, vault, "form_definitions", &text_key(hash))? else {
        return Ok(None);
    };
    let json = row.text("definition_json")?;
    if crate::vault::content_hash(json.as_bytes()) != hash {
        return Err(StoreError::tampered("form_definitions", hash));
    }
    Ok(Some(json))
}

impl OpenStore {
    /// The active definition as (hash, canonical JSON), if a manager has chosen one.
    pub fn active_form(&self) -> Result<Option<(String, String)>, StoreError> {
        let Some(hash) = self.setting(ACTIVE_FORM)? else {
            return Ok(None);
        };
        let json = stored_definition(self.conn(), self.vault(), &hash)?
            .ok_or_else(|| StoreError::tampered("settings", ACTIVE_FORM))?;
        Ok(Some((hash, json)))
    }

    /// The definition most recently first used by a submission (the desk has no active form of
    /// its own): (hash, canonical JSON).
    pub fn latest_form(&self) -> Result<Option<(String, String)>, StoreError> {
        let hash: Option<String> = self
            .conn()
            .query_row(
                "SELECT hash FROM form_definitions ORDER BY first_used_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(hash) = hash else {
            return Ok(None);
        };
        let json = stored_definition(self.conn(), self.vault(), &hash)?
            .ok_or_else(|| StoreError::tampered("form_definitions", &hash))?;
        Ok(Some((hash, json)))
    }

    /// Makes a checked definition the one every new handover uses (managers only); logged with
    /// the definition's hash. One transaction: a failure leaves the previous form active.
    pub fn activate_form(
        &self, actor: &Actor, hash: &str, definition_json: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let subject = format!("form:{hash}");
        self.settings_change(actor, &subject, now, |tx, at| {
            store_form_definition(tx, self.vault(), hash, definition_json, at)?;
            put_setting(tx, self.vault(), ACTIVE_FORM, hash)
        })
    }
}
