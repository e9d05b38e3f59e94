//! Consent as a ledger: every decision is an event; the current state is derived from them, by
//! the time each decision was made (not the order the events were stored or imported in).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the patient said about one purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Granted,
    Refused,
    /// A later withdrawal of an earlier grant.
    Withdrawn,
}

impl Decision {
    pub fn is_granted(self) -> bool {
        self == Decision::Granted
    }
}

/// A decision as taken on the tablet, before it is recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentDecision {
    pub item_id: String,
    pub decision: Decision,
    /// Hash of the exact text shown, in the language shown.
    pub text_hash: String,
    pub text_version: String,
    pub language: String,
}

/// A recorded consent event: what was decided, about which text, when, where, how signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub id: String,
    pub patient_id: String,
    pub submission_id: Option<String>,
    pub item_id: String,
    pub decision: Decision,
    pub text_hash: String,
    pub text_version: String,
    pub language: String,
    /// RFC 3339.
    pub recorded_at: String,
    pub device_id: String,
    /// The submission whose signature covers this decision, when there is one.
    pub signature_ref: Option<String>,
}

/// The event that decides each item now: the decision made last (latest `recorded_at`, the time
/// the patient or staff made it), whatever order the events were stored in — a grant from Monday
/// imported on Wednesday does not undo Tuesday's withdrawal. Events made at the same instant are
/// ordered as given (the ledger's insertion order), so the later-stored one wins the tie. A
/// `recorded_at` that is not RFC 3339 counts as older than every dated one: an undated value
/// never overrides a dated decision.
pub fn current_events(events: &[ConsentEvent]) -> BTreeMap<String, &ConsentEvent> {
    let mut current: BTreeMap<String, (Option<DateTime<Utc>>, &ConsentEvent)> = BTreeMap::new();
    for e in events {
        let at = decided_at(e);
        match current.get(&e.item_id) {
            // Strictly earlier than what is held: an older decision arriving late.
            Some((held, _)) if at < *held => {}
            _ => {
                current.insert(e.item_id.clone(), (at, e));
            }
        }
    }
    current
        .into_iter()
        .map(|(item, (_, e))| (item, e))
        .collect()
}

/// The current decision per item (see [`current_events`] for which event decides).
pub fn current_state(events: &[ConsentEvent]) -> BTreeMap<String, Decision> {
    current_events(events)
        .into_iter()
        .map(|(item, e)| (item, e.decision))
        .collect()
}

/// When the decision was made; `None` (older than any date) when the stored text is not a time.
fn decided_at(event: &ConsentEvent) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(event.recorded_at.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(item: &str, decision: Decision) -> ConsentEvent {
        event_at(item, decision, "2026-01-01T00:00:00Z")
    }

    fn event_at(item: &str, decision: Decision, recorded_at: &str) -> ConsentEvent {
        ConsentEvent {
            id: format!("{item}-{decision:?}-{recorded_at}"),
            patient_id: "p".into(),
            submission_id: None,
            item_id: item.into(),
            decision,
            text_hash: "sha256:00".into(),
            text_version: "1".into(),
            language: "en".into(),
            recorded_at: recorded_at.into(),
            device_id: "kiosk".into(),
            signature_ref: None,
        }
    }

    #[test]
    fn grant_withdraw_regrant() {
        let mut events = vec![
            event("marketing_sms", Decision::Granted),
            event("treatment", Decision::Granted),
        ];
        assert_eq!(current_state(&events)["marketing_sms"], Decision::Granted);
        events.push(event("marketing_sms", Decision::Withdrawn));
        assert_eq!(current_state(&events)["marketing_sms"], Decision::Withdrawn);
        assert_eq!(current_state(&events)["treatment"], Decision::Granted);
        events.push(event("marketing_sms", Decision::Granted));
        assert_eq!(current_state(&events)["marketing_sms"], Decision::Granted);
        assert_eq!(events.len(), 4, "history stays");
    }

    #[test]
    fn the_decision_made_last_counts_whatever_the_order_it_was_stored_in() {
        let monday_grant = event_at("marketing_sms", Decision::Granted, "2026-11-23T10:00:00Z");
        let tuesday_withdrawal =
            event_at("marketing_sms", Decision::Withdrawn, "2026-11-24T16:30:00Z");
        // Monday's grant imported on Wednesday, after Tuesday's withdrawal at the desk.
        let stored = [tuesday_withdrawal.clone(), monday_grant.clone()];
        assert_eq!(current_state(&stored)["marketing_sms"], Decision::Withdrawn);
        assert_eq!(
            current_events(&stored)["marketing_sms"].id,
            tuesday_withdrawal.id
        );
        // In the order they were made, the same answer.
        let stored = [monday_grant.clone(), tuesday_withdrawal.clone()];
        assert_eq!(current_state(&stored)["marketing_sms"], Decision::Withdrawn);
        // A grant made after the withdrawal wins, in either storage order.
        let thursday_grant = event_at("marketing_sms", Decision::Granted, "2026-11-26T09:00:00Z");
        for stored in [
            [
                thursday_grant.clone(),
                tuesday_withdrawal.clone(),
                monday_grant.clone(),
            ],
            [
                monday_grant.clone(),
                thursday_grant.clone(),
                tuesday_withdrawal.clone(),
            ],
        ] {
            assert_eq!(current_state(&stored)["marketing_sms"], Decision::Granted);
        }
    }

    #[test]
    fn times_are_compared_as_instants_not_as_text() {
        // 11:00+02:00 is 09:00 UTC: before the withdrawal at 10:00 UTC, though its text sorts after.
        let grant = event_at(
            "marketing_email",
            Decision::Granted,
            "2026-11-23T11:00:00+02:00",
        );
        let withdrawal = event_at(
            "marketing_email",
            Decision::Withdrawn,
            "2026-11-23T10:00:00Z",
        );
        assert_eq!(
            current_state(&[withdrawal.clone(), grant.clone()])["marketing_email"],
            Decision::Withdrawn
        );
        // Sub-second times: the later fraction wins.
        let early = event_at("photos", Decision::Granted, "2026-11-23T10:00:00.5+00:00");
        let late = event_at("photos", Decision::Refused, "2026-11-23T10:00:00.75+00:00");
        assert_eq!(current_state(&[late, early])["photos"], Decision::Refused);
    }

    #[test]
    fn a_tie_goes_to_the_event_stored_last() {
        let at = "2026-11-23T10:00:00+00:00";
        let granted = event_at("marketing_sms", Decision::Granted, at);
        let withdrawn = event_at("marketing_sms", Decision::Withdrawn, at);
        assert_eq!(
            current_state(&[granted.clone(), withdrawn.clone()])["marketing_sms"],
            Decision::Withdrawn
        );
        assert_eq!(
            current_state(&[withdrawn, granted])["marketing_sms"],
            Decision::Granted
        );
    }

    #[test]
    fn an_undated_event_never_overrides_a_dated_one() {
        let dated = event_at("marketing_sms", Decision::Withdrawn, "2026-11-23T10:00:00Z");
        let undated = event_at("marketing_sms", Decision::Granted, "next tuesday");
        assert_eq!(
            current_state(&[dated.clone(), undated.clone()])["marketing_sms"],
            Decision::Withdrawn
        );
        // Alone, it is still the patient's decision.
        assert_eq!(
            current_state(&[undated])["marketing_sms"],
            Decision::Granted
        );
    }
}
