//! This installation's sync identity: kiosk or desk, its id, and its private keys (sealed).
//! The keys are opaque bytes here; `sync` knows what they are.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use zeroize::Zeroizing;

use super::row_auth;
use super::{Actor, OpenStore, StoreError};
use crate::vault::Aad;

/// Which side of the sync this installation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncRole {
    Kiosk,
    Desk,
}

impl SyncRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncRole::Kiosk => "kiosk",
            SyncRole::Desk => "desk",
        }
    }

    /// The most page cache a store keeps for everyday work on this side, in KiB (SQLite grows
    /// it only as pages are read). The desk searches and opens years of records: 8 MiB. The
    /// kiosk holds one form at a time; what it reads again and again is small — staff home's
    /// list of the day's forms (about 70, each read whole to check its tag: well under 1 MB), a
    /// returning patient's blind-index look-up, and the B-tree paths a submit writes (about ten
    /// trees) — so 2 MiB holds its working set with room to spare, where 8 MiB only filled with pages of forms handed over
    /// long ago (memory that grew with the database for its first 10 MB).
    pub const fn page_cache_kib(self) -> i64 {
        match self {
            SyncRole::Desk => 8 * 1024,
            SyncRole::Kiosk => 2 * 1024,
        }
    }

    /// The page size a new database of this side is made with, in bytes. A stored form is
    /// about 2.4 KB (sealed answers and signature, both packed): two do not fit a 4 KiB page,
    /// so with SQLite's default every form took a page of its own, 40% of it empty, and the desk
    /// wrote those empty bytes twice (WAL, then checkpoint) at every import. At 16 KiB six fit:
    /// a smaller database and a faster import (README, "Where each target stands"). The kiosk
    /// keeps 4 KiB: a submit writes ten or so B-tree pages, each a whole page in the WAL, and at
    /// 16 KiB its durable commit took half as long again.
    pub const fn page_size(self) -> u32 {
        match self {
            SyncRole::Desk => 16 * 1024,
            SyncRole::Kiosk => 4 * 1024,
        }
    }
}

/// The identity as opened: the node id and the private key bytes (wiped when dropped).
pub struct SyncIdentity {
    pub role: SyncRole,
    pub node_id: String,
    pub secret: Zeroizing<Vec<u8>>,
}

fn keys_aad(node_id: &str) -> Aad<'_> {
    Aad {
        table: "sync_identity",
        column: "sealed_keys",
        row_id: node_id,
    }
}

impl OpenStore {
    pub fn sync_identity(&self) -> Result<Option<SyncIdentity>, StoreError> {
        let row: Option<(String, String, Vec<u8>)> = self
            .conn()
            .query_row(
                "SELECT role, node_id, sealed_keys FROM sync_identity WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((role, node_id, sealed)) = row else {
            return Ok(None);
        };
        super::row_auth::check(
            self.conn(),
            self.vault(),
            "sync_identity",
            &[rusqlite::types::Value::Integer(1)],
        )?;
        let role = match role.as_str() {
            "kiosk" => SyncRole::Kiosk,
            "desk" => SyncRole::Desk,
            _ => return Err(StoreError::tampered("sync_identity", 1)),
        };
        let secret = super::unseal(self.vault(), keys_aad(&node_id), &sealed)?;
        Ok(Some(SyncIdentity {
            role,
            node_id,
            secret,
        }))
    }

    /// Gives this installation new sync keys under a new id in place of the old ones, which are
    /// gone (managers only). For a kiosk its desk will not take again: revoked there (for ever,
    /// by design), or restored from a backup (it numbers its bundles and writes its log from the
    /// backup's state, which the desk refuses as another history). Any live desk link is revoked in the
    /// same transaction: the desk knows the old id only, so the tablet pairs again as a new kiosk.
    /// Its forms the desk has not acknowledged go out again under the new id (the desk takes
    /// each form once, by its id). Logged with the old id. Returns the old id.
    pub fn renew_sync_identity(
        &self, actor: &Actor, node_id: &str, secret: &[u8], now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        actor.require_manager()?;
        let old = self.sync_identity()?.ok_or(StoreError::NotFound)?;
        if old.node_id == node_id {
            return Err(StoreError::Invalid("the new sync id is the old one".into()));
        }
        let sealed = self.vault().seal(keys_aad(node_id), secret)?;
        let subject = format!(
            "sync_identity:{}:renewed:{}",
            old.role.as_str(),
            old.node_id
        );
        self.settings_change(actor, &subject, now, |tx, at| {
            super::outbound::revoke_live_desks(tx, self.vault(), at)?;
            row_auth::update_one(
                tx,
                self.vault(),
                "sync_identity",
                &[Value::Integer(1)],
                &[
                    ("node_id", Value::Text(node_id.to_owned())),
                    ("sealed_keys", Value::Blob(sealed)),
                    ("created_at", Value::Text(at.to_owned())),
                ],
            )
        })?;
        Ok(old.node_id)
    }

    /// Stores this installation's sync keys, once (managers only); logged.
    pub fn create_sync_identity(
        &self, actor: &Actor, role: SyncRole, node_id: &str, secret: &[u8], now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let sealed = self.vault().seal(keys_aad(node_id), secret)?;
        let subject = format!("sync_identity:{}", role.as_str());
        self.settings_change(actor, &subject, now, |tx, at| {
            let inserted = row_auth::insert_if_absent(
                tx,
                self.vault(),
                "sync_identity",
                &[
                    ("id", Value::Integer(1)),
                    ("role", Value::Text(role.as_str().to_owned())),
                    ("node_id", Value::Text(node_id.to_owned())),
                    ("sealed_keys", Value::Blob(sealed)),
                    ("created_at", Value::Text(at.to_owned())),
                ],
            )?;
            if !inserted {
                return Err(StoreError::AlreadySetUp);
            }
            Ok(())
        })
    }
}
