//! The desk's "Staff and keys" screen (managers only, need-to-know): the staff list with
//! retired staff kept by name, adding staff, retiring someone (never the last manager),
//! resetting a PIN, changing one's own passphrase, a new recovery key (shown once) and a
//! data-key rotation. Each act is one use case in [`super::actions`] over the store's rules;
//! this keeps what the screen shows and words every outcome in the staff's language.
//!
//! Invariants: the screen and a new recovery key live in [`super::SignedIn`], so signing out,
//! locking and the idle lock drop them; leaving the screen drops the recovery key too.

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::actions::{self, ActionResult, NewStaff, RecordsMut};
use super::{Backend, Desk};
use crate::i18n::t;
use crate::staff::{PassphraseRejection, Role};
use crate::store::{Actor, RotationSigner, StaffAdminError, StaffListing, WalCheckpoint};

/// One person on the staff list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffKeysRow {
    pub id: String,
    pub name: String,
    /// Their name with their role, or "retired".
    pub text: String,
    pub active: bool,
    /// The signed-in manager (who changes their own passphrase instead of a PIN reset).
    pub me: bool,
}

/// What the screen shows (the store's view, each person worded for the screen).
pub type StaffKeysView = crate::store::StaffKeysView<StaffKeysRow>;

impl Desk {
    pub fn staff_keys(&self) -> Option<&StaffKeysView> {
        self.signed_in.as_ref()?.staff_keys.as_ref()
    }

    /// The records to change and who is signed in.
    pub(super) fn admin(&mut self) -> Option<(RecordsMut<'_>, Actor)> {
        let actor = self.signed_in.as_ref()?.actor.clone();
        match &mut self.backend {
            Backend::Open(records) => Some((records.as_mut(), actor)),
            _ => None,
        }
    }

    /// Runs one staff or key action; a refusal becomes the message.
    fn staff_act<T>(
        &mut self, act: impl FnOnce(RecordsMut, &Actor) -> ActionResult<T>,
    ) -> Option<T> {
        let (records, actor) = self.admin()?;
        match act(records, &actor) {
            Ok(value) => Some(value),
            Err(e) => {
                self.failed(e);
                None
            }
        }
    }

    /// Opens the screen (managers; the store refuses anyone else, and so does the screen).
    pub fn open_staff_keys(&mut self) {
        if self.signed_in.as_ref().is_some_and(|s| s.record.is_some()) {
            return;
        }
        if let Some(view) = self.staff_act(actions::staff_keys) {
            let view = view.map_rows(|s| self.staff_row(s));
            if let Some(s) = self.signed_in.as_mut() {
                s.staff_keys = Some(view);
            }
            self.say("", false);
        }
    }

    /// Back to home; a recovery key still shown goes with the screen.
    pub fn close_staff_keys(&mut self) {
        if let Some(s) = self.signed_in.as_mut() {
            s.staff_keys = None;
        }
    }

    fn signed_in_id(&self) -> String {
        self.signed_in
            .as_ref()
            .map(|s| s.actor.staff_id().to_owned())
            .unwrap_or_default()
    }

    /// One person as the screen words them.
    fn staff_row(&self, s: StaffListing) -> StaffKeysRow {
        let lang = &self.lang;
        let text = match (s.active, s.role) {
            (false, _) => t(lang, "{} — retired", &[&s.name]),
            (true, Role::Manager) => t(lang, "{} — manager", &[&s.name]),
            (true, Role::Clinician) => t(lang, "{} — clinician", &[&s.name]),
            (true, Role::Reception) => t(lang, "{} — reception", &[&s.name]),
        };
        StaffKeysRow {
            text,
            me: s.id == self.signed_in_id(),
            active: s.active,
            id: s.id,
            name: s.name,
        }
    }

    fn name_of(&self, staff_id: &str) -> String {
        self.staff_keys()
            .and_then(|v| v.staff.iter().find(|r| r.id == staff_id))
            .map(|r| r.name.clone())
            .unwrap_or_default()
    }

    /// Reports a done act (unless old copies wait in the journal) and reads the list again.
    fn staff_done(&mut self, text: String, cleared: WalCheckpoint) {
        let recovery_key = self
            .signed_in
            .as_mut()
            .and_then(|s| s.staff_keys.take())
            .and_then(|v| v.recovery_key);
        self.open_staff_keys();
        if let Some(view) = self.signed_in.as_mut().and_then(|s| s.staff_keys.as_mut()) {
            view.recovery_key = recovery_key;
        }
        if cleared == WalCheckpoint::OldCopiesRemain {
            self.say_t(
                "Done; old copies stay in the journal until the other window closes.",
                &[],
                false,
            );
        } else {
            self.say(text, true);
        }
    }

    /// Adds a staff member; `role` is `reception`, `clinician` or `manager` (who also needs a
    /// passphrase, typed twice). Slow (PIN hashing, key derivation for a manager).
    pub fn add_staff(
        &mut self, name: &str, role: &str, pin: &str, passphrase: &str, repeated: &str,
        now: DateTime<Utc>,
    ) {
        let Some(role) = Role::parse(role) else {
            return;
        };
        let new = NewStaff {
            name,
            role,
            pin,
            passphrase,
            repeated,
        };
        if self
            .staff_act(|records, actor| actions::add_staff(records, actor, &new, now))
            .is_some()
        {
            let text = t(&self.lang, "{} is added and can sign in.", &[name.trim()]);
            self.staff_done(text, WalCheckpoint::Truncated);
        }
    }

    /// Retires a staff member: they can no longer sign in; their name stays in the history.
    pub fn retire_staff(&mut self, staff_id: &str, now: DateTime<Utc>) {
        let name = self.name_of(staff_id);
        if let Some(cleared) =
            self.staff_act(|records, actor| actions::retire(records, actor, staff_id, now))
        {
            let text = t(
                &self.lang,
                "{} is retired: they can no longer sign in; their name stays on everything they did.",
                &[&name],
            );
            self.staff_done(text, cleared);
        }
    }

    /// Sets a new PIN for someone else. Slow (PIN hashing).
    pub fn reset_staff_pin(&mut self, staff_id: &str, pin: &str, now: DateTime<Utc>) {
        let name = self.name_of(staff_id);
        if self
            .staff_act(|records, actor| actions::reset_pin(records, actor, staff_id, pin, now))
            .is_some()
        {
            let text = t(
                &self.lang,
                "The new PIN for {} is set; the old one no longer works.",
                &[&name],
            );
            self.staff_done(text, WalCheckpoint::Truncated);
        }
    }

    /// Changes the signed-in manager's passphrase. Slow (key derivation).
    pub fn change_passphrase(
        &mut self, current: &str, new: &str, repeated: &str, now: DateTime<Utc>,
    ) {
        if let Some(cleared) = self.staff_act(|records, actor| {
            actions::change_passphrase(records, actor, current, new, repeated, now)
        }) {
            let text = t(
                &self.lang,
                "Passphrase changed. The old one no longer opens this database; copies made before (backups) still do: replace them.",
                &[],
            );
            self.staff_done(text, cleared);
        }
    }

    /// Replaces the recovery key; the new one is shown once.
    pub fn new_recovery_key(&mut self, now: DateTime<Utc>) {
        if let Some((key, cleared)) =
            self.staff_act(|records, actor| actions::new_recovery_key(records, actor, now))
        {
            let text = t(
                &self.lang,
                "New recovery key made; the old one no longer works. Write the new one down now: it is shown once.",
                &[],
            );
            self.staff_done(text, cleared);
            self.show_recovery_key(key.to_printable());
        }
    }

    /// The active managers whose passphrases a rotation needs, the signed-in one first: the
    /// screen asks for one passphrase each.
    pub fn rotation_managers(&self) -> &[RotationSigner] {
        self.staff_keys().map_or(&[], |v| &v.rotation)
    }

    /// Rotates the data key with the passphrases typed (the signed-in manager's and every
    /// other active manager's, in any order; blank ones left out). Slow: every row is sealed
    /// again.
    pub fn rotate_key(&mut self, typed: &[&str], now: DateTime<Utc>) {
        if let Some(rotation) = self.staff_act(|records, actor| {
            actions::rotate_key(records, actor, typed, now, &mut |_, _| {})
        }) {
            let text = t(
                &self.lang,
                "The data key is rotated. Write down the new recovery key; replace old backups: they still open with the old passphrases.",
                &[],
            );
            self.staff_done(text, rotation.cleared);
            self.show_recovery_key(rotation.recovery_key.to_printable());
        }
    }

    fn show_recovery_key(&mut self, key: Zeroizing<String>) {
        if let Some(view) = self.signed_in.as_mut().and_then(|s| s.staff_keys.as_mut()) {
            view.recovery_key = Some(key);
        }
    }

    /// The manager has written the new recovery key down: it is no longer shown.
    pub fn recovery_key_noted(&mut self) {
        if let Some(view) = self.signed_in.as_mut().and_then(|s| s.staff_keys.as_mut()) {
            view.recovery_key = None;
        }
    }

    /// A staff or key refusal in words a manager can act on.
    pub(super) fn say_staff_refusal(&mut self, e: &StaffAdminError) {
        match e {
            StaffAdminError::WrongPassphrase => {
                self.say_t("That passphrase is not right. Nothing was changed.", &[], false)
            }
            StaffAdminError::Passphrase(PassphraseRejection::TooShort { .. }) => {
                self.say_t("The passphrase needs at least 12 characters.", &[], false)
            }
            StaffAdminError::Passphrase(PassphraseRejection::Mismatch) => {
                self.say_t("The two passphrases are not the same.", &[], false)
            }
            StaffAdminError::Passphrase(_) => self.say_t(
                "That passphrase is not allowed: it is too common, or the same as before.",
                &[],
                false,
            ),
            StaffAdminError::Pin(_) => self.say_t(
                "That PIN is not allowed: use 6 to 12 digits and no easy pattern such as 123456 or 111111.",
                &[],
                false,
            ),
            StaffAdminError::LastManager => self.say_t(
                "The last manager cannot be retired. Add another manager first.",
                &[],
                false,
            ),
            StaffAdminError::PassphraseNeeded { name, .. } => self.say_t(
                "The passphrase of {} is needed too (or retire them first).",
                &[name],
                false,
            ),
            StaffAdminError::OwnPin => self.say_t(
                "Your own PIN is not reset here: change it on the kiosk's staff home.",
                &[],
                false,
            ),
            StaffAdminError::UnknownStaff
            | StaffAdminError::AlreadyRetired
            | StaffAdminError::WhichManager { .. } => self.say_t(
                "Nothing to do: they are retired or not on the staff list.",
                &[],
                false,
            ),
            StaffAdminError::Store(store) => self.say_store_failure(store),
            StaffAdminError::WrongPin => {
                self.say_t("That PIN is not right. Nothing was changed.", &[], false)
            }
            StaffAdminError::SignIn(_) => self.say(e.to_string(), false),
        }
    }
}
