//! The breach record: what happened, when it was discovered, which records (found from the audit
//! log), the risk, and whether and when it was reported to the regulator. Managers only.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::audit::AuditKind;
use super::row_auth::{self, text_key};
use super::{Actor, OpenStore, StoreError};
use crate::rights::Risk;
use crate::vault::{Aad, random_id};

/// A breach as first recorded.
pub struct NewBreach {
    pub discovered_at: DateTime<Utc>,
    pub what_happened: String,
    /// The records concerned (patient or submission ids), e.g. from [`OpenStore::records_touched`].
    pub records: Vec<String>,
    pub risk: Risk,
}

#[derive(Clone, Default, Serialize, Deserialize)]
struct Details {
    what_happened: String,
    records: Vec<String>,
    regulator_reference: String,
}

/// One breach in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    pub id: String,
    pub discovered_at: DateTime<Utc>,
    pub recorded_by: String,
    pub risk: Risk,
    pub reported_at: Option<String>,
    pub what_happened: String,
    pub records: Vec<String>,
    pub regulator_reference: String,
}

fn details_aad(id: &str) -> Aad<'_> {
    Aad {
        table: "breaches",
        column: "sealed_details",
        row_id: id,
    }
}

impl OpenStore {
    /// Records a breach. Managers. Logged.
    pub fn record_breach(
        &self, actor: &Actor, breach: &NewBreach, now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let what = breach.what_happened.trim();
        if what.is_empty() || what.chars().count() > 4000 {
            return Err(StoreError::Invalid(
                "say what happened (4,000 characters at most)".into(),
            ));
        }
        if breach.discovered_at > now {
            return Err(StoreError::Invalid(
                "a breach cannot be discovered in the future".into(),
            ));
        }
        let id = random_id()?;
        let details = Details {
            what_happened: what.to_owned(),
            records: breach.records.clone(),
            regulator_reference: String::new(),
        };
        let sealed = super::seal_json(self.vault(), details_aad(&id), &details)?;
        self.managed_change(actor, AuditKind::BreachRecorded, &id, now, |tx, _| {
            row_auth::insert(
                tx,
                self.vault(),
                "breaches",
                &[
                    ("id", Value::Text(id.clone())),
                    (
                        "discovered_at",
                        Value::Text(breach.discovered_at.to_rfc3339()),
                    ),
                    ("recorded_by", Value::Text(actor.staff_id().to_owned())),
                    ("risk", Value::Text(breach.risk.as_str().to_owned())),
                    ("reported_at", Value::Null),
                    ("sealed_details", Value::Blob(sealed)),
                ],
            )
        })?;
        Ok(id)
    }

    /// Notes that a breach was reported to the regulator, with their reference. Managers. Logged.
    pub fn mark_breach_reported(
        &self, actor: &Actor, id: &str, reference: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let mut breach = self
            .breaches(actor)?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or(StoreError::NotFound)?;
        breach.regulator_reference = reference.trim().to_owned();
        let details = Details {
            what_happened: breach.what_happened,
            records: breach.records,
            regulator_reference: breach.regulator_reference,
        };
        let sealed = super::seal_json(self.vault(), details_aad(id), &details)?;
        let reported_at = breach.reported_at.clone();
        self.managed_change(actor, AuditKind::BreachUpdated, id, now, |tx, at| {
            row_auth::update_one(
                tx,
                self.vault(),
                "breaches",
                &text_key(id),
                &[
                    (
                        "reported_at",
                        Value::Text(reported_at.unwrap_or_else(|| at.to_owned())),
                    ),
                    ("sealed_details", Value::Blob(sealed)),
                ],
            )
        })
    }

    /// Every breach, newest discovery first. Managers.
    pub fn breaches(&self, actor: &Actor) -> Result<Vec<Breach>, StoreError> {
        actor.require_manager()?;
        let mut stmt = self.conn().prepare(
            "SELECT id, discovered_at, recorded_by, risk, reported_at, sealed_details FROM breaches ORDER BY discovered_at DESC",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            row_auth::check(self.conn(), self.vault(), "breaches", &text_key(&id))?;
            let discovered: String = r.get(1)?;
            let risk: String = r.get(3)?;
            let json = super::unseal(self.vault(), details_aad(&id), &r.get::<_, Vec<u8>>(5)?)?;
            let details: Details = serde_json::from_slice(&json)?;
            out.push(Breach {
                discovered_at: DateTime::parse_from_rfc3339(&discovered)
                    .map_err(|e| StoreError::Encoding(e.to_string()))?
                    .with_timezone(&Utc),
                risk: Risk::parse(&risk)
                    .ok_or_else(|| StoreError::Encoding(format!("risk {risk:?}")))?,
                recorded_by: r.get(2)?,
                reported_at: r.get(4)?,
                what_happened: details.what_happened,
                records: details.records,
                regulator_reference: details.regulator_reference,
                id,
            });
        }
        Ok(out)
    }

    /// The records a staff member (or anyone, with `None`) opened, looked up or exported between
    /// two times, from the audit log: which records a breach concerns. Managers.
    pub fn records_touched(
        &self, actor: &Actor, by: Option<&str>, from: DateTime<Utc>, to: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        actor.require_manager()?;
        let mut stmt = self.conn().prepare(
            "SELECT DISTINCT subject FROM audit_log
             WHERE at >= ?1 AND at <= ?2 AND (?3 IS NULL OR actor = ?3)
               AND kind IN ('record_viewed', 'patient_lookup', 'amended', 'consent_recorded')
               AND subject != '' ORDER BY subject",
        )?;
        let subjects: Vec<String> = stmt
            .query_map(params![from.to_rfc3339(), to.to_rfc3339(), by], |r| {
                r.get(0)
            })?
            .collect::<Result<_, _>>()?;
        // A look-up's subject lists every patient it found.
        let mut out: Vec<String> = subjects
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::to_owned)
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Whether any breach is known (cheap, for the home screen).
    pub fn has_breaches(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT 1 FROM breaches LIMIT 1", [], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
