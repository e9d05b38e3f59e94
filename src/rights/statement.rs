//! What an erasure did, for the patient: what was erased at once, what is held and until when.

use chrono::NaiveDate;

/// The statement given to a patient who asked for erasure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasureStatement {
    /// The reference the patient quotes (the pseudonymous patient id).
    pub patient_id: String,
    /// RFC 3339.
    pub requested_at: String,
    /// What was erased now, in plain words with counts.
    pub erased: Vec<String>,
    /// Medical records held under the retention rule, and the day they are held until
    /// (`None` when nothing is held: the whole record was erased).
    pub held_until: Option<NaiveDate>,
    pub held_submissions: usize,
    /// For staff, not the patient's statement: another program had the database open, so old
    /// copies of what was erased stay in its write-ahead log until that program closes.
    pub old_copies_remain: bool,
}

impl ErasureStatement {
    /// The statement as plain text (English; the clinic translates its letter).
    pub fn to_text(&self, clinic: &str) -> String {
        let mut out = format!(
            "{clinic}\nErasure statement for patient reference {}\nRequest recorded: {}\n\nErased now (cannot be recovered):\n",
            self.patient_id,
            chrono::DateTime::parse_from_rfc3339(&self.requested_at)
                .map(|t| t.format("%-d %B %Y %H:%M UTC").to_string())
                .unwrap_or_else(|_| self.requested_at.clone())
        );
        for item in &self.erased {
            out.push_str(&format!("  - {item}\n"));
        }
        match self.held_until {
            Some(until) => out.push_str(&format!(
                "\nHeld: your medical record ({} form{}, with your name, date of birth, signatures and treatment consent). \
                 The law requires the clinic to keep medical records for a set period. It will be erased after {} \
                 and is not used for anything else until then.\n",
                self.held_submissions,
                if self.held_submissions == 1 { "" } else { "s" },
                until.format("%-d %B %Y")
            )),
            None => out.push_str("\nNothing is held: your whole record was erased.\n"),
        }
        out.push_str(
            "\nCopies the clinic handed to its medical records system are erased there under the same rules.\n",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_names_what_is_held_and_until_when() {
        let s = ErasureStatement {
            patient_id: "p1".into(),
            requested_at: "2026-11-29T10:00:00+00:00".into(),
            erased: vec!["contact details".into(), "3 marketing consents".into()],
            held_until: NaiveDate::from_ymd_opt(2034, 11, 29),
            held_submissions: 2,
            old_copies_remain: false,
        };
        let text = s.to_text("Glow Clinic");
        assert!(text.contains("contact details"));
        assert!(text.contains("2 forms"));
        assert!(text.contains("29 November 2034"));
        let gone = ErasureStatement {
            held_until: None,
            ..s
        };
        assert!(gone.to_text("Glow").contains("Nothing is held"));
    }
}
