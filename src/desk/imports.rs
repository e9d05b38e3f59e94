//! The desk window's import of the kiosks' bundles (managers): from the exchange folder the
//! settings name, each bundle exactly once and on its own (`actions::import_bundles`, as
//! `desk import` does), slow (the adapter runs it off the UI thread). What the last import did
//! stays on the manager's home, one line a bundle, until they sign out.

use chrono::{DateTime, Utc};

use super::actions::{self, ImportDone};
use super::views::line;
use super::{Desk, Line};
use crate::exchange::ExchangeError;
use crate::exchange::desk_side::BundleOutcome;
use crate::i18n::{t, tn};
use crate::staff::Role;

/// A bundle imported before, still in the folder until its kiosk reads the receipt: nothing to
/// look into.
fn already_imported(outcome: &BundleOutcome) -> bool {
    matches!(
        outcome,
        BundleOutcome::Refused {
            error: ExchangeError::Replayed { .. },
            ..
        }
    )
}

impl Desk {
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

    /// The manager's home lines about imports: the folders (or that none is set), then what the
    /// last import in this sign-in did.
    pub fn import_status(&self, now: DateTime<Utc>) -> Vec<Line> {
        if !matches!(self.signed_in_as(now), Some((_, Role::Manager))) {
            return Vec::new();
        }
        let Some((records, _)) = self.signed_in() else {
            return Vec::new();
        };
        let lang = &self.lang;
        let mut lines = vec![match actions::import_folders(records, None, None) {
            Ok(f) => line(
                t(
                    lang,
                    "Bundles are imported from {} and the forms handed on into {}.",
                    &[
                        &f.exchange.display().to_string(),
                        &f.outbox.display().to_string(),
                    ],
                ),
                false,
            ),
            Err(_) => line(
                t(
                    lang,
                    "No folders are set for imports (settings exchange_folder and outbox_folder).",
                    &[],
                ),
                true,
            ),
        }];
        if let Some(s) = &self.signed_in {
            lines.extend(s.imports.iter().cloned());
        }
        lines
    }

    /// The message after an import: how many forms from how many bundles, and any refused.
    fn import_summary(&self, done: &ImportDone) -> (String, bool) {
        let lang = &self.lang;
        let (mut bundles, mut forms, mut held, mut failed) = (0u64, 0u64, 0u64, 0u64);
        for outcome in done.outcomes.iter().filter(|o| !already_imported(o)) {
            match outcome {
                BundleOutcome::Imported {
                    report,
                    outbox_error,
                    ..
                } => {
                    bundles += 1;
                    forms += report.added.len() as u64;
                    held += report.duplicates.len() as u64;
                    failed += u64::from(outbox_error.is_some());
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
                " {} bundle needs attention: see Kiosk bundles.",
                " {} bundles need attention: see Kiosk bundles.",
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
                BundleOutcome::Refused { file, .. } if already_imported(outcome) => line(
                    t(
                        lang,
                        "{}: imported before; the kiosk removes it once it reads its receipt.",
                        &[file],
                    ),
                    false,
                ),
                BundleOutcome::Imported {
                    file,
                    report,
                    outbox_error: None,
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
                BundleOutcome::Imported {
                    file,
                    outbox_error: Some(e),
                    ..
                } => line(
                    t(
                        lang,
                        "{}: stored, but the outbox was not written: {}",
                        &[file, e],
                    ),
                    true,
                ),
                BundleOutcome::Refused { file, error } => line(
                    t(
                        lang,
                        "{}: REFUSED, nothing of it was imported: {}",
                        &[file, &error.to_string()],
                    ),
                    true,
                ),
            })
            .collect()
    }
}
