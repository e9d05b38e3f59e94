//! Personal data breaches: UK GDPR Art. 33 asks for a report to the ICO within 72 hours of
//! becoming aware, unless the breach is unlikely to result in a risk to people.

use chrono::{DateTime, Duration, Utc};

pub const REPORT_WINDOW_HOURS: i64 = 72;

/// The clinic's assessment of the risk to the people whose data it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Risk {
    /// Unlikely to result in a risk: recorded, not reported.
    Unlikely,
    /// A risk: report to the regulator within 72 hours.
    Risk,
    /// A high risk: report, and tell the people affected without undue delay.
    High,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Unlikely => "unlikely",
            Risk::Risk => "risk",
            Risk::High => "high",
        }
    }
    pub fn parse(text: &str) -> Option<Risk> {
        [Risk::Unlikely, Risk::Risk, Risk::High]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
    pub fn must_report(self) -> bool {
        self != Risk::Unlikely
    }
}

/// When the report to the regulator is due.
pub fn report_deadline(discovered: DateTime<Utc>) -> DateTime<Utc> {
    discovered + Duration::hours(REPORT_WINDOW_HOURS)
}

/// Whole hours left before the deadline (negative once it has passed).
pub fn hours_left(discovered: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let left = report_deadline(discovered) - now;
    left.num_minutes().div_euclid(60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn seventy_two_hours() {
        let found = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
        assert_eq!(
            report_deadline(found),
            Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
        );
        assert_eq!(hours_left(found, found), 72);
        assert_eq!(hours_left(found, found + Duration::minutes(61)), 70);
        assert_eq!(hours_left(found, found + Duration::hours(73)), -1);
        assert!(Risk::High.must_report() && !Risk::Unlikely.must_report());
        assert_eq!(Risk::parse("risk"), Some(Risk::Risk));
    }
}
