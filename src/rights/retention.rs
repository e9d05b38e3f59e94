//! How long medical records are held. UK practice (and the clinic's privacy notice): adults'
//! records 8 years after the last visit; children's until their 25th birthday. Both numbers are
//! settings. A record is held until the *later* of the rules that apply, so that it is never
//! erased too early: a 17-year-old seen once is held until 25 *and* at least 8 years.

use chrono::{Months, NaiveDate};

/// The clinic's retention settings for medical records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Years after the last visit an adult's record is held.
    pub adult_years: u32,
    /// The birthday until which a child's record is held.
    pub child_until_age: u32,
    /// Under this age at the last visit, the patient counts as a child.
    pub adult_age: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            adult_years: 8,
            child_until_age: 25,
            adult_age: 18,
        }
    }
}

fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    // 29 February plus a number of years lands on 28 February in a common year.
    date.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// The day until which a record is held (it may be erased from the day after). `date_of_birth`
/// is `None` when it is unknown: the adult rule alone then applies.
pub fn held_until(
    date_of_birth: Option<NaiveDate>, last_visit: NaiveDate, policy: RetentionPolicy,
) -> NaiveDate {
    let after_visit = add_years(last_visit, policy.adult_years);
    match date_of_birth {
        Some(dob) if last_visit < add_years(dob, policy.adult_age) => {
            after_visit.max(add_years(dob, policy.child_until_age))
        }
        _ => after_visit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rights::test_date as d;

    /// Checks `held_until` for each (date of birth, last visit, held until) under `policy`.
    fn holds(policy: RetentionPolicy, cases: &[(Option<NaiveDate>, NaiveDate, NaiveDate)]) {
        for &(dob, visit, until) in cases {
            assert_eq!(
                held_until(dob, visit, policy),
                until,
                "born {dob:?}, last seen {visit}"
            );
        }
    }

    #[test]
    fn adults_are_held_eight_years_after_the_last_visit() {
        holds(
            RetentionPolicy::default(),
            &[
                (Some(d(1980, 5, 1)), d(2026, 11, 29), d(2034, 11, 29)),
                (None, d(2026, 11, 29), d(2034, 11, 29)),
            ],
        );
    }

    #[test]
    fn children_are_held_until_their_25th_birthday() {
        holds(
            RetentionPolicy::default(),
            &[
                // Seen at 12: the 25th birthday (2039) is later than visit + 8 (2034).
                (Some(d(2014, 3, 10)), d(2026, 11, 29), d(2039, 3, 10)),
                // Seen at 17 years 11 months: visit + 8 is later than the 25th birthday.
                (Some(d(2009, 1, 1)), d(2026, 12, 1), d(2034, 12, 1)),
                // The day of the 18th birthday is an adult's visit.
                (Some(d(2008, 11, 29)), d(2026, 11, 29), d(2034, 11, 29)),
            ],
        );
    }

    #[test]
    fn leap_days_and_settings() {
        let policy = RetentionPolicy {
            adult_years: 1,
            child_until_age: 21,
            adult_age: 18,
        };
        holds(
            policy,
            &[
                (None, d(2028, 2, 29), d(2029, 2, 28)),
                (Some(d(2012, 2, 29)), d(2026, 1, 1), d(2033, 2, 28)),
            ],
        );
    }
}
