//! The kiosks paired with this desk: pairing (pending until a manager confirms the kiosk's code
//! at the desk), a manager's key replacement, revocation (final), and the flag a forked audit
//! chain raises.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;

use crate::store::audit::{self, AuditKind};
use crate::store::row_auth::{self, text_key};
use crate::store::writing::Writing;
use crate::store::{Actor, OpenStore, StoreError};
use crate::vault::Vault;

/// A kiosk paired with this desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KioskLink {
    pub kiosk_id: String,
    pub sign_public: Vec<u8>,
    pub comparison_code: String,
    /// When it was first paired here (a replaced key keeps it): nothing it sends may be older.
    pub paired_at: String,
    pub revoked: bool,
    /// A manager typed, at the desk, the code the kiosk shows. Until then nothing is imported.
    pub confirmed: bool,
    /// When a manager last replaced its key, if ever.
    pub key_replaced_at: Option<String>,
    /// The longest audit chain seen from it so far.
    pub audit_length: u64,
    pub audit_tag: String,
    /// When a bundle carried an audit chain of the length already seen but another last tag
    /// (two histories of one kiosk): refused, and flagged until a manager looks into it.
    pub audit_fork_at: Option<String>,
}

/// A kiosk's signing key as it offered it at pairing, with the code both screens derive from
/// the two devices' keys (what a manager confirms at the desk).
#[derive(Clone, Copy, Debug)]
pub struct OfferedKey<'a> {
    pub kiosk_id: &'a str,
    pub sign_public: &'a [u8],
    pub comparison_code: &'a str,
}

fn link_from_row(row: &row_auth::Row) -> Result<KioskLink, StoreError> {
    let kiosk_id = row.text("kiosk_id")?;
    Ok(KioskLink {
        sign_public: row.blob("sign_public")?,
        comparison_code: row.text("comparison_code")?,
        paired_at: row.text("paired_at")?,
        revoked: row.opt_text("revoked_at")?.is_some(),
        audit_length: u64::try_from(row.int("audit_length")?)
            .map_err(|_| StoreError::tampered("kiosk_links", &kiosk_id))?,
        audit_tag: row.text("audit_tag")?,
        audit_fork_at: row.opt_text("audit_fork_at")?,
        confirmed: row.opt_text("confirmed_at")?.is_some(),
        key_replaced_at: row.opt_text("key_replaced_at")?,
        kiosk_id,
    })
}

/// Where a kiosk's pairing with this desk stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Paired, waiting for a manager to confirm the kiosk's code at the desk: bundles refused.
    Pending,
    Confirmed,
    /// For ever: the id is never paired again.
    Revoked,
}

impl LinkState {
    /// For listings and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Pending => "waiting for confirmation",
            LinkState::Confirmed => "confirmed",
            LinkState::Revoked => "revoked",
        }
    }
}

impl KioskLink {
    pub fn state(&self) -> LinkState {
        if self.revoked {
            LinkState::Revoked
        } else if self.confirmed {
            LinkState::Confirmed
        } else {
            LinkState::Pending
        }
    }
}

/// Changes the checked row of a kiosk link that is not revoked and that `still` accepts as it
/// is now; `NotFound` when there is none.
fn change_live_link(
    conn: &Connection, vault: &Vault, kiosk_id: &str,
    still: impl FnOnce(&row_auth::Row) -> Result<bool, StoreError>, changes: &[(&str, Value)],
) -> Result<(), StoreError> {
    let key = text_key(kiosk_id);
    match row_auth::get(conn, vault, "kiosk_links", &key)? {
        Some(row) if row.opt_text("revoked_at")?.is_none() && still(&row)? => {
            row_auth::update_checked(conn, vault, "kiosk_links", &key, row, changes)
        }
        _ => Err(StoreError::NotFound),
    }
}

/// Why a known kiosk id cannot be paired as new: a revoked one never again, another one only by
/// a manager's replacement of its key.
fn known_refusal(link: KioskLink) -> StoreError {
    match link.state() {
        LinkState::Revoked => StoreError::KioskRevoked {
            kiosk_id: link.kiosk_id,
        },
        state => StoreError::KioskAlreadyPaired {
            kiosk_id: link.kiosk_id,
            state: state.as_str(),
        },
    }
}

impl OpenStore {
    /// Pairs a new kiosk (managers only): its signing key and the code both screens derive. The
    /// link is *pending* — its bundles are refused — until a manager confirms, at the desk, the
    /// code the kiosk shows ([`Self::confirm_kiosk`]). A kiosk id already known here is refused:
    /// a revoked one for ever, another one unless a manager replaces its key
    /// ([`Self::replace_kiosk_key`]) — but for a new code of a kiosk still waiting here under the
    /// same key (its first code withdrawn, expired or never read): the link then waits on the new
    /// code ([`Self::renew_pending_link`]). Logged.
    pub fn link_kiosk(
        &self, actor: &Actor, key: OfferedKey<'_>, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let OfferedKey {
            kiosk_id,
            sign_public,
            comparison_code,
        } = key;
        if let Some(link) = self.kiosk_link(kiosk_id)? {
            if link.state() == LinkState::Pending && link.sign_public == sign_public {
                return self.renew_pending_link(actor, key, now);
            }
            return Err(known_refusal(link));
        }
        let subject = format!("pending:{kiosk_id}");
        self.managed_change(actor, AuditKind::Paired, &subject, now, |tx, at| {
            // A plain insert: a row that appeared meanwhile makes this fail, never overwrites.
            row_auth::insert(
                tx,
                self.vault(),
                "kiosk_links",
                &[
                    ("kiosk_id", Value::Text(kiosk_id.to_owned())),
                    ("sign_public", Value::Blob(sign_public.to_vec())),
                    ("comparison_code", Value::Text(comparison_code.to_owned())),
                    ("paired_at", Value::Text(at.to_owned())),
                    ("revoked_at", Value::Null),
                    ("audit_length", Value::Integer(0)),
                    ("audit_tag", Value::Text(String::new())),
                    ("audit_fork_at", Value::Null),
                    ("confirmed_at", Value::Null),
                    ("key_replaced_at", Value::Null),
                ],
            )
        })
    }

    /// A new code of a kiosk whose pairing waits for confirmation, under the key it was paired
    /// with: the link now waits on this code (the kept hash of its secret, checked against the
    /// nonce the kiosk reveals), and an answer to the earlier code no longer confirms it. Nothing
    /// is taken on trust that was not before: the key is the one already held, and a manager
    /// still confirms the code the kiosk shows. A link confirmed, revoked or holding another key
    /// meanwhile is left as it is (`NotFound`). Logged.
    fn renew_pending_link(
        &self, actor: &Actor, key: OfferedKey<'_>, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let subject = format!("pending again:{}", key.kiosk_id);
        self.managed_change(actor, AuditKind::Paired, &subject, now, |tx, _| {
            change_live_link(
                tx,
                self.vault(),
                key.kiosk_id,
                |row| {
                    Ok(row.opt_text("confirmed_at")?.is_none()
                        && row.blob("sign_public")? == key.sign_public)
                },
                &[(
                    "comparison_code",
                    Value::Text(key.comparison_code.to_owned()),
                )],
            )
        })
    }

    /// A manager's decision to give a known kiosk a new key (e.g. the same tablet pairing again):
    /// the old key is replaced, the link is pending again until its code is confirmed, and the
    /// old key's fingerprint is logged. A revoked kiosk is refused: it stays revoked for ever.
    pub fn replace_kiosk_key(
        &self, actor: &Actor, key: OfferedKey<'_>, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let kiosk_id = key.kiosk_id;
        let old = self.kiosk_link(kiosk_id)?.ok_or(StoreError::NotFound)?;
        if old.revoked {
            return Err(StoreError::KioskRevoked {
                kiosk_id: kiosk_id.to_owned(),
            });
        }
        let fingerprint = crate::vault::content_hash(&old.sign_public);
        let subject = format!(
            "replaced:{kiosk_id}:old key {}",
            fingerprint.get(..23).unwrap_or(&fingerprint)
        );
        self.managed_change(actor, AuditKind::Paired, &subject, now, |tx, at| {
            change_live_link(
                tx,
                self.vault(),
                kiosk_id,
                |_| Ok(true),
                &[
                    ("sign_public", Value::Blob(key.sign_public.to_vec())),
                    (
                        "comparison_code",
                        Value::Text(key.comparison_code.to_owned()),
                    ),
                    ("key_replaced_at", Value::Text(at.to_owned())),
                    ("confirmed_at", Value::Null),
                ],
            )
        })
    }

    /// Confirms a pending link (managers only): `typed` is the code the kiosk shows, as the
    /// manager typed it at the desk. A code that does not match leaves the link pending, and the
    /// attempt is logged. Logged.
    pub fn confirm_kiosk(
        &self, actor: &Actor, kiosk_id: &str, typed: &str, now: DateTime<Utc>,
    ) -> Result<KioskLink, StoreError> {
        self.confirm_kiosk_as(actor, kiosk_id, typed, None, now)
    }

    /// [`OpenStore::confirm_kiosk`] against `code`, the comparison code the desk worked out once
    /// the kiosk revealed its pairing nonce (the link holds, until then, what the desk kept of
    /// the scanned secret: see `exchange::desk_side`); kept as the link's code once confirmed.
    pub fn confirm_kiosk_with_code(
        &self, actor: &Actor, kiosk_id: &str, typed: &str, code: &str, now: DateTime<Utc>,
    ) -> Result<KioskLink, StoreError> {
        self.confirm_kiosk_as(actor, kiosk_id, typed, Some(code), now)
    }

    /// The link of a kiosk waiting for confirmation; another state is refused as such (revoked,
    /// confirmed already), no link as `NotFound`.
    pub fn pending_kiosk_link(&self, kiosk_id: &str) -> Result<KioskLink, StoreError> {
        self.link_in_state(kiosk_id, LinkState::Pending)
    }

    fn confirm_kiosk_as(
        &self, actor: &Actor, kiosk_id: &str, typed: &str, code: Option<&str>, now: DateTime<Utc>,
    ) -> Result<KioskLink, StoreError> {
        actor.require_manager()?;
        let mut link = self.link_in_state(kiosk_id, LinkState::Pending)?;
        if let Some(code) = code {
            link.comparison_code = code.to_owned();
        }
        if !crate::sync::comparison_codes_match(&link.comparison_code, typed) {
            self.record_event(
                actor.staff_id(),
                AuditKind::Paired,
                &format!("code-mismatch:{kiosk_id}"),
                now,
            )?;
            return Err(StoreError::ComparisonCodeMismatch {
                kiosk_id: kiosk_id.to_owned(),
            });
        }
        let subject = format!("confirmed:{kiosk_id}");
        self.managed_change(actor, AuditKind::Paired, &subject, now, |tx, at| {
            // Only the key whose code was checked: a replacement in between makes this fail.
            change_live_link(
                tx,
                self.vault(),
                kiosk_id,
                |current| {
                    Ok(current.blob("sign_public")? == link.sign_public
                        && current.opt_text("confirmed_at")?.is_none())
                },
                &[
                    ("confirmed_at", Value::Text(at.to_owned())),
                    ("comparison_code", Value::Text(link.comparison_code.clone())),
                ],
            )
        })?;
        Ok(KioskLink {
            confirmed: true,
            ..link
        })
    }

    /// The link of a kiosk in the state `wanted`; another state is refused as such (a revoked
    /// kiosk, one not yet confirmed, one confirmed already), no link as `NotFound`.
    pub(super) fn link_in_state(
        &self, kiosk_id: &str, wanted: LinkState,
    ) -> Result<KioskLink, StoreError> {
        let link = self.kiosk_link(kiosk_id)?.ok_or(StoreError::NotFound)?;
        let kiosk_id = kiosk_id.to_owned();
        match (link.state(), wanted) {
            (state, wanted) if state == wanted => Ok(link),
            (LinkState::Revoked, _) => Err(StoreError::KioskRevoked { kiosk_id }),
            (LinkState::Pending, _) => Err(StoreError::KioskNotConfirmed { kiosk_id }),
            (LinkState::Confirmed, _) => Err(StoreError::Invalid(format!(
                "kiosk {kiosk_id} is already confirmed"
            ))),
        }
    }

    /// The kiosks paired with this desk, oldest first; every row checked, and the table whole
    /// (the census's digest): a revoked kiosk's row put back from before its revocation is
    /// refused, not listed as trusted.
    pub fn kiosk_links(&self) -> Result<Vec<KioskLink>, StoreError> {
        row_auth::census::check(self.conn(), self.vault(), &["kiosk_links"])?;
        let mut links = row_auth::all(self.conn(), self.vault(), "kiosk_links")?
            .iter()
            .map(link_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        links.sort_by(|a, b| a.paired_at.cmp(&b.paired_at));
        Ok(links)
    }

    /// The link of one kiosk, checked as [`Self::kiosk_links`] checks them.
    pub fn kiosk_link(&self, kiosk_id: &str) -> Result<Option<KioskLink>, StoreError> {
        row_auth::census::check(self.conn(), self.vault(), &["kiosk_links"])?;
        row_auth::get(
            self.conn(),
            self.vault(),
            "kiosk_links",
            &text_key(kiosk_id),
        )?
        .as_ref()
        .map(link_from_row)
        .transpose()
    }

    /// Stops accepting bundles from a kiosk (managers only). Logged.
    pub fn revoke_kiosk(
        &self, actor: &Actor, kiosk_id: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.managed_change(actor, AuditKind::PairingRevoked, kiosk_id, now, |tx, at| {
            change_live_link(
                tx,
                self.vault(),
                kiosk_id,
                |_| Ok(true),
                &[("revoked_at", Value::Text(at.to_owned()))],
            )
        })
    }

    /// Flags a kiosk whose bundle carried a forked audit chain, and logs it.
    pub(super) fn flag_audit_fork(
        &self, kiosk_id: &str, length: u64, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        row_auth::update(
            &tx,
            self.vault(),
            "kiosk_links",
            &text_key(kiosk_id),
            &[("audit_fork_at", Value::Text(at.clone()))],
        )?;
        audit::append(
            &tx,
            self.vault(),
            &at,
            "kiosk",
            AuditKind::KioskAuditForked,
            &format!("{kiosk_id}:{length}"),
        )?;
        tx.commit(self.vault())?;
        Ok(())
    }
}
