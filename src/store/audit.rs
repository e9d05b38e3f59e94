//! The audit log: append-only, hash-chained with the audit key. Entries hold ids and kinds only,
//! never health data. `verify` names the first entry that was edited, deleted or reordered.
//!
//! The chain's length and last tag are kept in `audit_head`, a row-authenticated row written in
//! the same transaction as each entry, so entries cut off the end (or a tail rolled back) show
//! too: the chain then stops short of its head.

use rusqlite::types::Value;
use rusqlite::{Connection, params};

use super::StoreError;
use super::row_auth;
use super::writing::Writing;
use crate::vault::Vault;

/// What happened. Stored by name; add variants at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditKind {
    SetupCompleted,
    KioskOpened,
    RecoveryKeyUsed,
    FailedUnlocks,
    KioskClosed,
    SignedIn,
    SignInFailed,
    LockedOut,
    LockoutReset,
    SignedOut,
    StaffAdded,
    PassphraseChanged,
    PatientLookup,
    /// A handover ends with one of the three entries after it: `SubmissionSaved` (the form
    /// was saved; written in the save's own commit), `HandoverEnded` (staff ended it early,
    /// subject "cancelled") or `HandoverWiped` (left idle).
    HandoverStarted,
    HandoverEnded,
    HandoverWiped,
    SubmissionSaved,
    ConsentRecorded,
    ListViewed,
    RecordViewed,
    Exported,
    Imported,
    Erased,
    SettingsChanged,
    PairingStarted,
    Paired,
    PairingRevoked,
    ReceiptApplied,
    Purged,
    Amended,
    RestrictionChanged,
    ErasureRequested,
    RetentionRun,
    RightsRequestLogged,
    RightsRequestUpdated,
    BreachRecorded,
    BreachUpdated,
    RowsAuthenticated,
    KioskAuditForked,
    /// A duplicate record merged into another; the subject is `duplicate>survivor`.
    Merged,
    /// A staff member retired (can no longer sign in); the subject is their id.
    StaffRetired,
    /// A manager set a new PIN for someone else; the subject is their id.
    PinReset,
    /// A staff member changed their own PIN.
    PinChanged,
    /// A new data key: every value re-sealed and re-tagged; the subject counts the rows.
    DataKeyRotated,
    /// A new recovery key replaced the old one.
    RecoveryKeyReplaced,
    /// A backup written and checked; the subject is its file name.
    BackupWritten,
    /// A backup that could not be written; the subject says why, in a word.
    BackupFailed,
    /// A manager confirmed the clock reads right although it runs behind what was recorded
    /// before ([`super::kiosk_clock`]); the subject is the newest time it ran behind.
    ClockConfirmed,
    /// A manager withdrew an open pairing code before any answer was read; the subject is the
    /// offer's id.
    PairingCancelled,
}

impl AuditKind {
    const ALL: [AuditKind; 49] = [
        AuditKind::SetupCompleted,
        AuditKind::KioskOpened,
        AuditKind::RecoveryKeyUsed,
        AuditKind::FailedUnlocks,
        AuditKind::KioskClosed,
        AuditKind::SignedIn,
        AuditKind::SignInFailed,
        AuditKind::LockedOut,
        AuditKind::LockoutReset,
        AuditKind::SignedOut,
        AuditKind::StaffAdded,
        AuditKind::PassphraseChanged,
        AuditKind::PatientLookup,
        AuditKind::HandoverStarted,
        AuditKind::HandoverEnded,
        AuditKind::HandoverWiped,
        AuditKind::SubmissionSaved,
        AuditKind::ConsentRecorded,
        AuditKind::ListViewed,
        AuditKind::RecordViewed,
        AuditKind::Exported,
        AuditKind::Imported,
        AuditKind::Erased,
        AuditKind::SettingsChanged,
        AuditKind::PairingStarted,
        AuditKind::Paired,
        AuditKind::PairingRevoked,
        AuditKind::ReceiptApplied,
        AuditKind::Purged,
        AuditKind::Amended,
        AuditKind::RestrictionChanged,
        AuditKind::ErasureRequested,
        AuditKind::RetentionRun,
        AuditKind::RightsRequestLogged,
        AuditKind::RightsRequestUpdated,
        AuditKind::BreachRecorded,
        AuditKind::BreachUpdated,
        AuditKind::RowsAuthenticated,
        AuditKind::KioskAuditForked,
        AuditKind::Merged,
        AuditKind::StaffRetired,
        AuditKind::PinReset,
        AuditKind::PinChanged,
        AuditKind::DataKeyRotated,
        AuditKind::RecoveryKeyReplaced,
        AuditKind::BackupWritten,
        AuditKind::BackupFailed,
        AuditKind::ClockConfirmed,
        AuditKind::PairingCancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::SetupCompleted => "setup_completed",
            AuditKind::KioskOpened => "kiosk_opened",
            AuditKind::RecoveryKeyUsed => "recovery_key_used",
            AuditKind::FailedUnlocks => "failed_unlocks",
            AuditKind::KioskClosed => "kiosk_closed",
            AuditKind::SignedIn => "signed_in",
            AuditKind::SignInFailed => "sign_in_failed",
            AuditKind::LockedOut => "locked_out",
            AuditKind::LockoutReset => "lockout_reset",
            AuditKind::SignedOut => "signed_out",
            AuditKind::StaffAdded => "staff_added",
            AuditKind::PassphraseChanged => "passphrase_changed",
            AuditKind::PatientLookup => "patient_lookup",
            AuditKind::HandoverStarted => "handover_started",
            AuditKind::HandoverEnded => "handover_ended",
            AuditKind::HandoverWiped => "handover_wiped",
            AuditKind::SubmissionSaved => "submission_saved",
            AuditKind::ConsentRecorded => "consent_recorded",
            AuditKind::ListViewed => "list_viewed",
            AuditKind::RecordViewed => "record_viewed",
            AuditKind::Exported => "exported",
            AuditKind::Imported => "imported",
            AuditKind::Erased => "erased",
            AuditKind::SettingsChanged => "settings_changed",
            AuditKind::PairingStarted => "pairing_started",
            AuditKind::Paired => "paired",
            AuditKind::PairingRevoked => "pairing_revoked",
            AuditKind::ReceiptApplied => "receipt_applied",
            AuditKind::Purged => "purged",
            AuditKind::Amended => "amended",
            AuditKind::RestrictionChanged => "restriction_changed",
            AuditKind::ErasureRequested => "erasure_requested",
            AuditKind::RetentionRun => "retention_run",
            AuditKind::RightsRequestLogged => "rights_request_logged",
            AuditKind::RightsRequestUpdated => "rights_request_updated",
            AuditKind::BreachRecorded => "breach_recorded",
            AuditKind::BreachUpdated => "breach_updated",
            AuditKind::RowsAuthenticated => "rows_authenticated",
            AuditKind::KioskAuditForked => "kiosk_audit_forked",
            AuditKind::Merged => "merged",
            AuditKind::StaffRetired => "staff_retired",
            AuditKind::PinReset => "pin_reset",
            AuditKind::PinChanged => "pin_changed",
            AuditKind::DataKeyRotated => "data_key_rotated",
            AuditKind::RecoveryKeyReplaced => "recovery_key_replaced",
            AuditKind::BackupWritten => "backup_written",
            AuditKind::BackupFailed => "backup_failed",
            AuditKind::ClockConfirmed => "clock_confirmed",
            AuditKind::PairingCancelled => "pairing_cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// Staff id, or "kiosk" for the device itself.
    pub actor: String,
    pub kind: String,
    /// The record it concerns (patient or submission id), or "".
    pub subject: String,
}

/// The outcome of verifying the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        entries: i64,
        last_tag: Vec<u8>,
    },
    /// The first entry whose tag does not follow from its content and its predecessor.
    BrokenAt {
        seq: i64,
    },
}

fn content(e: &AuditEntry) -> Vec<u8> {
    format!(
        "{}\x1f{}\x1f{}\x1f{}\x1f{}",
        e.seq, e.at, e.actor, e.kind, e.subject
    )
    .into_bytes()
}

const HEAD_KEY: [Value; 1] = [Value::Integer(1)];

/// The chain's recorded length and last tag, checked.
pub(super) fn head(conn: &Connection, vault: &Vault) -> Result<(i64, Vec<u8>), StoreError> {
    let row = row_auth::get(conn, vault, "audit_head", &HEAD_KEY)?
        .ok_or_else(|| StoreError::tampered("audit_head", 1))?;
    Ok((row.int("length")?, row.blob("last_tag")?))
}

fn put_head(
    conn: &Connection, vault: &Vault, length: i64, last_tag: &[u8],
) -> Result<(), StoreError> {
    row_auth::put(
        conn,
        vault,
        "audit_head",
        &[
            ("id", Value::Integer(1)),
            ("length", Value::Integer(length)),
            ("last_tag", Value::Blob(last_tag.to_vec())),
        ],
    )
}

/// Starts the head of an empty log (a new installation).
pub(super) fn start_head(conn: &Connection, vault: &Vault) -> Result<(), StoreError> {
    put_head(conn, vault, 0, &[])
}

/// Writes the head of a log written before heads were kept, once its chain verified.
pub(super) fn adopt_head(conn: &Connection, vault: &Vault) -> Result<(), StoreError> {
    match walk(conn, vault)? {
        ChainCheck::Intact { entries, last_tag } => put_head(conn, vault, entries, &last_tag),
        ChainCheck::BrokenAt { seq } => Err(StoreError::tampered("audit_log", seq)),
    }
}

/// Appends one entry inside the caller's transaction, or in one of its own when there is none:
/// the entry and the head are written together. Apart, a failure between them (a full disk, the
/// power) would leave a log longer than its head, which reads as a log cut back.
pub(super) fn append(
    conn: &Connection, vault: &Vault, at: &str, actor: &str, kind: AuditKind, subject: &str,
) -> Result<(), StoreError> {
    if conn.is_autocommit() {
        let tx = Writing::begin(conn)?;
        append_in(&tx, vault, at, actor, kind, subject)?;
        return tx.commit(vault);
    }
    append_in(conn, vault, at, actor, kind, subject)
}

/// [`append`] inside the caller's transaction.
fn append_in(
    conn: &Connection, vault: &Vault, at: &str, actor: &str, kind: AuditKind, subject: &str,
) -> Result<(), StoreError> {
    let (length, previous_tag) = head(conn, vault)?;
    let seq = length + 1;
    let entry = AuditEntry {
        seq,
        at: at.to_owned(),
        actor: actor.to_owned(),
        kind: kind.as_str().to_owned(),
        subject: subject.to_owned(),
    };
    let tag = vault.audit_tag(&previous_tag, &content(&entry));
    conn.prepare_cached("INSERT INTO audit_log (seq, at, actor, kind, subject, tag) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![seq, at, actor, entry.kind, subject, &tag[..]])?;
    put_head(conn, vault, seq, &tag)?;
    // The census learns the new length as the transaction commits.
    row_auth::pending::note_audit_length(conn, seq)
}

/// Walks the chain and checks that it ends where its head says.
pub(super) fn verify(conn: &Connection, vault: &Vault) -> Result<ChainCheck, StoreError> {
    let walked = walk(conn, vault)?;
    let (length, last_tag) = head(conn, vault)?;
    Ok(match walked {
        ChainCheck::Intact {
            entries,
            last_tag: tag,
        } if entries == length && tag == last_tag => ChainCheck::Intact {
            entries,
            last_tag: tag,
        },
        // Entries cut off the end (or a tail rolled back): the first missing one is named.
        ChainCheck::Intact { entries, .. } => ChainCheck::BrokenAt {
            seq: entries.min(length) + 1,
        },
        broken => broken,
    })
}

/// Walks the chain in order. Sequence numbers must run 1, 2, 3, … with no gap.
fn walk(conn: &Connection, vault: &Vault) -> Result<ChainCheck, StoreError> {
    let mut stmt =
        conn.prepare("SELECT seq, at, actor, kind, subject, tag FROM audit_log ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut previous_tag: Vec<u8> = Vec::new();
    let mut expected_seq = 1;
    while let Some(r) = rows.next()? {
        let entry = AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            kind: r.get(3)?,
            subject: r.get(4)?,
        };
        let tag: Vec<u8> = r.get(5)?;
        // A deleted entry shows as a gap; the next entry's tag also fails, as it chains to it.
        if entry.seq != expected_seq
            || !vault.audit_tag_matches(&previous_tag, &content(&entry), &tag)
        {
            return Ok(ChainCheck::BrokenAt { seq: expected_seq });
        }
        previous_tag = tag;
        expected_seq += 1;
    }
    Ok(ChainCheck::Intact {
        entries: expected_seq - 1,
        last_tag: previous_tag,
    })
}

/// Re-tags the whole chain under `new` (a data-key rotation), inside the caller's transaction,
/// after checking it under `old`: a broken chain is never re-tagged as if it were sound. The
/// content of every entry stays as it was. The caller lifts the append-only triggers around
/// this. Returns how many entries were re-tagged; `progress` hears of each.
pub(super) fn rekey(
    conn: &Connection, old: &Vault, new: &Vault, progress: &mut dyn FnMut(),
) -> Result<i64, StoreError> {
    match verify(conn, old)? {
        ChainCheck::Intact { .. } => {}
        ChainCheck::BrokenAt { seq } => return Err(StoreError::tampered("audit_log", seq)),
    }
    let entries: Vec<AuditEntry> = conn
        .prepare("SELECT seq, at, actor, kind, subject FROM audit_log ORDER BY seq")?
        .query_map([], entry_from_row)?
        .collect::<Result<_, _>>()?;
    let mut previous_tag: Vec<u8> = Vec::new();
    let mut update = conn.prepare("UPDATE audit_log SET tag = ?1 WHERE seq = ?2")?;
    for entry in &entries {
        let tag = new.audit_tag(&previous_tag, &content(entry));
        update.execute(params![&tag[..], entry.seq])?;
        previous_tag = tag.to_vec();
        progress();
    }
    let length = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    put_head(conn, new, length, &previous_tag)?;
    Ok(length)
}

/// Entries, oldest first; optionally only those about `subject` or by `actor`.
pub(super) fn list(
    conn: &Connection, subject: Option<&str>, actor: Option<&str>,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, kind, subject FROM audit_log
         WHERE (?1 IS NULL OR subject = ?1) AND (?2 IS NULL OR actor = ?2) ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![subject, actor], entry_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An entry from a row selected as `seq, at, actor, kind, subject`.
pub(super) fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        kind: r.get(3)?,
        subject: r.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::AuditKind;

    #[test]
    fn kinds_round_trip() {
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::parse(k.as_str()), Some(k));
        }
    }
}
