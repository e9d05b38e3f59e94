//! The kiosk's bundles as it notes them: each number taken before its file is written, with the
//! length of the kiosk's log then; the forms it held once the file is on the medium; and where
//! the log stood at the previous bundle, for the next one to carry.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use rusqlite::types::Value;

use crate::store::audit::AuditKind;
use crate::store::row_auth::{self, text_key};
use crate::store::transfer::PriorCheckpoint;
use crate::store::writing::Writing;
use crate::store::{Actor, OpenStore, StoreError};

fn bundle_number(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Invalid("bundle number out of range".into()))
}

impl OpenStore {
    /// The sequence number the next bundle gets (1, 2, 3, …; never reused).
    pub fn next_bundle_seq(&self) -> Result<u64, StoreError> {
        let last: Option<i64> =
            self.conn()
                .query_row("SELECT MAX(seq) FROM export_bundles", [], |r| r.get(0))?;
        Ok(last.unwrap_or(0) as u64 + 1)
    }

    /// Takes number `seq` for a bundle about to be written for `desk_id` with this kiosk's log at
    /// `audit_length` entries, before its file is written (managers only). Taken whatever happens
    /// next: a file written but never noted (a crash between the two, the database busy) would
    /// otherwise have its number used again by another bundle, which the desk refuses, and the
    /// bundle after it name as its previous one a bundle the desk never took. Its forms are noted
    /// by [`Self::record_export`] once the file is on the medium; a number whose bundle turned
    /// out to hold nothing is given back by [`Self::drop_empty_bundle`].
    pub fn begin_export(
        &self, actor: &Actor, desk_id: &str, seq: u64, audit_length: u64, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let audit_length = i64::try_from(audit_length)
            .map_err(|_| StoreError::Invalid("audit length out of range".into()))?;
        let tx = Writing::begin(self.conn())?;
        row_auth::insert(
            &tx,
            self.vault(),
            "export_bundles",
            &[
                ("seq", Value::Integer(bundle_number(seq)?)),
                ("desk_id", Value::Text(desk_id.to_owned())),
                ("created_at", Value::Text(now.to_rfc3339())),
                ("submission_count", Value::Integer(0)),
                ("delivered_at", Value::Null),
                ("purged", Value::Integer(0)),
                ("audit_length", Value::Integer(audit_length)),
            ],
        )?;
        tx.commit(self.vault())
    }

    /// Gives back number `seq`, taken by [`Self::begin_export`] for a bundle that held nothing
    /// (no file was written).
    pub fn drop_empty_bundle(&self, actor: &Actor, seq: u64) -> Result<(), StoreError> {
        actor.require_manager()?;
        self.conn().execute(
            "DELETE FROM export_bundles WHERE seq = ?1 AND submission_count = 0",
            [bundle_number(seq)?],
        )?;
        Ok(())
    }

    /// Notes that bundle `seq` (taken by [`Self::begin_export`]) holding `ids` (this kiosk's own
    /// forms, as [`OutgoingRest::pending`](crate::store::OutgoingRest::pending) names them) is
    /// safely on the exchange medium; one transaction; logged.
    pub fn record_export(
        &self, actor: &Actor, seq: u64, ids: &[String], now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let subject = format!("bundle:{seq}");
        let seq = bundle_number(seq)?;
        self.managed_change(actor, AuditKind::Exported, &subject, now, |tx, at| {
            row_auth::update_one(
                tx,
                self.vault(),
                "export_bundles",
                &[Value::Integer(seq)],
                &[(
                    "submission_count",
                    Value::Integer(i64::try_from(ids.len()).unwrap_or(i64::MAX)),
                )],
            )?;
            // Named by `each_outgoing`, which checked each row as it read it for the bundle: a
            // kiosk's forms stay 'pending' in their rows (the marks say what left), so only
            // whether each is still there is asked here — from the id's index, without reading
            // the row past its sealed values again.
            for id in ids {
                if row_auth::exists(tx, "submissions", &text_key(id))? {
                    row_auth::put(
                        tx,
                        self.vault(),
                        "export_marks",
                        &[
                            ("submission_id", Value::Text(id.clone())),
                            ("bundle_seq", Value::Integer(seq)),
                            ("exported_at", Value::Text(at.to_owned())),
                        ],
                    )?;
                }
            }
            Ok(())
        })
    }

    /// The newest bundle written for `desk_id` whose log length was noted, with the chain tag
    /// this kiosk's log has at that length now (the row checked; the log read as it is): what
    /// the next bundle carries so that the desk, holding that bundle, can tell this log grew
    /// from the one it saw. A file put back from an older copy and used since holds another log
    /// past that point. `None` before the first such bundle. A log now shorter than it was at a
    /// bundle of its own was cut: refused.
    pub fn previous_checkpoint(
        &self, desk_id: &str,
    ) -> Result<Option<PriorCheckpoint>, StoreError> {
        let newest: Option<i64> = self.conn().query_row(
            "SELECT MAX(seq) FROM export_bundles WHERE desk_id = ?1 AND audit_length IS NOT NULL",
            [desk_id],
            |r| r.get(0),
        )?;
        let Some(seq) = newest else {
            return Ok(None);
        };
        let key = [Value::Integer(seq)];
        let row = row_auth::get(self.conn(), self.vault(), "export_bundles", &key)?
            .ok_or_else(|| StoreError::tampered("export_bundles", seq))?;
        let length = row
            .opt_int("audit_length")?
            .ok_or_else(|| StoreError::tampered("export_bundles", seq))?;
        let tag: Vec<u8> = self
            .conn()
            .query_row("SELECT tag FROM audit_log WHERE seq = ?1", [length], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::tampered("audit_log", length))?;
        let number = |n: i64, table| u64::try_from(n).map_err(|_| StoreError::tampered(table, n));
        Ok(Some(PriorCheckpoint {
            seq: number(seq, "export_bundles")?,
            length: number(length, "export_bundles")?,
            tag: crate::hex::encode(&tag),
        }))
    }
}
