//! Opening the desk (a manager's passphrase, then the retention check; or the printed recovery
//! key, so a manager can set a forgotten passphrase anew) and signing staff in.
//!
//! Both are slow (key derivation): the window runs them off the UI thread. [`open_desk`] is the
//! slow step as a plain function over the closed store; [`Desk::take_closed`] and
//! [`Desk::finish_unlock`] hand the store to it and take the result back.

use chrono::{DateTime, Duration, Utc};

use super::{Backend, Desk, DeskRecords, SignedIn, StaffTile};
use crate::i18n::{t, tn};
use crate::settings::DESK_IDLE_SECONDS;
use crate::staff::Lockout;
use crate::store::{OpenStore, RetentionReport, SignInError, Store, StoreError};
use crate::vault::{Passphrase, Pin, RecoveryKey, VaultError};

/// What opening the desk came to.
pub enum Opened {
    /// Open; the retention check ran as the manager (or failed, and says why).
    Open {
        records: Box<OpenStore>,
        retention: Result<RetentionReport, StoreError>,
        idle_lock: Option<Duration>,
    },
    /// Open with the recovery key: a manager signs in and sets their passphrase anew (Staff and
    /// keys). The retention check runs as a manager, so it waits for a passphrase opening.
    OpenByRecovery {
        records: Box<OpenStore>,
        idle_lock: Option<Duration>,
    },
    /// Refused (a wrong passphrase or recovery key, a tampered file): the store stays closed.
    Refused { store: Store, error: StoreError },
}

/// Opens the store with a manager's passphrase and runs the retention check as that manager
/// (erasing what passed its period). Slow: off the UI thread.
pub fn open_desk(store: Store, passphrase: &Passphrase, now: DateTime<Utc>) -> Opened {
    match OpenStore::unlock_as_manager(store, passphrase, now) {
        Ok((open, manager)) => {
            let idle_lock = idle_lock_of(&open);
            let retention = open.run_retention(&manager, now);
            Opened::Open {
                records: Box::new(open),
                retention,
                idle_lock,
            }
        }
        Err(failure) => Opened::Refused {
            store: failure.store,
            error: failure.error,
        },
    }
}

/// Opens the store with the printed recovery key (as typed: groups, any case), when no
/// manager's passphrase is at hand. Counted and logged as the store's recovery opening is.
/// Slow: off the UI thread.
pub fn open_desk_with_recovery(store: Store, typed: &str, now: DateTime<Utc>) -> Opened {
    let Ok(key) = RecoveryKey::parse(typed) else {
        return Opened::Refused {
            store,
            error: StoreError::Vault(VaultError::WrongRecoveryKey),
        };
    };
    match OpenStore::unlock_with_recovery(store, &key, now) {
        Ok(open) => Opened::OpenByRecovery {
            idle_lock: idle_lock_of(&open),
            records: Box::new(open),
        },
        Err(failure) => Opened::Refused {
            store: failure.store,
            error: failure.error,
        },
    }
}

/// The desk's idle lock as the clinic set it (30 s to an hour), if it did.
pub(super) fn idle_lock_of(records: &dyn DeskRecords) -> Option<Duration> {
    let stored = records.setting(DESK_IDLE_SECONDS).ok().flatten()?;
    crate::settings::whole(DESK_IDLE_SECONDS, Some(&stored))
        .map(|secs| Duration::seconds(secs.into()))
}

impl Desk {
    /// Opens the desk with a manager's passphrase (on the calling thread; see [`open_desk`]).
    pub fn unlock(&mut self, passphrase: &str, now: DateTime<Utc>) {
        // Nothing typed is no attempt (a second click after the field emptied itself).
        if passphrase.is_empty() {
            self.say_t("Type the passphrase first.", &[], false);
            return;
        }
        if let Some(store) = self.take_closed() {
            let opened = open_desk(store, &Passphrase::new(passphrase), now);
            self.finish_unlock(opened, now);
        }
    }

    /// Opens the desk with the recovery key (see [`open_desk_with_recovery`]).
    pub fn unlock_with_recovery(&mut self, typed: &str, now: DateTime<Utc>) {
        if typed.trim().is_empty() {
            self.say_t("Type the recovery key first.", &[], false);
            return;
        }
        if let Some(store) = self.take_closed() {
            let opened = open_desk_with_recovery(store, typed, now);
            self.finish_unlock(opened, now);
        }
    }

    /// The closed store, for [`open_desk`] on a worker; the desk shows closed meanwhile.
    pub fn take_closed(&mut self) -> Option<Store> {
        match std::mem::replace(&mut self.backend, Backend::Busy) {
            Backend::Closed(store) => Some(store),
            other => {
                self.backend = other;
                None
            }
        }
    }

    /// Takes the result of [`open_desk`] back and reports it.
    pub fn finish_unlock(&mut self, opened: Opened, now: DateTime<Utc>) {
        match opened {
            Opened::Open {
                records,
                retention,
                idle_lock,
            } => {
                if let Some(idle) = idle_lock {
                    self.idle_lock = idle;
                }
                match retention {
                    Ok(report) => {
                        super::actions::remove_retained_copies(&self.export_dir, &report);
                        let erased = report.erased_adults.len() + report.erased_children.len();
                        let count = u64::try_from(erased).unwrap_or(u64::MAX);
                        let erased = erased.to_string();
                        // Each text written out in its call: extract.py collects only literals.
                        let text = if report.old_copies_remain {
                            tn(
                                &self.lang,
                                "Desk open. Retention check: {} record past its retention period erased; old copies remain in the WAL until the other window closes.",
                                "Desk open. Retention check: {} records past their retention period erased; old copies remain in the WAL until the other window closes.",
                                count,
                                &[&erased],
                            )
                        } else {
                            tn(
                                &self.lang,
                                "Desk open. Retention check: {} record past its retention period erased.",
                                "Desk open. Retention check: {} records past their retention period erased.",
                                count,
                                &[&erased],
                            )
                        };
                        self.say(text, !report.old_copies_remain);
                    }
                    Err(e) => {
                        self.clock_ahead = matches!(e, StoreError::ClockAhead { .. });
                        let words = super::store_words::store_failure_words(&self.lang, &e);
                        self.say_t(
                            "Desk open, but the retention check failed: {}",
                            &[&words],
                            false,
                        );
                    }
                }
                self.backend = Backend::Open(records);
                self.last_activity = now;
            }
            Opened::OpenByRecovery { records, idle_lock } => {
                if let Some(idle) = idle_lock {
                    self.idle_lock = idle;
                }
                self.say_t(
                    "Opened with the recovery key. A manager signs in and sets their passphrase anew under Staff and keys; the retention check runs at the next opening with a passphrase.",
                    &[],
                    true,
                );
                self.backend = Backend::Open(records);
                self.last_activity = now;
            }
            Opened::Refused { store, error } => {
                self.backend = Backend::Closed(store);
                self.say_store_failure(&error);
            }
        }
    }

    /// The staff tiles, with their lockout state.
    pub fn staff(&self, now: DateTime<Utc>) -> Vec<StaffTile> {
        let Some(records) = self.records() else {
            return Vec::new();
        };
        records
            .list_staff(now)
            .unwrap_or_default()
            .into_iter()
            .map(|m| StaffTile {
                note: match m.lockout {
                    Lockout::Open => String::new(),
                    Lockout::Locked => t(&self.lang, "locked: a manager must reset it", &[]),
                    Lockout::WaitUntil(at) => t(
                        &self.lang,
                        "wait until {}",
                        &[&at.format("%H:%M:%S").to_string()],
                    ),
                },
                id: m.id,
                name: m.name,
            })
            .collect()
    }

    pub fn selected_staff(&self) -> Option<&str> {
        self.selected_staff.as_deref()
    }

    pub fn select_staff(&mut self, id: &str) {
        self.selected_staff = Some(id.to_owned());
        self.say("", false);
    }

    /// Signs the selected staff member in with their PIN (same lockout rules as the kiosk).
    /// A blank PIN is no attempt: it is not counted towards the lockout.
    pub fn sign_in(&mut self, pin: &str, now: DateTime<Utc>) {
        let Some(id) = self.selected_staff.clone() else {
            return;
        };
        if pin.is_empty() {
            self.say_t("Type your PIN first.", &[], false);
            return;
        }
        let Backend::Open(records) = &mut self.backend else {
            return;
        };
        match records.sign_in(&id, &Pin::new(pin), now) {
            Ok(actor) => {
                self.signed_in = Some(SignedIn {
                    actor,
                    results: Vec::new(),
                    record: None,
                    form: None,
                    staff_keys: None,
                    imports: Vec::new(),
                });
                self.last_activity = now;
                self.say("", false);
            }
            Err(SignInError::WrongPin { failures, lockout }) => match lockout {
                Lockout::Open => {
                    let text = tn(
                        &self.lang,
                        "Wrong PIN ({} wrong so far).",
                        "Wrong PIN ({} wrong so far).",
                        u64::from(failures),
                        &[&failures.to_string()],
                    );
                    self.say(text, false);
                }
                Lockout::WaitUntil(at) => self.say_t(
                    "Wrong PIN. Too many tries: wait until {}.",
                    &[&at.format("%H:%M:%S").to_string()],
                    false,
                ),
                Lockout::Locked => self.say_t(
                    "Wrong PIN. The account is locked: a manager must reset it.",
                    &[],
                    false,
                ),
            },
            Err(SignInError::Retired) => self.say_t(
                "This staff member has been retired and can no longer sign in. A manager can add them again if they come back.",
                &[],
                false,
            ),
            Err(SignInError::Store(e)) => self.say_store_failure(&e),
            Err(e) => self.say(e.to_string(), false),
        }
    }
}
