//! The receipt shown at hand-back: the patient's choices (no health data) and a reference.

use super::*;

/// How long a receipt stays on the hand-back screen if nobody taps Done, counted from when it
/// appeared (taps meanwhile do not keep it: the next person must not read it).
pub(super) const RECEIPT_SECONDS: u32 = 60;

/// What the patient sees at hand-back: their choices (no health data) and a reference to quote
/// when they want to withdraw a consent or ask for their data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The first 12 hex digits of the submission id, grouped: `A1B2-C3D4-E5F6`.
    pub reference: String,
    /// (consent item id, granted), in the form's order.
    pub choices: Vec<(String, bool)>,
    pub date: String,
    /// Seconds on screen so far: it hides after [`RECEIPT_SECONDS`], touched or not.
    pub shown_secs: u32,
}

impl Receipt {
    /// What the QR code holds: a versioned, plain-text line with no name and no health data.
    pub fn qr_payload(&self, clinic: &str) -> String {
        let choices: Vec<String> = self
            .choices
            .iter()
            .map(|(item, granted)| format!("{item}={}", if *granted { "yes" } else { "no" }))
            .collect();
        format!(
            "IKR1;{clinic};{};{};{}",
            self.date,
            self.reference,
            choices.join(",")
        )
    }
}

impl Kiosk {
    /// The patient is done reading their receipt.
    pub fn receipt_done(&mut self) {
        self.receipt = None;
        self.form_revision += 1;
    }
}
