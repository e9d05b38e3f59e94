//! The census: how many rows each table that only grows holds, which settings were ever
//! written, and a keyed digest of each small table whose rows change in place, kept in the
//! installation row (so under its tag) and updated with every row written.
//!
//! A row deleted by hand leaves no tag behind to fail, and in these tables a missing row changes
//! a decision: a deleted setting brings its default back (a stored 15 years' retention becomes 8,
//! and records are erased early); deleted import and erasure lists let an old bundle be imported
//! again and bring an erased patient back; a deleted breach or rights request hides it from the
//! registers and their clocks. The census notices: it is checked at every unlock and by
//! `verify`, and the import checks its lists before it trusts them.
//!
//! A row put back from an older copy of the same database carries a tag that still matches (the tag
//! says who wrote a row, not when). In the small tables a decision reads whole ([`DIGESTED`]: key
//! wraps, staff, settings, the sync identity and links, the registers, the pairing offers) that
//! would undo a change: a retired member's or a demoted manager's row brought back, a PIN lockout
//! lifted, an old passphrase's key wrap opening the data key again, a revoked kiosk trusted again,
//! a setting set back, a withdrawn pairing code pairing again. Each such table's digest — a MAC
//! over its rows' tags — is written with every change to it, so a row from before no longer agrees
//! with it. Two large tables have a few rows that decisions read as a set ([`FewRows`]): the
//! restricted patients' visit states and the patients whose record is held for erasure; each set is
//! kept as a digest of its keys and marks, so a visit state put back from before a restriction, or
//! a patient's row from before an erasure request, no longer agrees ([`few_rows`]). The visit
//! states as a whole — each holds the heads of its patient's chains, so one put back with the rows
//! after it deleted undoes a withdrawal or takes a form away unseen — are kept as a keyed sum of
//! their tags ([`row_sums`]), added to as they are written. The audit log's length is kept too
//! ([`audit_length`]): a log cut back with an older head put back no longer agrees. Sign-in checks
//! the staff digest, the sum (unless no other connection has written since it last did: [`seen`])
//! and the log's length, every import the kiosks' links and both sets, every marketing list both
//! sets and the sum, the kiosk's desk look-up its link and identity, every read of its pairing
//! offer the offers, every unlock and `verify` all of them.
//!
//! Invariants: the app never deletes a row of the counted tables; every row added goes through
//! [`super::insert`] or [`super::put`], which note it here in the same transaction; every write
//! of a digested table (those, [`super::update`], or a delete followed by [`note_changed`]) runs
//! in a transaction that also writes its digest (a write outside one is refused: a crash between
//! the two would leave a sound database that reads as edited); every write of a summed table runs
//! in a store transaction (`store::writing`), which adds to the sum as it commits, as it writes
//! the log's length after any entry the transaction appended. A database
//! written before the census, or before its digests or sums, gets them, once, at its first unlock
//! from what it holds (as rows got their tags); from then on the census column is covered by the
//! installation row's tag.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use super::pending::{self, Held};
use super::{Row, get, row_sums, update, update_checked};
pub(in crate::store) use audit_length::AUDIT_LOG;
use few_rows::{FEW_ROWS, few_digest, few_digest_of};
pub(in crate::store) use few_rows::{note_held_for_erasure, note_restricted};

mod audit_length;
mod few_rows;
mod seen;
mod shape;
use crate::store::StoreError;
use crate::vault::Vault;
pub(in crate::store) use seen::SumsSeen;
use shape::{
    AUDIT_SHAPE, EVENTS_SHAPE, OFFERS_SHAPE, SHAPE, SUMS_SHAPE, TABLE_DIGESTS_SHAPE, digested_from,
};

/// Tables whose rows are counted: the app only ever adds to them.
const COUNTED: &[&str] = &[
    "imported_bundles",
    "erased_submissions",
    "breaches",
    "rights_requests",
    "kiosk_security_events",
];

/// Small tables whose rows change in place and that decisions read whole, each kept as a digest
/// of its rows' tags: a row replaced by an older copy of itself no longer agrees with it.
const DIGESTED: &[&str] = &[
    "key_wraps",
    "staff",
    "settings",
    "sync_identity",
    "desk_link",
    "kiosk_links",
    "rights_requests",
    "breaches",
    OFFERS,
];

/// The kiosk's pairing offers, digested from [`OFFERS_SHAPE`]: an offer withdrawn (its code
/// shown to the wrong desk, or photographed) or used, put back from an older copy, would let its
/// code pair again until it expires.
pub(in crate::store) const OFFERS: &str = "pairing_offers";

/// The name the keyed sum of every visit state is kept and checked under ([`row_sums`]): a
/// visit state put back from an older copy (a withdrawal undone with its ledger row deleted, a
/// form taken off a chain), deleted or added by hand no longer agrees. Checked by reading every
/// visit state's tag: at unlock, by `verify` and before every marketing list.
pub(in crate::store) const VISIT_STATES: &str = "visit_state rows";

/// The name a summed table's sum is kept and checked under.
fn sum_name(table: &str) -> String {
    format!("{table} rows")
}

/// The name the digest of the restricted patients is kept and checked under: each restricted
/// visit state's patient and since when, from the large `visit_state` table's few restricted rows
/// (migration 16's partial index). A state put back from before a restriction (or after it was
/// lifted) changes who is restricted; any other change of a visit state leaves it alone.
pub(in crate::store) const RESTRICTED: &str = "visit_state";

/// The name the digest of the records held for erasure is kept and checked under: each held
/// patient and since when they asked, from the large `patients` table's few held rows
/// (migration 12's partial index). A patient's row put back from before their request would
/// bring their erasure undone: a later form joining the record with everything the erasure took
/// away, their marketing decisions back with an old chain.
pub(in crate::store) const HELD_FOR_ERASURE: &str = "patients";

/// The table whose keys are listed (each setting ever written; a handful).
const LISTED: &str = "settings";

/// What an import trusts: what was imported, which forms were erased, the kiosks' links (a
/// revoked kiosk's row put back from before its revocation would be trusted again), who is
/// restricted (a restricted record's forms are not handed on) and whose record is held for
/// erasure (a late form joins it under the erasure's rules).
pub(in crate::store) const IMPORT_LISTS: &[&str] = &[
    "imported_bundles",
    "erased_submissions",
    "kiosk_links",
    RESTRICTED,
    HELD_FOR_ERASURE,
];

/// What a marketing list trusts: who is restricted (never marketed to), whose record is held
/// for erasure (their marketing decisions were taken away) and every visit state (the heads of
/// the consent chains it reads: one put back from before a withdrawal lists the patient again).
pub(in crate::store) const MARKETING_LISTS: &[&str] = &[RESTRICTED, HELD_FOR_ERASURE, VISIT_STATES];

/// What an export trusts: the kiosk's own sync identity and the desk it seals forms to.
pub(in crate::store) const EXPORT_LISTS: &[&str] = &["sync_identity", "desk_link"];

/// What sign-in trusts: the staff's rows (role, PIN, failures, retired or not). And every visit
/// state and the audit log's length: not for the sign-in itself, but so that a visit state put
/// back while the app was open (a withdrawal undone), or the log cut back, is refused at the next
/// sign-in, before any record is opened (reading the visit states takes ~20 ms at 100,000
/// patients).
pub(in crate::store) const SIGN_IN_LISTS: &[&str] = &["staff", VISIT_STATES, AUDIT_LOG];

/// Domain of a table digest's MAC: no row's canonical encoding starts with it.
const DIGEST_DOMAIN: &[u8] = b"intake-kiosk/table-digest/1\0";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::store) struct Census {
    counts: BTreeMap<String, u64>,
    settings: BTreeSet<String>,
    /// [`SHAPE`] when written; absent (0) in a census from before it.
    #[serde(default)]
    shape: u32,
    /// Each [`DIGESTED`] table's digest (hex), [`RESTRICTED`]'s and [`HELD_FOR_ERASURE`]'s, and
    /// each summed table's sum ([`VISIT_STATES`]); one not named has had no row since the digests
    /// were first taken: its digest is that of no rows, its sum zero. Absent before shape 2
    /// ([`RESTRICTED`] before shape 3, [`HELD_FOR_ERASURE`] before 4, the sums before 5).
    #[serde(default)]
    digests: BTreeMap<String, String>,
}

impl Census {
    /// The census of a new database: nothing in any table.
    pub(in crate::store) fn empty_json() -> String {
        let census = Census {
            shape: SHAPE,
            ..Census::default()
        };
        serde_json::to_string(&census).expect("a census always serialises")
    }
}

const INSTALLATION: [Value; 1] = [Value::Integer(1)];

/// The census as the installation row holds it: `None` before the installation row exists,
/// `Some(None)` for a database from before the census.
fn stored(conn: &Connection, vault: &Vault) -> Result<Option<Option<Census>>, StoreError> {
    Ok(stored_in_row(conn, vault)?.map(|(_, census)| census))
}

/// [`stored`], with the installation row it was read from (checked): for a write that follows,
/// which then need not read the row again ([`store_over`]).
fn stored_in_row(
    conn: &Connection, vault: &Vault,
) -> Result<Option<(Row, Option<Census>)>, StoreError> {
    let Some(row) = get(conn, vault, "installation", &INSTALLATION)? else {
        return Ok(None);
    };
    let Some(json) = row.opt_text("census")? else {
        return Ok(Some((row, None)));
    };
    let census =
        serde_json::from_str(&json).map_err(|_| StoreError::tampered("installation", "census"))?;
    Ok(Some((row, Some(census))))
}

/// How many rows `table` holds.
fn count(conn: &Connection, table: &str) -> Result<u64, StoreError> {
    let count: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
        r.get(0)
    })?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Every setting key written.
fn setting_keys(conn: &Connection) -> Result<BTreeSet<String>, StoreError> {
    let mut keys = conn.prepare_cached("SELECT key FROM settings")?;
    let keys = keys
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    Ok(keys)
}

/// The digest of a [`DIGESTED`] table: a MAC under the row key over its rows' tags, sorted (so
/// the order rows are read in does not matter; each tag already covers its row's key).
fn digest(conn: &Connection, vault: &Vault, table: &str) -> Result<String, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT row_tag FROM \"{table}\""))?;
    let mut tags = stmt
        .query_map([], |r| r.get::<_, Option<Vec<u8>>>(0))?
        .map(|tag| tag.map(Option::unwrap_or_default))
        .collect::<Result<Vec<Vec<u8>>, _>>()?;
    tags.sort_unstable();
    let mut message = Vec::with_capacity(DIGEST_DOMAIN.len() + table.len() + 1 + 33 * tags.len());
    message.extend_from_slice(DIGEST_DOMAIN);
    message.extend_from_slice(table.as_bytes());
    message.push(0);
    for tag in &tags {
        // A tag is 32 bytes; a longer value (an edit) is cut to its length's low byte, and its
        // own check fails anyway.
        message.push(tag.len() as u8);
        message.extend_from_slice(tag);
    }
    Ok(crate::hex::encode(&vault.row_tag(&message)))
}

/// What the tables hold now.
fn taken(conn: &Connection, vault: &Vault) -> Result<Census, StoreError> {
    let mut census = Census {
        shape: SHAPE,
        settings: setting_keys(conn)?,
        ..Census::default()
    };
    for table in COUNTED {
        census
            .counts
            .insert((*table).to_owned(), count(conn, table)?);
    }
    census.counts.insert(
        AUDIT_LOG.to_owned(),
        audit_length::head_length(conn, vault)?,
    );
    census.digests = digests(conn, vault)?;
    Ok(census)
}

/// Every [`DIGESTED`] table's digest as its rows are now, each of the [`FEW_ROWS`]' and each
/// summed table's sum ([`sums_now`]).
fn digests(conn: &Connection, vault: &Vault) -> Result<BTreeMap<String, String>, StoreError> {
    let mut digests = DIGESTED
        .iter()
        .map(|table| Ok(((*table).to_owned(), digest(conn, vault, table)?)))
        .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
    for few in FEW_ROWS {
        digests.insert(few.table.to_owned(), few_digest(conn, vault, few)?);
    }
    digests.extend(sums_now(conn, vault)?);
    Ok(digests)
}

/// Each summed table's sum as its rows are now (hex, under its [`sum_name`]). What the open
/// transaction's writes noted so far is in it, so it is forgotten: only later writes are added
/// when the transaction commits.
fn sums_now(conn: &Connection, vault: &Vault) -> Result<Vec<(String, String)>, StoreError> {
    let sums = row_sums::SUMMED
        .iter()
        .map(|table| {
            let sum = row_sums::sum_of(conn, vault, table)?;
            Ok((sum_name(table), crate::hex::encode(&sum)))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    pending::forget_sums(conn);
    Ok(sums)
}

/// A stored sum (hex); absent: zero (no row since the sums were first taken).
fn stored_sum(census: &Census, name: &str) -> Result<row_sums::Sum, StoreError> {
    match census.digests.get(name) {
        None => Ok([0; 32]),
        Some(hex) => crate::hex::decode(hex)
            .and_then(|bytes| row_sums::Sum::try_from(bytes).ok())
            .ok_or_else(|| StoreError::tampered("installation", "census")),
    }
}

/// Adds what a transaction's writes changed (`held`, from [`pending::close`]) to the census, in
/// that transaction, just before it commits: the summed tables' sums and the audit log's length.
/// Nothing a census of an earlier shape does not keep yet (its adoption reads it from the rows).
pub(in crate::store) fn add_held(
    conn: &Connection, vault: &Vault, held: &Held,
) -> Result<(), StoreError> {
    if held.is_empty() {
        return Ok(());
    }
    // Once per transaction: the row read once, and written back without a second read.
    let Some((row, Some(mut census))) = stored_in_row(conn, vault)? else {
        return Ok(());
    };
    let before = census.clone();
    if census.shape >= SUMS_SHAPE {
        for (table, change) in &held.sums {
            let name = sum_name(table);
            let sum = row_sums::plus(stored_sum(&census, &name)?, change);
            census.digests.insert(name, crate::hex::encode(&sum));
        }
    }
    if let Some(length) = held.audit_length
        && census.shape >= AUDIT_SHAPE
    {
        let length = u64::try_from(length).map_err(|_| StoreError::tampered("audit_head", 1))?;
        census.counts.insert(AUDIT_LOG.to_owned(), length);
    }
    if census == before {
        return Ok(());
    }
    store_over(conn, vault, row, &census)
}

fn store(conn: &Connection, vault: &Vault, census: &Census) -> Result<(), StoreError> {
    let json = serde_json::to_string(census).expect("a census always serialises");
    update(
        conn,
        vault,
        "installation",
        &INSTALLATION,
        &[("census", Value::Text(json))],
    )?;
    Ok(())
}

/// [`store`] over the installation row `row` just read and checked in this transaction.
fn store_over(
    conn: &Connection, vault: &Vault, row: Row, census: &Census,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(census).expect("a census always serialises");
    update_checked(
        conn,
        vault,
        "installation",
        &INSTALLATION,
        row,
        &[("census", Value::Text(json))],
    )
}

/// Whether the census keeps `table` (every other table's writes pass by without a look).
pub(super) fn covers(table: &str) -> bool {
    table == LISTED || COUNTED.contains(&table) || DIGESTED.contains(&table)
}

/// The census to bring up to date after a write of `table`, in the caller's transaction: `None`
/// when there is nothing to keep (no installation row yet, or a census not adopted, which is then
/// taken whole from what the tables hold, this write included).
fn to_update(conn: &Connection, vault: &Vault, table: &str) -> Result<Option<Census>, StoreError> {
    if DIGESTED.contains(&table) && conn.is_autocommit() {
        return Err(StoreError::Encoding(format!(
            "internal: {table} written outside a transaction"
        )));
    }
    let Some(stored) = stored(conn, vault)? else {
        return Ok(None);
    };
    let Some(census) = stored else {
        // Not adopted yet (an unlock adopts it): what the tables hold, this row included.
        store(conn, vault, &taken(conn, vault)?)?;
        return Ok(None);
    };
    Ok(Some(census))
}

/// Notes a row just added to `table` (with primary key `key`), in the caller's transaction.
/// Tables outside the census are left alone; so is a database still without an installation row.
pub(super) fn note_added(
    conn: &Connection, vault: &Vault, table: &str, key: &[Value],
) -> Result<(), StoreError> {
    if !covers(table) {
        return Ok(());
    }
    let Some(mut census) = to_update(conn, vault, table)? else {
        return Ok(());
    };
    let before = census.clone();
    if COUNTED.contains(&table) {
        *census.counts.entry(table.to_owned()).or_default() += 1;
    }
    if table == LISTED
        && let [Value::Text(setting)] = key
    {
        census.settings.insert(setting.clone());
    }
    if DIGESTED.contains(&table) && census.shape >= digested_from(table) {
        census
            .digests
            .insert(table.to_owned(), digest(conn, vault, table)?);
    }
    if census == before {
        return Ok(());
    }
    store(conn, vault, &census)
}

/// Notes that rows of `table` were changed or deleted, in the caller's transaction: a
/// [`DIGESTED`] table's digest is taken again. Every other table is left alone.
pub(in crate::store) fn note_changed(
    conn: &Connection, vault: &Vault, table: &str,
) -> Result<(), StoreError> {
    if !DIGESTED.contains(&table) {
        return Ok(());
    }
    let Some(mut census) = to_update(conn, vault, table)? else {
        return Ok(());
    };
    if census.shape < digested_from(table) {
        return Ok(());
    }
    census
        .digests
        .insert(table.to_owned(), digest(conn, vault, table)?);
    store(conn, vault, &census)
}

/// Takes every digest again under `vault`: for a data-key rotation, which has just written every
/// row again under the new key (each checked under the old one first).
pub(in crate::store) fn reseal(conn: &Connection, vault: &Vault) -> Result<(), StoreError> {
    let Some(Some(mut census)) = stored(conn, vault)? else {
        return Ok(());
    };
    if census.shape < TABLE_DIGESTS_SHAPE {
        return Ok(());
    }
    census.digests = digests(conn, vault)?;
    store(conn, vault, &census)
}

/// A database from before the census gets one from what it holds (at its first unlock after the
/// upgrade, as rows got their tags); one of an earlier shape gets what that shape lacked.
/// Nothing for one that is up to date.
pub(in crate::store) fn adopt(conn: &Connection, vault: &Vault) -> Result<(), StoreError> {
    match stored(conn, vault)? {
        Some(None) => store(conn, vault, &taken(conn, vault)?),
        Some(Some(mut census)) if census.shape < SHAPE => {
            if census.shape < EVENTS_SHAPE {
                // The tables counted since are counted from what they hold.
                let table = "kiosk_security_events";
                census.counts.insert(table.to_owned(), count(conn, table)?);
            }
            // The digests of a later shape than the census's were written as they went; the
            // others are taken now. The sums only where the census lacks them: taking them
            // forgets what this transaction's writes noted so far (the visit states the unlock
            // just gave their forms' sums), which a census that keeps them must still add.
            if census.shape < TABLE_DIGESTS_SHAPE {
                census.digests = digests(conn, vault)?;
            } else {
                for few in FEW_ROWS.iter().filter(|few| census.shape < few.shape) {
                    let now = few_digest(conn, vault, few)?;
                    census.digests.insert(few.table.to_owned(), now);
                }
                if census.shape < SUMS_SHAPE {
                    census.digests.extend(sums_now(conn, vault)?);
                }
                if census.shape < OFFERS_SHAPE {
                    let now = digest(conn, vault, OFFERS)?;
                    census.digests.insert(OFFERS.to_owned(), now);
                }
            }
            if census.shape < AUDIT_SHAPE {
                let length = audit_length::head_length(conn, vault)?;
                census.counts.insert(AUDIT_LOG.to_owned(), length);
            }
            census.shape = SHAPE;
            store(conn, vault, &census)
        }
        _ => Ok(()),
    }
}

/// Checks `tables` (all of the census's when empty) against the census: a row count that differs,
/// a setting once written and now gone, or a digest that no longer agrees (a row edited, deleted,
/// added or put back from an older copy) is [`StoreError::Tampered`], naming the table.
pub(in crate::store) fn check(
    conn: &Connection, vault: &Vault, tables: &[&str],
) -> Result<(), StoreError> {
    let Some(Some(census)) = stored(conn, vault)? else {
        return Ok(());
    };
    let asked = |table: &str| tables.is_empty() || tables.contains(&table);
    for table in COUNTED.iter().filter(|t| asked(t)) {
        let was = census.counts.get(*table).copied().unwrap_or(0);
        let is = count(conn, table)?;
        if was != is {
            return Err(StoreError::tampered(
                table,
                format!("{is} rows where {was} were written"),
            ));
        }
    }
    if census.shape >= AUDIT_SHAPE && asked(AUDIT_LOG) {
        let written = census.counts.get(AUDIT_LOG).copied().unwrap_or(0);
        audit_length::check(conn, vault, written)?;
    }
    if asked(LISTED)
        && let Some(gone) = census.settings.difference(&setting_keys(conn)?).next()
    {
        return Err(StoreError::tampered(LISTED, gone));
    }
    for few in FEW_ROWS {
        if census.shape < few.shape || !asked(few.table) {
            continue;
        }
        // Not named: no row was marked when the census was made, nor since.
        let was = match census.digests.get(few.table) {
            Some(was) => was.clone(),
            None => few_digest_of(vault, few, Vec::new()),
        };
        if few_digest(conn, vault, few)? != was {
            return Err(StoreError::tampered(few.table, few.changed));
        }
    }
    if census.shape >= SUMS_SHAPE {
        for table in row_sums::SUMMED {
            let name = sum_name(table);
            if asked(&name) && row_sums::sum_of(conn, vault, table)? != stored_sum(&census, &name)?
            {
                return Err(StoreError::tampered(
                    table,
                    "unknown — the table is not as last written: a row was put back from an \
                     older copy, deleted, added or edited",
                ));
            }
        }
    }
    if census.shape >= TABLE_DIGESTS_SHAPE {
        let kept = |table: &str| census.shape >= digested_from(table);
        for table in DIGESTED.iter().filter(|t| asked(t) && kept(t)) {
            let now = digest(conn, vault, table)?;
            let was = match census.digests.get(*table) {
                Some(was) => was.clone(),
                None => empty_digest(vault, table),
            };
            if now != was {
                return Err(StoreError::tampered(
                    table,
                    "unknown — the table is not as last written: a row was edited, removed, \
                     added or put back from an older copy",
                ));
            }
        }
    }
    Ok(())
}

/// The digest of a table with no rows.
fn empty_digest(vault: &Vault, table: &str) -> String {
    let mut message = DIGEST_DOMAIN.to_vec();
    message.extend_from_slice(table.as_bytes());
    message.push(0);
    crate::hex::encode(&vault.row_tag(&message))
}

/// The census written back as a census of shape 4 wrote it (no sums), for the tests of
/// databases from before them.
#[cfg(test)]
pub(in crate::store) fn as_before_the_sums(conn: &Connection, vault: &Vault) {
    let mut census = stored(conn, vault).unwrap().unwrap().unwrap();
    for table in row_sums::SUMMED {
        census.digests.remove(&sum_name(table));
    }
    census.shape = SUMS_SHAPE - 1;
    store(conn, vault, &census).unwrap();
}

#[cfg(test)]
mod tests;
