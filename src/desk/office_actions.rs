//! What managers do from the desk's home screen: requests, breaches, marketing lists, kiosk
//! confirmation and the retention run. Each calls one use case in [`super::actions`].

use chrono::{DateTime, Duration, Utc};

use super::Desk;
use super::actions::{self, ActionError, ListTo, NewBreachAt};
use super::views::{self, HomeView};
use crate::i18n::{msgid, tn};
use crate::rights::{RequestStatus, Risk};
use crate::store::StoreError;

impl Desk {
    /// The home screen: alerts (overdue requests, breach clocks, unusual access) and registers.
    pub fn home(&self, now: DateTime<Utc>) -> HomeView {
        match self.signed_in() {
            Some((records, actor)) => views::home_view(records, actor, &self.lang, now),
            None => HomeView::default(),
        }
    }

    /// Extends an open request by two further months, with the reason told to the patient
    /// (UK GDPR Art. 12(3); managers).
    pub fn extend_request(&mut self, id: &str, reason: &str, now: DateTime<Utc>) {
        if let Some(due) =
            self.act(|records, actor| actions::extend_request(records, actor, id, 2, reason, now))
        {
            self.say_t("Request extended: now due {}.", &[&due.to_string()], true);
        }
    }

    /// Closes a rights request as done (managers).
    pub fn close_request(&mut self, id: &str, now: DateTime<Utc>) {
        let by = self
            .signed_in_as(now)
            .map(|(name, _)| name)
            .unwrap_or_default();
        let outcome = format!("done at the desk by {by}");
        let done = RequestStatus::Done;
        self.act_saying(msgid("Request marked as done."), |records, actor| {
            actions::close_request(records, actor, id, done, &outcome, now)
        });
    }

    /// Writes the marketing list of one channel (`email`, `sms`, `whatsapp`) as CSV to the
    /// export folder for the clinic's mailing tool (managers; logged).
    pub fn export_marketing(&mut self, channel: &str, now: DateTime<Utc>) {
        let folder = self.export_dir.clone();
        let to = ListTo::Folder(&folder);
        if let Some(list) =
            self.act(|records, actor| actions::marketing_list(records, actor, channel, to, now))
        {
            let text = tn(
                &self.lang,
                "{} patient on the list: {}",
                "{} patients on the list: {}",
                u64::try_from(list.patients).unwrap_or(u64::MAX),
                &[&list.patients.to_string(), &list.file.display().to_string()],
            );
            self.say(text, true);
        }
    }

    /// Records a breach discovered now (managers). The records concerned are those opened,
    /// looked up or changed in the last 24 hours (from the audit log), for the manager to
    /// narrow down with `desk breach` when they know more.
    pub fn record_breach(&mut self, what: &str, risk: &str, now: DateTime<Utc>) {
        let Some(risk) = Risk::parse(risk) else {
            return;
        };
        let breach = NewBreachAt {
            what,
            risk,
            discovered_at: now,
            touched: Some((None, now - Duration::hours(24), now)),
        };
        match self.act(|records, actor| actions::record_breach(records, actor, &breach, now)) {
            Some(recorded) if recorded.must_report => self.say_t(
                "Breach recorded: report it to the ICO within 72 hours (the clock is on this screen).",
                &[],
                true,
            ),
            Some(_) => self.say_t("Breach recorded (risk unlikely: not reportable).", &[], true),
            None => {}
        }
    }

    /// Notes that a breach was reported to the regulator, with their reference (managers).
    pub fn breach_reported(&mut self, id: &str, reference: &str, now: DateTime<Utc>) {
        self.act_saying(msgid("Breach marked as reported."), |records, actor| {
            actions::breach_reported(records, actor, id, reference, now)
        });
    }

    /// Confirms a kiosk's pairing (managers): `typed` is the code the kiosk's screen shows. A code
    /// that does not match leaves the kiosk waiting (and is logged); nothing of it is imported
    /// until this succeeds.
    pub fn confirm_kiosk(&mut self, kiosk_id: &str, typed: &str, now: DateTime<Utc>) {
        let kiosk = Some(kiosk_id);
        if let Some(confirmed) = self
            .act(|records, actor| actions::confirm_kiosk(records, actor, kiosk, typed, None, now))
        {
            self.say_t(
                "Kiosk paired: the codes match ({}). Its forms are imported from now on.",
                &[&confirmed.comparison_code],
                true,
            );
        }
    }

    /// Revokes a kiosk for ever (managers): a lost, stolen or retired tablet.
    pub fn revoke_kiosk(&mut self, kiosk_id: &str, now: DateTime<Utc>) {
        if self
            .act(|records, actor| actions::revoke_kiosk(records, actor, kiosk_id, now))
            .is_some()
        {
            self.say_t(
                "Kiosk {} revoked: its bundles are refused from now on, and it never pairs again.",
                &[super::views::short_kiosk_id(kiosk_id)],
                true,
            );
        }
    }

    /// Runs the retention check now (managers) and reports it.
    pub fn run_retention(&mut self, now: DateTime<Utc>) {
        let exports = self.export_dir.clone();
        let Some((records, actor)) = self.signed_in() else {
            return;
        };
        match actions::retention(records, actor, &exports, now) {
            Ok(report) => {
                self.clock_ahead = false;
                let erased = report.erased_adults.len() + report.erased_children.len();
                let counts = [
                    report.checked.to_string(),
                    report.erased_adults.len().to_string(),
                    report.erased_children.len().to_string(),
                ];
                let counts = counts.each_ref().map(String::as_str);
                if report.old_copies_remain {
                    self.say_t(
                        "Retention check. Records looked at: {}; erased: adults {}, children {}; old copies remain in the WAL until the other window closes.",
                        &counts,
                        false,
                    );
                } else {
                    self.say_t(
                        "Retention check. Records looked at: {}; erased: adults {}, children {}.",
                        &counts,
                        true,
                    );
                }
                if erased > 0
                    && let Some(s) = self.signed_in.as_mut()
                {
                    s.results.clear();
                }
            }
            Err(e) => {
                self.clock_ahead = matches!(e, ActionError::Store(StoreError::ClockAhead { .. }));
                self.failed(e);
            }
        }
    }

    /// Whether the last retention check refused to run on this clock: a manager may confirm it.
    pub fn clock_ahead(&self) -> bool {
        self.clock_ahead
    }

    /// Whether the clock reads behind what the desk has recorded ([`actions::clock_behind`]):
    /// dated actions are refused until it is set right or a manager confirms it.
    pub fn clock_behind(&self, now: DateTime<Utc>) -> bool {
        self.records()
            .is_some_and(|r| matches!(actions::clock_behind(r, now), Ok(Some(_))))
    }

    /// Whether a manager may confirm the clock now (it ran ahead or reads behind).
    pub fn clock_to_confirm(&self, now: DateTime<Utc>) -> bool {
        self.clock_ahead || self.clock_behind(now)
    }

    /// A manager's word that the clock is right, after a retention check refused to run on it
    /// (the desk was not used for that long) or while it reads behind what was recorded (it ran
    /// ahead and was put right); logged.
    pub fn confirm_clock(&mut self, now: DateTime<Utc>) {
        let after_retention = self.clock_ahead;
        if self
            .act(|records, actor| actions::confirm_clock(records, actor, now))
            .is_some()
        {
            self.clock_ahead = false;
            if after_retention {
                self.say_t(
                    "The clock is confirmed as right; run the retention check again.",
                    &[],
                    true,
                );
            } else {
                self.say_t(
                    "The clock is confirmed as right: corrections, requests and breaches are dated by it again.",
                    &[],
                    true,
                );
            }
        }
    }
}
