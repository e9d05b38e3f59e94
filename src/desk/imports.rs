//! The desk window's kiosk panel (managers): the folders it exchanges with kiosks (settings
//! `exchange_folder`, `outbox_folder`), pairing a kiosk from its code or a picture of its QR
//! code (`actions::pair_kiosk`, as `desk pair` does; confirming is `office_actions`), and the
//! import of the kiosks' bundles: each exactly once and on its own (`actions::import_bundles`,
//! as `desk import` does), slow (the adapter runs it off the UI thread). What the last import
//! did stays on the manager's home, one line a bundle, until they sign out.

use chrono::{DateTime, Utc};

use std::path::{Path, PathBuf};

use super::actions::{self, ActionError, ActionResult, ImportDone};
use super::exchange_words::exchange_failure_words;
use super::views::{line, short_kiosk_id};
use super::{Desk, Line};
use crate::exchange::ExchangeError;
use crate::exchange::desk_side::{BundleOutcome, KnownKiosk, PairingCode};
use crate::i18n::{msgid, t, tn};
use crate::staff::Role;
use crate::store::StoreError;
use crate::sync::SyncError;

/// How the window tells a picture from a code: a full path (the code itself starts `IKP1:`).
fn pairing_code(typed: &str) -> PairingCode<'_> {
    let typed = typed.trim();
    if typed.starts_with('/') {
        PairingCode::Picture(Path::new(typed))
    } else {
        PairingCode::Text(typed)
    }
}

impl Desk {
    /// Sets the exchange and outbox folders (managers); a field left empty keeps its folder.
    pub fn save_folders(&mut self, exchange: &str, outbox: &str, now: DateTime<Utc>) {
        self.act_saying(msgid("Folders saved."), |records, actor| {
            actions::set_import_folders(records, actor, exchange, outbox, now)
        });
    }

    /// Pairs a kiosk from what a manager typed: its pairing code, or the full path of a
    /// picture of its QR code. `replace`: the same tablet pairing again gets its new key.
    pub fn pair_kiosk(&mut self, typed: &str, replace: bool, now: DateTime<Utc>) {
        let Some((records, actor)) = self.signed_in() else {
            return;
        };
        let known = if replace {
            KnownKiosk::Replace
        } else {
            KnownKiosk::Refuse
        };
        let code = pairing_code(typed);
        match actions::pair_kiosk(records, actor, code, None, known, now) {
            Ok(answered) => {
                let mut text = String::new();
                if answered.replaced {
                    text = t(
                        &self.lang,
                        "Kiosk {}'s old key is replaced (logged). ",
                        &[short_kiosk_id(&answered.kiosk_id)],
                    );
                }
                text.push_str(&t(
                    &self.lang,
                    "Answer written to {}. Kiosk {} waits for confirmation: on the kiosk, tap \"Read the back office's answer\", then type the code it shows under \"Kiosks waiting for confirmation\".",
                    &[
                        &answered.file.display().to_string(),
                        short_kiosk_id(&answered.kiosk_id),
                    ],
                ));
                self.say(text, true);
            }
            Err(e) => self.say_pairing_refusal(e, code),
        }
    }

    /// A refused pairing in the manager's words: what to do next.
    fn say_pairing_refusal(&mut self, e: ActionError, code: PairingCode<'_>) {
        match (&e, code) {
            (ActionError::Store(StoreError::KioskAlreadyPaired { kiosk_id, .. }), _) => self.say_t(
                "Kiosk {} is already paired with this desk. If it is the same tablet pairing again, use \"Same tablet again: replace its key\".",
                &[kiosk_id],
                false,
            ),
            (ActionError::Store(StoreError::KioskRevoked { kiosk_id }), _) => self.say_t(
                "Kiosk {} was revoked and never pairs again. A tablet that was reset pairs under a new id: start pairing on it again.",
                &[kiosk_id],
                false,
            ),
            (ActionError::Exchange(ExchangeError::Sync(SyncError::Expired)), _) => self.say_t(
                "That pairing code has expired: tap \"Start pairing\" on the kiosk again.",
                &[],
                false,
            ),
            (ActionError::Exchange(ExchangeError::Sync(_)), PairingCode::Text(_)) => self.say_t(
                "That is not a kiosk's pairing code. Copy all of it (it starts with IKP1:), or give the full path of a picture of the QR code.",
                &[],
                false,
            ),
            (
                ActionError::Exchange(ExchangeError::UnreadablePicture { .. }),
                PairingCode::Picture(path),
            ) => {
                self.say_t(
                    "No pairing code could be read from {}: take a sharper photo or screenshot of the kiosk's QR code, or paste the code.",
                    &[&path.display().to_string()],
                    false,
                )
            }
            (ActionError::Exchange(read), PairingCode::Picture(path)) => self.say_t(
                "No pairing code could be read from {}: {}",
                &[
                    &path.display().to_string(),
                    &exchange_failure_words(&self.lang, read),
                ],
                false,
            ),
            _ => self.failed(e),
        }
    }

    /// Imports every bundle in the exchange folder into the outbox folder (settings
    /// `exchange_folder`, `outbox_folder`). Slow.
    pub fn import_bundles(&mut self, now: DateTime<Utc>) {
        let Some((records, actor)) = self.admin() else {
            return;
        };
        let done = actions::import_folders(&*records, None, None).and_then(|folders| {
            actions::import_bundles(records, &actor, folders, now, &mut |_, _, _| {})
        });
        match done {
            Ok(done) => {
                let (summary, good) = self.import_summary(&done);
                let lines = self.import_lines(&done);
                if let Some(s) = self.signed_in.as_mut() {
                    s.imports = lines;
                }
                self.say(summary, good);
            }
            Err(e) => self.failed(e),
        }
    }

    /// The manager's home lines about kiosks and bundles: each folder (or that it is not set, an
    /// alert), then what the last import in this sign-in did.
    pub fn import_status(&self, now: DateTime<Utc>) -> Vec<Line> {
        if !matches!(self.signed_in_as(now), Some((_, Role::Manager))) {
            return Vec::new();
        }
        let Some((records, _)) = self.signed_in() else {
            return Vec::new();
        };
        let lang = &self.lang;
        // Each folder where it is set, or that it is not (an alert).
        let folder = |set: ActionResult<PathBuf>, set_at: &str, unset: &str| match set {
            Ok(f) => line(t(lang, set_at, &[&f.display().to_string()]), false),
            Err(_) => line(t(lang, unset, &[]), true),
        };
        let mut lines = vec![
            folder(
                actions::exchange_folder(records),
                msgid("Kiosks' bundles are imported from {}, and pairing answers written there."),
                msgid(
                    "No exchange folder is set: set it below to pair kiosks and import their bundles.",
                ),
            ),
            folder(
                actions::outbox_folder(records),
                msgid("Imported forms are handed on into {} (FHIR, JSON and a printable page)."),
                msgid("No outbox folder is set: set it below so imported forms are handed on."),
            ),
        ];
        if let Some(s) = &self.signed_in {
            lines.extend(s.imports.iter().cloned());
        }
        lines
    }

    /// The message after an import: how many forms from how many bundles, and any refused.
    fn import_summary(&self, done: &ImportDone) -> (String, bool) {
        let lang = &self.lang;
        let (mut bundles, mut forms, mut held, mut failed) = (0u64, 0u64, 0u64, 0u64);
        for outcome in done.outcomes.iter().filter(|o| !o.already_imported()) {
            match outcome {
                BundleOutcome::Imported {
                    report,
                    receipt_error,
                    ..
                } => {
                    bundles += 1;
                    forms += report.added.len() as u64;
                    held += report.duplicates.len() as u64;
                    failed += u64::from(receipt_error.is_some());
                }
                BundleOutcome::Refused { .. } => failed += 1,
            }
        }
        if bundles + failed == 0 {
            let text = t(
                lang,
                "No new bundles in {}.",
                &[&done.folders.exchange.display().to_string()],
            );
            return (text, true);
        }
        let mut text = tn(
            lang,
            "{} new form imported",
            "{} new forms imported",
            forms,
            &[&forms.to_string()],
        );
        text.push_str(&tn(
            lang,
            " from {} bundle",
            " from {} bundles",
            bundles,
            &[&bundles.to_string()],
        ));
        text.push_str(&t(lang, " ({} already held).", &[&held.to_string()]));
        if failed > 0 {
            text.push_str(&tn(
                lang,
                " {} bundle needs attention: see Kiosks and bundles.",
                " {} bundles need attention: see Kiosks and bundles.",
                failed,
                &[&failed.to_string()],
            ));
        }
        (text, failed == 0)
    }

    /// One line a bundle: what it brought, or why it was refused (an alert).
    fn import_lines(&self, done: &ImportDone) -> Vec<Line> {
        let lang = &self.lang;
        done.outcomes
            .iter()
            .map(|outcome| match outcome {
                BundleOutcome::Refused { file, .. } if outcome.already_imported() => line(
                    t(
                        lang,
                        "{}: imported before; the kiosk removes it once it reads its receipt.",
                        &[file],
                    ),
                    false,
                ),
                BundleOutcome::Imported {
                    file,
                    receipt_error: Some(e),
                    ..
                } => line(
                    t(
                        lang,
                        "{}: stored, but its receipt was not written ({}): the kiosk keeps the forms until it has one. Import again once the exchange folder can be written to.",
                        &[file, e],
                    ),
                    true,
                ),
                BundleOutcome::Imported {
                    file,
                    report,
                    receipt_error: None,
                    ..
                } => line(
                    t(
                        lang,
                        "{}: {} new, {} already held; receipt written.",
                        &[
                            file,
                            &report.added.len().to_string(),
                            &report.duplicates.len().to_string(),
                        ],
                    ),
                    false,
                ),
                BundleOutcome::Refused { file, error } => line(
                    t(
                        lang,
                        "{}: REFUSED, nothing of it was imported: {}",
                        &[file, &exchange_failure_words(lang, error)],
                    ),
                    true,
                ),
            })
            .collect()
    }
}
