//! The register of rights requests: what a patient asked for and when it is due. UK GDPR
//! Art. 12(3): within one month of receipt, extendable by two further months where requests are
//! complex or numerous, with the reason told to the patient.

use chrono::{Months, NaiveDate};

/// The right a request invokes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    Access,
    Portability,
    Rectification,
    Erasure,
    Restriction,
    Objection,
    Withdrawal,
}

impl RequestKind {
    pub const ALL: [RequestKind; 7] = [
        RequestKind::Access,
        RequestKind::Portability,
        RequestKind::Rectification,
        RequestKind::Erasure,
        RequestKind::Restriction,
        RequestKind::Objection,
        RequestKind::Withdrawal,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Portability => "portability",
            RequestKind::Rectification => "rectification",
            RequestKind::Erasure => "erasure",
            RequestKind::Restriction => "restriction",
            RequestKind::Objection => "objection",
            RequestKind::Withdrawal => "withdrawal",
        }
    }
    pub fn parse(text: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Open,
    Done,
    Refused,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Done => "done",
            RequestStatus::Refused => "refused",
        }
    }
    pub fn parse(text: &str) -> Option<RequestStatus> {
        [
            RequestStatus::Open,
            RequestStatus::Done,
            RequestStatus::Refused,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The most a due date may be extended by, in months.
pub const MAX_EXTENSION_MONTHS: u32 = 2;

/// One calendar month after receipt; the corresponding day, or the month's last day when it has
/// none (received 31 January → due 28/29 February), as the ICO counts it.
pub fn due_date(received: NaiveDate) -> NaiveDate {
    received
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a request received on `received` may still be extended on `today`: the patient must
/// be told of an extension within one month of receipt (UK GDPR Art. 12(3)), so not once the
/// first due date has passed.
pub fn may_extend(received: NaiveDate, today: NaiveDate) -> bool {
    today <= due_date(received)
}

/// The due date after an extension of `months` (1 or 2) further months from receipt.
pub fn extended_due_date(received: NaiveDate, months: u32) -> Option<NaiveDate> {
    (1..=MAX_EXTENSION_MONTHS)
        .contains(&months)
        .then(|| received.checked_add_months(Months::new(1 + months)))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rights::test_date as d;

    #[test]
    fn an_extension_is_decided_within_the_first_month_only() {
        assert!(may_extend(d(2026, 10, 26), d(2026, 10, 26)));
        assert!(may_extend(d(2026, 10, 26), d(2026, 11, 26)));
        assert!(!may_extend(d(2026, 10, 26), d(2026, 11, 27)));
    }

    #[test]
    fn one_calendar_month() {
        assert_eq!(due_date(d(2026, 11, 29)), d(2026, 12, 29));
        assert_eq!(due_date(d(2027, 1, 31)), d(2027, 2, 28));
        assert_eq!(due_date(d(2028, 1, 31)), d(2028, 2, 29));
    }

    #[test]
    fn extensions_are_one_or_two_months() {
        assert_eq!(extended_due_date(d(2026, 11, 29), 2), Some(d(2027, 2, 28)));
        assert_eq!(extended_due_date(d(2026, 11, 29), 1), Some(d(2027, 1, 29)));
        assert_eq!(extended_due_date(d(2026, 11, 29), 0), None);
        assert_eq!(extended_due_date(d(2026, 11, 29), 3), None);
    }

    #[test]
    fn names_round_trip() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RequestStatus::parse("open"), Some(RequestStatus::Open));
        assert_eq!(RequestKind::parse("delete"), None);
    }
}
