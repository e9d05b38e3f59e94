//! The `desk` commands of patients' rights, retention, breaches and oversight
//! (`src/cli/desk_rights.rs` runs them).

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;

/// Patients' rights, retention, breaches and oversight (`src/cli/desk_rights.rs`).
#[derive(Subcommand, Debug)]
pub enum RightsCommand {
    /// A patient's record: the need-to-know view (logged)
    Record {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
    },
    /// Who opened this patient's record, and when
    AccessHistory {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
    },
    /// A subject access export: JSON, FHIR R4 and HTML
    AccessExport {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
        /// The folder to write the three files into
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Corrects a patient's details (the old ones are kept in the history)
    AmendDetails {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
        /// Why (kept in the history)
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// New given name
        #[arg(long, value_name = "NAME")]
        given: Option<String>,
        /// New family name
        #[arg(long, value_name = "NAME")]
        family: Option<String>,
        /// New date of birth
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_of_birth)]
        dob: Option<String>,
        /// New postcode
        #[arg(long, value_name = "TEXT")]
        postcode: Option<String>,
        /// New email address (empty to remove it)
        #[arg(long, value_name = "ADDRESS", value_parser = super::email_or_none)]
        email: Option<String>,
        /// New phone number
        #[arg(long, value_name = "TEXT")]
        phone: Option<String>,
    },
    /// Merges a duplicate record into the right one (managers)
    Merge {
        /// The record that stays
        #[arg(long, value_name = "ID")]
        into: String,
        /// The duplicate
        #[arg(long, value_name = "ID")]
        from: String,
        /// Why (kept in the history)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Corrects one answer of a submitted form (FHIR status: amended)
    AmendAnswer {
        /// The submission's id
        #[arg(long, value_name = "ID")]
        submission: String,
        /// The question's id in the form
        #[arg(long, value_name = "QID")]
        question: String,
        /// The new answer
        #[arg(long, value_name = "TEXT")]
        value: String,
        /// Why (kept in the history)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Restricts processing of a patient's data (stored only)
    Restrict {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
    },
    /// Lifts a restriction of processing
    Unrestrict {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
    },
    /// Erases a patient's details (the medical record is held until its retention end)
    Erase {
        /// The patient's id
        #[arg(long, value_name = "ID")]
        patient: String,
        /// Write the statement for the patient to FILE instead of stdout
        #[arg(long, value_name = "FILE")]
        statement: Option<PathBuf>,
    },
    /// Erases what passed its retention period
    Retention,
    /// Confirms that the clock is right when the retention check refused to run because the
    /// clock reads more than 92 days after its last run (the desk was not used for that long), or
    /// when corrections, requests and breaches are refused because it reads behind what the desk
    /// recorded (it ran ahead and was put right). Logged. Not for a clock that jumped ahead or
    /// was set back: set the date and time instead
    ConfirmClock,
    /// Logs a patient's rights request (due dates are counted from --received)
    Request {
        /// The kind of request
        #[arg(long, value_parser = ["access", "portability", "rectification", "erasure",
              "restriction", "objection", "withdrawal"])]
        kind: String,
        /// Who asked, and how
        #[arg(long, value_name = "TEXT")]
        requester: String,
        /// How their identity was checked
        #[arg(long, value_name = "TEXT")]
        identity_check: String,
        /// The patient's id, when known
        #[arg(long, value_name = "ID")]
        patient: Option<String>,
        /// When it was received [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        received: Option<NaiveDate>,
        /// Notes
        #[arg(long, value_name = "TEXT", default_value = "")]
        notes: String,
    },
    /// The rights requests and their due dates
    Requests,
    /// Extends a request's deadline by one or two months
    RequestExtend {
        /// The request's id
        #[arg(long, value_name = "ID")]
        id: String,
        /// Months
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=2))]
        months: u32,
        /// Why (told to the requester)
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Closes a request
    RequestClose {
        /// The request's id
        #[arg(long, value_name = "ID")]
        id: String,
        /// How it ended
        #[arg(long, value_parser = ["done", "refused"])]
        status: String,
        /// What was done, or why it was refused
        #[arg(long, value_name = "TEXT")]
        outcome: String,
    },
    /// Records a personal-data breach (the records concerned from the audit log)
    Breach {
        /// What happened
        #[arg(long, value_name = "TEXT")]
        what: String,
        /// The risk to people
        #[arg(long, value_parser = ["unlikely", "risk", "high"])]
        risk: String,
        /// When it was discovered [default: now]
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        discovered: Option<DateTime<Utc>>,
        /// Only the records this staff member touched
        #[arg(long, value_name = "ID", requires = "from")]
        staff: Option<String>,
        /// Records touched from (with --until)
        #[arg(long, value_name = "TIME", value_parser = parse_time, requires = "until")]
        from: Option<DateTime<Utc>>,
        /// Records touched until (with --from)
        #[arg(long, value_name = "TIME", value_parser = parse_time, requires = "from")]
        until: Option<DateTime<Utc>>,
    },
    /// The breaches and their 72-hour clocks
    Breaches,
    /// Marks a breach as reported to the ICO
    BreachReported {
        /// The breach's id
        #[arg(long, value_name = "ID")]
        id: String,
        /// The ICO's reference
        #[arg(long, value_name = "TEXT")]
        reference: String,
    },
    /// The audit chain's check, and the entries about one patient or staff member
    Audit {
        /// Entries about this patient
        #[arg(long, value_name = "ID", conflicts_with = "staff")]
        patient: Option<String>,
        /// Entries by this staff member
        #[arg(long, value_name = "ID")]
        staff: Option<String>,
    },
    /// Sets a setting (checked before it is stored; `desk settings` lists them), e.g.
    /// hours.time_zone, retention.adult_years, flags.records, hours.opens
    Set {
        /// The setting
        #[arg(long, value_name = "KEY")]
        key: String,
        /// Its new value
        #[arg(long, value_name = "VALUE")]
        value: String,
    },
    /// Unusual access in the last days
    Flags {
        /// How many days back
        #[arg(long, value_name = "N", default_value_t = 7)]
        days: i64,
    },
}

/// A date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time.
fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_time(Default::default()).and_utc())
        })
        .map_err(|_| "a date (YYYY-MM-DD) or an RFC 3339 time".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_take_a_date_or_an_rfc3339_time() {
        assert_eq!(
            parse_time("2026-03-29").unwrap().to_rfc3339(),
            "2026-03-29T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("2026-03-29T01:30:00+01:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-29T00:30:00+00:00"
        );
        assert!(parse_time("29/03/2026").is_err());
    }
}
