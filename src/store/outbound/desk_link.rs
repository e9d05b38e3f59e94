//! The kiosk's link to its back office: the pairing offer kept until its answer comes back,
//! the link (pending until a manager confirms the codes matched), and its revocation.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::store::audit::AuditKind;
use crate::store::row_auth::census::OFFERS;
use crate::store::row_auth::{self, text_key};
use crate::store::writing::Writing;
use crate::store::{Actor, OpenStore, StoreError};
use crate::vault::{Aad, Vault};

/// Revokes every live desk link (checked rows).
pub(in crate::store) fn revoke_live_desks(
    conn: &Connection, vault: &Vault, at: &str,
) -> Result<(), StoreError> {
    for row in row_auth::all(conn, vault, "desk_link")? {
        if row.opt_text("revoked_at")?.is_none() {
            row_auth::update(
                conn,
                vault,
                "desk_link",
                &text_key(&row.text("desk_id")?),
                &[("revoked_at", Value::Text(at.to_owned()))],
            )?;
        }
    }
    Ok(())
}

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

/// What withdrawing the pairing code found ([`OpenStore::withdraw_pairing_offer`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Withdrawal {
    /// The open code withdrawn: the offer's id.
    Withdrawn(String),
    /// Too late: the latest code's answer was read, and that pairing waits for the codes to be
    /// compared (the desk's id). Nothing changed; rejecting the codes (unpair) drops it.
    Answered(String),
    /// No code open, and no pairing of one waiting.
    NoneOpen,
}

/// "Stamp `set` with the time on the row at `key`, if its `unset` column is still empty":
/// a one-time offer taken, a live link confirmed. Otherwise NotFound, and nothing changes.
struct Stamp<'a> {
    table: &'a str,
    key: &'a str,
    unset: &'a str,
    set: &'a str,
}

impl Stamp<'_> {
    fn apply(&self, conn: &Connection, vault: &Vault, at: &str) -> Result<(), StoreError> {
        let open = row_auth::get(conn, vault, self.table, &text_key(self.key))?
            .map(|row| row.opt_text(self.unset))
            .transpose()?
            .is_some_and(|value| value.is_none());
        if !open {
            return Err(StoreError::NotFound);
        }
        row_auth::update(
            conn,
            vault,
            self.table,
            &text_key(self.key),
            &[(self.set, Value::Text(at.to_owned()))],
        )
        .map(|_| ())
    }
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
        &self, actor: &Actor, offer_id: &str, secret: &[u8], expires_at: i64, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        actor.require_manager()?;
        let sealed = self.vault().seal(offer_aad(offer_id), secret)?;
        self.managed_change(actor, AuditKind::PairingStarted, offer_id, now, |tx, at| {
            row_auth::census::check(tx, self.vault(), &[OFFERS])?;
            // The insert below takes the table's digest again, this delete included.
            tx.execute("DELETE FROM pairing_offers WHERE used_at IS NULL", [])?;
            row_auth::insert(
                tx,
                self.vault(),
                "pairing_offers",
                &[
                    ("id", Value::Text(offer_id.to_owned())),
                    ("sealed_secret", Value::Blob(sealed)),
                    ("expires_at", Value::Integer(expires_at)),
                    ("created_at", Value::Text(at.to_owned())),
                    ("used_at", Value::Null),
                ],
            )
        })
    }

    /// Withdraws the open pairing offer (managers only), before any answer to it was read: its
    /// QR code, or a photo of it, no longer pairs, and an answer to it is refused ("start
    /// pairing first"). Every offer kept goes, so no earlier one stands in for it. When none is
    /// open nothing changes and nothing is logged, and what stands instead is said (the latest
    /// code answered, its pairing waiting; or nothing). The offer is looked for inside the
    /// transaction that deletes it: an answer taken meanwhile by another process (`kiosk
    /// pair-finish`) makes this fail as busy rather than log a withdrawal of a code that paired.
    pub fn withdraw_pairing_offer(
        &self, actor: &Actor, now: DateTime<Utc>,
    ) -> Result<Withdrawal, StoreError> {
        actor.require_manager()?;
        let at = now.to_rfc3339();
        let tx = Writing::begin(self.conn())?;
        row_auth::census::check(&tx, self.vault(), &[OFFERS])?;
        let open: Option<String> = tx
            .query_row(
                "SELECT id FROM pairing_offers WHERE used_at IS NULL ORDER BY rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = open else {
            // Nothing written (the transaction is dropped, rolled back).
            let answered = self.latest_pairing_offer()?.is_some_and(|o| o.used);
            return Ok(match self.desk_link()? {
                Some(link) if answered && !link.confirmed => Withdrawal::Answered(link.desk_id),
                _ => Withdrawal::NoneOpen,
            });
        };
        // Its id goes into the log: a row put in the file by hand is refused.
        if row_auth::get(&tx, self.vault(), "pairing_offers", &text_key(&id))?.is_none() {
            return Err(StoreError::tampered("pairing_offers", &id));
        }
        tx.execute("DELETE FROM pairing_offers", [])?;
        row_auth::census::note_changed(&tx, self.vault(), OFFERS)?;
        self.audit_as(actor, &tx, &at, AuditKind::PairingCancelled, &id)?;
        tx.commit(self.vault())?;
        Ok(Withdrawal::Withdrawn(id))
    }

    /// The most recent pairing offer, used or not. Checked: an offer withdrawn or used, put back
    /// from an older copy of the file, is refused (its code would pair again until it expires).
    pub fn latest_pairing_offer(&self) -> Result<Option<StoredOffer>, StoreError> {
        row_auth::census::check(self.conn(), self.vault(), &[OFFERS])?;
        let row: Option<(String, Vec<u8>)> = self
            .conn()
            .query_row(
                "SELECT id, sealed_secret FROM pairing_offers ORDER BY rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, sealed)) = row else {
            return Ok(None);
        };
        let checked = row_auth::get(self.conn(), self.vault(), "pairing_offers", &text_key(&id))?
            .ok_or_else(|| StoreError::tampered("pairing_offers", &id))?;
        let expires_at = checked.int("expires_at")?;
        let used_at = checked.opt_text("used_at")?;
        let secret = crate::store::unseal(self.vault(), offer_aad(&id), &sealed)?;
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
        &self, actor: &Actor, offer_id: &str, link: &DeskLink, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.managed_change(actor, AuditKind::Paired, &link.desk_id, now, |tx, at| {
            let offer = Stamp {
                table: "pairing_offers",
                key: offer_id,
                unset: "used_at",
                set: "used_at",
            };
            offer.apply(tx, self.vault(), at)?;
            revoke_live_desks(tx, self.vault(), at)?;
            row_auth::put(
                tx,
                self.vault(),
                "desk_link",
                &[
                    ("desk_id", Value::Text(link.desk_id.clone())),
                    ("kem_public", Value::Blob(link.kem_public.clone())),
                    ("sign_public", Value::Blob(link.sign_public.clone())),
                    ("comparison_code", Value::Text(link.comparison_code.clone())),
                    ("paired_at", Value::Text(at.to_owned())),
                    ("confirmed_at", Value::Null),
                    ("revoked_at", Value::Null),
                ],
            )
        })
    }

    /// A manager saw the same code on both screens.
    pub fn confirm_desk(
        &self, actor: &Actor, desk_id: &str, now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let subject = format!("confirmed:{desk_id}");
        self.managed_change(actor, AuditKind::Paired, &subject, now, |tx, at| {
            let link = Stamp {
                table: "desk_link",
                key: desk_id,
                unset: "revoked_at",
                set: "confirmed_at",
            };
            link.apply(tx, self.vault(), at)
        })
    }

    /// The desk this kiosk is paired with (not revoked), confirmed or not. Checked: a desk key
    /// edited into the file, or a revoked desk's row put back from an older copy, is refused,
    /// so no form is ever sealed to it.
    pub fn desk_link(&self) -> Result<Option<DeskLink>, StoreError> {
        row_auth::census::check(self.conn(), self.vault(), row_auth::census::EXPORT_LISTS)?;
        let mut live: Vec<DeskLink> = Vec::new();
        for row in row_auth::all(self.conn(), self.vault(), "desk_link")? {
            if row.opt_text("revoked_at")?.is_some() {
                continue;
            }
            live.push(DeskLink {
                desk_id: row.text("desk_id")?,
                kem_public: row.blob("kem_public")?,
                sign_public: row.blob("sign_public")?,
                comparison_code: row.text("comparison_code")?,
                paired_at: row.text("paired_at")?,
                confirmed: row.opt_text("confirmed_at")?.is_some(),
            });
        }
        Ok(live
            .into_iter()
            .max_by(|a, b| a.paired_at.cmp(&b.paired_at)))
    }

    /// Ends the pairing: nothing more is exported until a new one is confirmed.
    pub fn revoke_desk(&self, actor: &Actor, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.managed_change(actor, AuditKind::PairingRevoked, "desk", now, |tx, at| {
            revoke_live_desks(tx, self.vault(), at)
        })
    }
}
