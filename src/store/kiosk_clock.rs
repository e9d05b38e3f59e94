//! How far the desk trusts a kiosk's clock. The times a bundle carries decide things at the desk:
//! when a form was filled (the patient's last visit, hence when retention erases the record;
//! whose contact details are the newest) and when each consent decision was made (which one is
//! current). So every such time must be a valid RFC 3339 time, no later than the desk's clock
//! plus [`KIOSK_CLOCK_SKEW`], and no earlier than [`USED_BEFORE_PAIRING`] before the kiosk's
//! first pairing with this desk (a kiosk may take forms before its back office is set up; until
//! session 50 the bound was the pairing minus the skew, and a form filled before pairing blocked
//! every later bundle of its kiosk). Each form's times are checked as the form is read, before
//! anything of it is stored, inside the bundle's one transaction: one bad time refuses the whole
//! bundle (rolled back). A kiosk whose clock jumped (a reset tablet dates forms in 1970, and
//! retention would erase them at once) or a bundle that is not genuine is stopped, not
//! half-imported.
//!
//! The kiosk's security events (wrong PINs, lockouts) only feed the desk's unusual-access flags;
//! they are checked against the future bound only, because the log a bundle carries reaches back
//! before the pairing.

use chrono::{DateTime, TimeDelta, Utc};

use super::transfer::{ExportedSubmission, SecurityEvent};

/// How far a kiosk's clock may differ from the desk's. The tablet and the desk keep time
/// separately and a tablet may go weeks without network time (a quartz clock drifts about a
/// minute a month), and either clock may have been set by hand: ten minutes absorbs that. It is
/// also all a kiosk's clock can gain: a decision dated ahead outranks decisions made at the
/// desk for at most ten minutes (and a withdrawal at the desk is dated past it regardless, see
/// `OpenStore::record_consent`).
pub const KIOSK_CLOCK_SKEW: TimeDelta = TimeDelta::minutes(10);

/// How long before its pairing a kiosk may have taken forms: a clinic may start with the tablet
/// before the back office is set up. A clock reset to 1970 or years back is still refused.
pub const USED_BEFORE_PAIRING: TimeDelta = TimeDelta::days(30);

/// A time as a kiosk wrote it, as an instant; `None` when it is not RFC 3339.
fn kiosk_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The desk's bounds for the times of one bundle of a paired kiosk (see the module doc). The
/// error of each check says which value is wrong and why, for the manager.
#[derive(Clone, Copy)]
pub(super) struct BundleTimes {
    bounds: Bounds,
}

impl BundleTimes {
    pub(super) fn new(paired_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        BundleTimes {
            bounds: Bounds {
                earliest: Some(paired_at - USED_BEFORE_PAIRING),
                paired_at,
                latest: now + KIOSK_CLOCK_SKEW,
                now,
            },
        }
    }

    /// Checks the times of form `s` (its own and its consent decisions') and gives back its
    /// time, read once here.
    pub(super) fn submission(&self, s: &ExportedSubmission) -> Result<DateTime<Utc>, String> {
        let what = || format!("form {}", shown(&s.submission_id));
        let submitted = self.bounds.check(&s.submitted_at, what)?;
        // A form's decisions are taken together, as a rule when it is submitted: most carry the
        // form's time or the one before, checked once.
        let mut checked: Option<&str> = Some(&s.submitted_at);
        for event in &s.consents {
            if checked == Some(event.recorded_at.as_str()) {
                continue;
            }
            self.bounds.check(&event.recorded_at, || {
                format!("a consent decision in form {}", shown(&s.submission_id))
            })?;
            checked = Some(&event.recorded_at);
        }
        Ok(submitted)
    }

    /// Checks the times of the kiosk's security events, against the future bound only.
    pub(super) fn security(&self, events: &[SecurityEvent]) -> Result<(), String> {
        let future_only = Bounds {
            earliest: None,
            ..self.bounds
        };
        for event in events {
            future_only.check(&event.at, || {
                format!("security event {} of the kiosk's log", event.seq)
            })?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct Bounds {
    earliest: Option<DateTime<Utc>>,
    paired_at: DateTime<Utc>,
    latest: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl Bounds {
    /// `text` as an instant, when it is one inside the bounds.
    fn check(&self, text: &str, what: impl Fn() -> String) -> Result<DateTime<Utc>, String> {
        let minutes = KIOSK_CLOCK_SKEW.num_minutes();
        let Some(at) = kiosk_time(text) else {
            return Err(format!("{} has no valid time ({:?})", what(), shown(text)));
        };
        if at > self.latest {
            return Err(format!(
                "{} is dated {}, more than {minutes} minutes after this desk's clock ({}): the kiosk's clock runs ahead, this desk's clock runs behind (check its date and time), or the bundle is not genuine",
                what(),
                at.to_rfc3339(),
                self.now.to_rfc3339()
            ));
        }
        if self.earliest.is_some_and(|earliest| at < earliest) {
            return Err(format!(
                "{} is dated {}, more than {} days before the kiosk was paired with this desk ({}): the kiosk's clock was wrong or the bundle is not genuine",
                what(),
                at.to_rfc3339(),
                USED_BEFORE_PAIRING.num_days(),
                self.paired_at.to_rfc3339()
            ));
        }
        Ok(at)
    }
}

/// At most 40 characters of a value from the bundle, for a message.
fn shown(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::forms::{Answers, ConsentEvent, Decision, PatientIdentity, Signature};
    use crate::store::Outgoing;

    /// Every time in `incoming` checked as an import checks them: its security events, then
    /// each form's.
    fn check_bundle_times(
        incoming: &Outgoing, paired_at: DateTime<Utc>, now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, String> {
        let times = BundleTimes::new(paired_at, now);
        times.security(&incoming.security)?;
        incoming
            .submissions
            .iter()
            .map(|s| times.submission(s))
            .collect()
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0)
            .single()
            .expect("valid time")
    }

    fn bundle(submitted_at: &str, security_at: &str) -> Outgoing {
        bundle_with_consent(submitted_at, submitted_at, security_at)
    }

    fn bundle_with_consent(submitted_at: &str, decided_at: &str, security_at: &str) -> Outgoing {
        let consent = ConsentEvent {
            id: "e1".into(),
            patient_id: "p1".into(),
            submission_id: Some("s1".into()),
            item_id: "marketing_sms".into(),
            decision: Decision::Granted,
            text_hash: "sha256:00".into(),
            text_version: "1".into(),
            language: "en".into(),
            recorded_at: decided_at.into(),
            device_id: "kiosk".into(),
            signature_ref: Some("s1".into()),
        };
        Outgoing {
            submissions: vec![ExportedSubmission {
                version: 1,
                submission_id: "s1".into(),
                kiosk_patient_id: "p1".into(),
                identity: PatientIdentity::default(),
                answers: Answers::default(),
                signature: Signature::default(),
                consents: vec![consent],
                form_hash: "sha256:00".into(),
                notice_hash: "sha256:00".into(),
                language: "en".into(),
                submitted_at: submitted_at.into(),
                packed: Default::default(),
            }],
            forms: Vec::new(),
            security: vec![SecurityEvent {
                seq: 1,
                at: security_at.into(),
                kind: "sign_in_failed".into(),
            }],
        }
    }

    #[test]
    fn times_inside_the_window_pass_with_the_skew_either_side() {
        let (paired, now) = (at(9, 0), at(12, 0));
        for submitted in [
            "2026-11-23T10:00:00+00:00",
            // The kiosk's clock 9 minutes behind at pairing, or 9 minutes ahead now.
            "2026-11-23T08:51:00+00:00",
            // A form taken before the kiosk was paired (the back office set up later).
            "2026-11-23T08:49:00+00:00",
            "2026-10-25T09:00:00Z",
            "2026-11-23T12:09:00Z",
            // The same instant in another offset.
            "2026-11-23T13:00:00+01:00",
        ] {
            assert_eq!(
                check_bundle_times(&bundle(submitted, submitted), paired, now),
                Ok(vec![kiosk_time(submitted).unwrap()]),
                "{submitted}"
            );
        }
    }

    #[test]
    fn a_time_in_the_future_before_pairing_or_not_a_time_is_refused() {
        let (paired, now) = (at(9, 0), at(12, 0));
        // (the form's time, what the refusal says)
        for (submitted, says) in [
            ("2026-11-23T12:11:00+00:00", "after this desk's clock"),
            (
                "2026-10-24T08:59:00+00:00",
                "30 days before the kiosk was paired",
            ),
            ("1970-01-01T00:00:00Z", "1970"),
            ("yesterday", "no valid time"),
        ] {
            let refused =
                check_bundle_times(&bundle(submitted, "2026-11-23T10:00:00Z"), paired, now)
                    .unwrap_err();
            assert!(refused.contains(says), "{submitted}: {refused}");
        }
        let future = check_bundle_times(
            &bundle("2026-11-23T12:11:00+00:00", "2026-11-23T10:00:00Z"),
            paired,
            now,
        )
        .unwrap_err();
        assert!(future.contains("form s1"), "{future}");
        // Either clock may be the wrong one: the manager is told to check the desk's too.
        assert!(future.contains("this desk's clock runs behind"), "{future}");
        // A consent decision dated ahead in an otherwise good form.
        let ahead = check_bundle_times(
            &bundle_with_consent(
                "2026-11-23T10:00:00Z",
                "2027-11-23T10:00:00Z",
                "2026-11-23T10:00:00Z",
            ),
            paired,
            now,
        )
        .unwrap_err();
        assert!(ahead.contains("a consent decision in form s1"), "{ahead}");
        // Decisions sharing a good time are checked once; one after them dated ahead is still
        // found.
        let good = "2026-11-23T10:00:00Z";
        let mut late = bundle_with_consent(good, good, good);
        let first = late.submissions[0].consents[0].clone();
        let mut last = first.clone();
        last.recorded_at = "2027-11-23T10:00:00Z".into();
        late.submissions[0].consents = vec![first.clone(), first, last];
        let refused = check_bundle_times(&late, paired, now).unwrap_err();
        assert!(
            refused.contains("a consent decision in form s1"),
            "{refused}"
        );
    }

    #[test]
    fn security_events_may_predate_the_pairing_but_not_be_in_the_future() {
        let (paired, now) = (at(9, 0), at(12, 0));
        let ok = "2026-11-23T10:00:00Z";
        assert_eq!(
            check_bundle_times(&bundle(ok, "2026-10-01T08:00:00Z"), paired, now),
            Ok(vec![at(10, 0)])
        );
        let future =
            check_bundle_times(&bundle(ok, "2026-11-24T08:00:00Z"), paired, now).unwrap_err();
        assert!(future.contains("security event 1"), "{future}");
    }
}
