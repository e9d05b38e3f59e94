//! Data-key rotation: a new random data key, and everything that depends on the old one written
//! again under it, in one SQLite transaction.
//!
//! What depends on the data key: every sealed value (AES-GCM under the field key, bound to its
//! table, column and row), every row tag (row MAC), the patients' blind indexes, the consent
//! chain heads (folded with the row MAC), the audit chain (audit MAC) and its head, and every key
//! wrap (each seals the data key itself). All of it is checked under the old key first (a
//! tampered row stops the rotation; it is never re-tagged as if it were sound), then written
//! under the new key. PIN hashes cannot be recomputed without the PINs: the PIN pepper is carried
//! over, sealed under the new key (see `vault::rotate`).
//!
//! Crash safety: one transaction. SQLite's WAL makes it atomic: a crash (SIGKILL, power) at any
//! point leaves the database as it was before (old key, old wraps) or as it is after (new key,
//! new wraps), never a mix; the next open rolls an unfinished transaction back by itself.
//! The append-only triggers are lifted inside the transaction and put back before it commits.
//!
//! After the commit the WAL is checkpointed and truncated and `secure_delete` has zeroed the
//! old cells, so the file holds nothing the old data key opens (when another connection holds
//! the WAL, [`Rotation::cleared`] says so, and the next open finishes the job).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use super::audit::{self, AuditKind};
use super::patient_records::form_seals::{FORMS_SUM, Seals};
use super::patient_records::{CONSENT_HEAD, IDENTITY_MAC, STATE, identity_hash};
use super::row_auth;
use super::staff_admin::{StaffAdminError, StaffListing};
use super::submissions::LEDGER_TABLES;
use super::{Actor, OpenStore, StoreError, WalCheckpoint};
use crate::forms::PatientIdentity;
use crate::staff::Role;
use crate::store::writing::Writing;
use crate::vault::{Aad, KeyWrap, Passphrase, RecoveryKey, Vault};

/// The outcome of a rotation.
pub struct Rotation {
    /// Rows and audit entries written again under the new key.
    pub rows: u64,
    /// The new recovery key, to print now: the old one no longer opens this database.
    pub recovery_key: RecoveryKey,
    /// Whether the WAL could be emptied of old copies.
    pub cleared: WalCheckpoint,
}

/// A manager whose current passphrase a data-key rotation needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationSigner {
    pub staff_id: String,
    pub name: String,
    /// The manager asking for the rotation.
    pub me: bool,
}

/// Whose passphrases a data-key rotation needs: one per active manager (each one's key wrap is
/// made again under the new key, and only their own passphrase can make it), the manager `me`
/// first, then the others in `staff`'s order. Retired staff and other roles hold no wrap and are
/// never asked. The one rule the store's rotation checks and every entrance (the kiosk's panel,
/// the desk's screen, `rotate-key`) asks by.
pub fn rotation_signers(staff: &[StaffListing], me: &str) -> Vec<RotationSigner> {
    let mut signers: Vec<RotationSigner> = staff
        .iter()
        .filter(|s| s.active && s.role == Role::Manager)
        .map(|s| RotationSigner {
            staff_id: s.id.clone(),
            name: s.name.clone(),
            me: s.id == me,
        })
        .collect();
    // Stable: the others keep their order.
    signers.sort_by_key(|s| !s.me);
    signers
}

fn pepper_aad() -> Aad<'static> {
    Aad {
        table: "installation",
        column: "sealed_pin_pepper",
        row_id: "1",
    }
}

/// Takes the PIN pepper an earlier rotation carried over, if any (at every unlock).
pub(super) fn adopt_pin_pepper(conn: &Connection, vault: &mut Vault) -> Result<(), StoreError> {
    let sealed: Option<Vec<u8>> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT sealed_pin_pepper FROM installation WHERE id = 1",
        [],
        |r| r.get(0),
    ))?
    .flatten();
    if let Some(sealed) = sealed {
        vault
            .adopt_pin_pepper(pepper_aad(), &sealed)
            .map_err(|_| StoreError::tampered("installation", 1))?;
    }
    Ok(())
}

/// The row id a table's sealed values are bound to (see each table's `*_aad`).
fn aad_row_id(table: &str, values: &[(&str, Value)]) -> Result<String, StoreError> {
    let column = match table {
        "sync_identity" => "node_id",
        _ => "id",
    };
    match values.iter().find(|(n, _)| *n == column).map(|(_, v)| v) {
        Some(Value::Text(t)) => Ok(t.clone()),
        Some(Value::Integer(i)) => Ok(i.to_string()),
        _ => Err(StoreError::Encoding(format!(
            "internal: {table} has no row id for its sealed values"
        ))),
    }
}

/// Tables in the order they are rewritten: the consent ledger's, in chain order, the patients and
/// their forms, then the visit states (a patient's consent head folds the ledger rows' new tags,
/// the hash of their identity and the sum of their forms' seals are taken under the new key).
/// The audit head and the key wraps are written apart, as is the audit log.
fn table_order() -> Vec<&'static str> {
    let mut tables: Vec<&'static str> = row_auth::tagged_tables()
        .into_iter()
        .filter(|t| !matches!(*t, "audit_head" | "key_wraps"))
        .collect();
    // The ledger first (its new tags make the consent heads), the patients and forms, then the
    // visit states that hold the heads and hashes.
    tables.sort_by_key(|t| match LEDGER_TABLES.iter().position(|l| l == t) {
        Some(chain_order) => chain_order,
        None if matches!(*t, "patients" | "submissions") => LEDGER_TABLES.len(),
        None if *t == STATE => LEDGER_TABLES.len() + 1,
        None => LEDGER_TABLES.len() + 2,
    });
    tables
}

/// The blind-index keys a patient's stored index may have been made from (see `patients`,
/// `merge`): the one the old key produced is made again under the new key.
fn index_candidates(id: &str, identity: &PatientIdentity, column: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(3);
    if column == "lookup_index" {
        if let Ok(key) = identity.lookup_key() {
            out.push(key);
        }
        out.push(format!("no-postcode\x1f{id}"));
        out.push(format!("merged\x1f{id}"));
    } else {
        if let Ok(key) = identity.name_dob_key() {
            out.push(key);
        }
        out.push(format!("merged-name\x1f{id}"));
    }
    out
}

fn reindex(
    old: &Vault, new: &Vault, id: &str, identity: &PatientIdentity, column: &str, stored: &Value,
) -> Result<Value, StoreError> {
    let Value::Blob(stored) = stored else {
        return Err(StoreError::tampered("patients", id));
    };
    index_candidates(id, identity, column)
        .into_iter()
        .find(|key| crate::vault::constant_time_eq(&old.blind_index(key), stored))
        .map(|key| Value::Blob(new.blind_index(&key).to_vec()))
        .ok_or_else(|| StoreError::tampered("patients", id))
}

struct Rekey<'a> {
    conn: &'a Connection,
    old: &'a Vault,
    new: &'a Vault,
    done: u64,
    total: u64,
    progress: &'a mut dyn FnMut(u64, u64),
    /// Each patient's consent ledger rows' new tags, in chain order.
    event_tags: HashMap<String, Vec<[u8; 32]>>,
    /// Each patient's identity hash under the new key.
    identity_macs: HashMap<String, Value>,
    /// Each patient's sum of their forms' seals, sealed again under the new key.
    form_seals: HashMap<String, Seals>,
}

impl Rekey<'_> {
    fn tick(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(256) || self.done == self.total {
            (self.progress)(self.done, self.total);
        }
    }

    fn table(&mut self, table: &'static str) -> Result<(), StoreError> {
        let sealed_columns = row_auth::sealed_columns(table)?;
        let mut rows: Vec<Vec<(&'static str, Value)>> = row_auth::all(self.conn, self.old, table)?
            .into_iter()
            .map(row_auth::Row::into_values)
            .collect();
        if LEDGER_TABLES.contains(&table) {
            rows.sort_by_key(|values| match values.iter().find(|(n, _)| *n == "seq") {
                Some((_, Value::Integer(seq))) => *seq,
                _ => i64::MAX,
            });
        }
        let select_sealed = if sealed_columns.is_empty() {
            None
        } else {
            Some(sealed_select(table, sealed_columns)?)
        };
        for mut values in rows {
            let key = row_auth::key_values(table, &values)?;
            let mut changed: Vec<&'static str> = Vec::new();
            let mut identity: Option<PatientIdentity> = None;
            if let Some(sql) = &select_sealed {
                let row_id = aad_row_id(table, &values)?;
                let sealed: Vec<Option<Vec<u8>>> = self.conn.prepare_cached(sql)?.query_row(
                    rusqlite::params_from_iter(key.iter()),
                    |r| {
                        (0..sealed_columns.len())
                            .map(|i| r.get(i))
                            .collect::<Result<_, _>>()
                    },
                )?;
                for (column, value) in sealed_columns.iter().zip(sealed) {
                    let column: &'static str = column.as_str();
                    if table == "installation" && column == "sealed_pin_pepper" {
                        continue;
                    }
                    let Some(value) = value else { continue };
                    let aad = Aad {
                        table,
                        column,
                        row_id: &row_id,
                    };
                    let plain = super::unseal(self.old, aad, &value)?;
                    if table == "patients" {
                        identity = Some(serde_json::from_slice(&plain)?);
                    }
                    let resealed = self.new.seal(aad, &plain)?;
                    values.push((column, Value::Blob(resealed)));
                    changed.push(column);
                }
            }
            match table {
                "patients" => self.patient(&mut values, &mut changed, identity.as_ref())?,
                "submissions" => self.form(&values)?,
                STATE => self.visit_state(&mut values, &mut changed)?,
                "installation" => {
                    values.push((
                        "sealed_pin_pepper",
                        Value::Blob(self.new.seal_pin_pepper(pepper_aad())?),
                    ));
                    changed.push("sealed_pin_pepper");
                }
                _ => {}
            }
            let tag = row_auth::rewrite(self.conn, self.new, table, &key, &values, &changed)?;
            if LEDGER_TABLES.contains(&table) {
                let patient = match values.iter().find(|(n, _)| *n == "patient_id") {
                    Some((_, Value::Text(p))) => p.clone(),
                    _ => return Err(StoreError::tampered(table, format!("{key:?}"))),
                };
                self.event_tags.entry(patient).or_default().push(tag);
            }
            self.tick();
        }
        Ok(())
    }

    /// Adds a form's seal, sealed again under the new key, to its patient's sum.
    fn form(&mut self, values: &[(&'static str, Value)]) -> Result<(), StoreError> {
        let text = |column: &str| match values.iter().find(|(n, _)| *n == column) {
            Some((_, Value::Text(t))) => Ok(t.as_str()),
            _ => Err(StoreError::tampered("submissions", "(no id or patient)")),
        };
        let blob = |column: &str| match values.iter().find(|(n, _)| *n == column) {
            Some((_, Value::Blob(b))) => Ok(b.as_slice()),
            _ => Err(StoreError::tampered("submissions", text("id")?)),
        };
        let (id, patient) = (text("id")?, text("patient_id")?);
        let seal = Seals::of_form(
            self.new,
            id,
            blob("sealed_answers")?,
            blob("sealed_signature")?,
        );
        let sum = self.form_seals.entry(patient.to_owned()).or_default();
        *sum = sum.plus(seal);
        Ok(())
    }

    /// A patient's consent head, the hash of their identity and the sum of their forms' seals,
    /// made again under the new key.
    fn visit_state(
        &mut self, values: &mut [(&'static str, Value)], changed: &mut Vec<&'static str>,
    ) -> Result<(), StoreError> {
        let id = match values.iter().find(|(n, _)| *n == "patient_id") {
            Some((_, Value::Text(id))) => id.clone(),
            _ => return Err(StoreError::tampered(STATE, "(no patient)")),
        };
        let head = self.event_tags.remove(&id).map(|tags| {
            tags.iter().fold(Vec::new(), |head, tag| {
                row_auth::consent_head(self.new, &head, tag, row_auth::STATE_HASH_BYTES)
            })
        });
        for (name, value) in values.iter_mut() {
            match *name {
                CONSENT_HEAD => {
                    *value = head.clone().map_or(Value::Null, Value::Blob);
                    changed.push(name);
                }
                IDENTITY_MAC => {
                    *value = self.identity_macs.remove(&id).unwrap_or(Value::Null);
                    changed.push(name);
                }
                FORMS_SUM => {
                    *value = self.form_seals.remove(&id).unwrap_or_default().value();
                    changed.push(name);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A patient's blind indexes, made again under the new key, and the hash of their identity.
    fn patient(
        &mut self, values: &mut [(&'static str, Value)], changed: &mut Vec<&'static str>,
        identity: Option<&PatientIdentity>,
    ) -> Result<(), StoreError> {
        let id = match values.iter().find(|(n, _)| *n == "id") {
            Some((_, Value::Text(id))) => id.clone(),
            _ => {
                return Err(StoreError::Encoding(
                    "internal: a patient without id".into(),
                ));
            }
        };
        let identity = identity.ok_or_else(|| StoreError::tampered("patients", &id))?;
        let mac = identity_hash(self.new, &id, identity)?;
        self.identity_macs.insert(id.clone(), mac);
        for (name, value) in values.iter_mut() {
            if matches!(*name, "lookup_index" | "name_dob_index") {
                *value = reindex(self.old, self.new, &id, identity, name, value)?;
                changed.push(name);
            }
        }
        Ok(())
    }
}

/// `SELECT <sealed…> FROM table WHERE <key> = ?…`
fn sealed_select(table: &str, sealed: &[String]) -> Result<String, StoreError> {
    let where_key = row_auth::key_condition(row_auth::key_columns(table)?, 1);
    let list = sealed
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(format!("SELECT {list} FROM \"{table}\" WHERE {where_key}"))
}

/// Lifts every trigger (the append-only rules) for the rotation; returns their SQL to put back.
fn lift_triggers(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let triggers: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

impl OpenStore {
    /// Rotates the data key (a manager's act). `passphrases` must hold the current passphrase
    /// of every active manager (the actor's included, in any order): each manager's wrap is
    /// made again under the new key with their same passphrase. A new recovery key replaces the
    /// old one. `progress` hears (done, total) now and then.
    ///
    /// A copy of the database taken before the rotation still opens with the old passphrases
    /// and the old recovery key: replace old backups after a rotation.
    pub fn rotate_data_key(
        &mut self, actor: &Actor, passphrases: &[Passphrase], now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Rotation, StaffAdminError> {
        actor.require_manager()?;
        let managers = rotation_signers(&self.all_staff(actor)?, actor.staff_id());
        let wraps = self.checked_key_wraps()?;
        let mut owners: Vec<(String, &Passphrase)> = Vec::with_capacity(managers.len());
        for manager in &managers {
            let wrap = wraps.iter().find(|w| w.label == manager.staff_id);
            let mut found = None;
            if let Some(wrap) = wrap {
                for passphrase in passphrases {
                    if self.vault().passphrase_opens(wrap, passphrase)? {
                        found = Some(passphrase);
                        break;
                    }
                }
            }
            let Some(passphrase) = found else {
                return Err(StaffAdminError::PassphraseNeeded {
                    staff_id: manager.staff_id.clone(),
                    name: manager.name.clone(),
                });
            };
            owners.push((manager.staff_id.clone(), passphrase));
        }
        let new = self.vault().rotated()?;
        let mut new_wraps: Vec<KeyWrap> = Vec::with_capacity(owners.len() + 1);
        for (id, passphrase) in &owners {
            new_wraps.push(new.wrap_with_passphrase(id, passphrase)?);
        }
        let (recovery_wrap, recovery_key) = new.wrap_with_new_recovery_key()?;
        new_wraps.push(recovery_wrap);

        let rows = self.rewrite_under(&new, &new_wraps, actor, now, progress)?;
        self.replace_vault(new);
        let cleared = self.store.checkpoint()?;
        Ok(Rotation {
            rows,
            recovery_key,
            cleared,
        })
    }

    /// The transaction of a rotation: everything checked under the current key and written
    /// under `new`, the wraps replaced, the triggers put back, the rotation audited.
    fn rewrite_under(
        &self, new: &Vault, new_wraps: &[KeyWrap], actor: &Actor, now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64, StoreError> {
        let tx = Writing::begin(self.conn())?;
        let tables = table_order();
        let mut total: i64 = tx.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
        for table in &tables {
            let n: i64 = tx.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })?;
            total += n;
        }
        let total = u64::try_from(total).unwrap_or(0);
        super::submissions::check_every_consent_chain(&tx, self.vault())?;
        super::patient_records::check_every_list(&tx, self.vault())?;
        let triggers = lift_triggers(&tx)?;
        let mut rekey = Rekey {
            conn: &tx,
            old: self.vault(),
            new,
            done: 0,
            total,
            progress,
            event_tags: HashMap::new(),
            identity_macs: HashMap::new(),
            form_seals: HashMap::new(),
        };
        for table in tables {
            rekey.table(table)?;
        }
        let mut entries_done = 0u64;
        audit::rekey(&tx, self.vault(), new, &mut || entries_done += 1)?;
        rekey.done += entries_done;
        (rekey.progress)(rekey.done, rekey.total);
        let rows = rekey.done;
        row_auth::check_all(&tx, self.vault(), "key_wraps")?;
        tx.execute("DELETE FROM key_wraps", [])?;
        for wrap in new_wraps {
            super::put_key_wrap(&tx, new, wrap)?;
        }
        // The digests of the tables a decision reads whole, taken again over the new tags.
        row_auth::census::reseal(&tx, new)?;
        for sql in triggers {
            tx.execute_batch(&sql)?;
        }
        audit::append(
            &tx,
            new,
            &now.to_rfc3339(),
            actor.staff_id(),
            AuditKind::DataKeyRotated,
            &rows.to_string(),
        )?;
        tx.commit(new)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(id: &str, role: Role, active: bool) -> StaffListing {
        StaffListing {
            id: id.into(),
            name: format!("name of {id}"),
            role,
            active,
        }
    }

    #[test]
    fn one_passphrase_per_active_manager_the_asking_one_first() {
        let staff = [
            listing("anna", Role::Manager, true),
            listing("bert", Role::Reception, true),
            listing("carl", Role::Manager, false),
            listing("dora", Role::Clinician, true),
            listing("emil", Role::Manager, true),
            listing("fay", Role::Manager, true),
        ];
        let signers = rotation_signers(&staff, "emil");
        let ids: Vec<(&str, bool)> = signers
            .iter()
            .map(|s| (s.staff_id.as_str(), s.me))
            .collect();
        assert_eq!(ids, [("emil", true), ("anna", false), ("fay", false)]);
        assert_eq!(signers[1].name, "name of anna");
        // Someone who is not an active manager asks nothing of themselves.
        let ids: Vec<String> = rotation_signers(&staff, "bert")
            .into_iter()
            .map(|s| s.staff_id)
            .collect();
        assert_eq!(ids, ["anna", "emil", "fay"]);
    }
}
