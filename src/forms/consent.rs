//! Consent as a ledger: every decision is an event; the current state is derived from them.

use std::collections::BTreeMap;

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

/// The current decision per item: the last event for each item, in recorded order.
pub fn current_state(events: &[ConsentEvent]) -> BTreeMap<String, Decision> {
    let mut state = BTreeMap::new();
    for e in events {
        state.insert(e.item_id.clone(), e.decision);
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(item: &str, decision: Decision) -> ConsentEvent {
        ConsentEvent {
            id: format!("{item}-{decision:?}"),
            patient_id: "p".into(),
            submission_id: None,
            item_id: item.into(),
            decision,
            text_hash: "sha256:00".into(),
            text_version: "1".into(),
            language: "en".into(),
            recorded_at: "2026-01-01T00:00:00Z".into(),
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
}
