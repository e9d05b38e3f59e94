//! The PIN pad: choosing a tile, typing digits, and what a correct or wrong PIN does (also the PIN prompt that ends a handover early).

use super::*;

impl Kiosk {
    pub fn pin_select(&mut self, staff_id: &str) {
        if self.staff.iter().any(|m| m.id == staff_id) {
            self.pin.staff = Some(staff_id.to_owned());
            self.pin.digits = Zeroizing::new(String::new());
            self.pin.message = None;
        }
    }

    pub fn pin_digit(&mut self, digit: &str) {
        if digit.len() == 1
            && digit.chars().all(|c| c.is_ascii_digit())
            && self.pin.digits.len() < 12
        {
            self.pin.digits.push_str(digit);
        }
    }

    pub fn pin_erase(&mut self) {
        self.pin.digits.pop();
    }

    /// Checks the PIN. Slow (key derivation): call off the UI thread.
    pub fn pin_submit(&mut self) {
        let now = self.now();
        let pin_allowed = match self.screen() {
            Screen::Locked | Screen::HandBack => true,
            Screen::Handover => self.session.pin_prompt(),
            _ => false,
        };
        let Some(staff_id) = self.pin.staff.clone().filter(|_| pin_allowed) else {
            return;
        };
        // OK with no digits is no attempt: nothing counts towards the pause or the lock.
        if self.pin.digits.is_empty() {
            self.pin.message = Some(Message::PinEmpty);
            return;
        }
        let pin = Pin::new(self.pin.digits.as_str());
        self.pin.digits = Zeroizing::new(String::new());
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.sign_in(&staff_id, &pin, now) {
            Ok(actor) => {
                let was_patient_facing = self.screen().is_patient_facing();
                if was_patient_facing && self.screen() == Screen::Handover {
                    // Staff ended the handover early: record it before the form is wiped.
                    self.signed.actor = Some(actor.clone());
                    self.audit(AuditKind::HandoverEnded, "cancelled");
                }
                self.signed.name = self
                    .staff
                    .iter()
                    .find(|m| m.id == staff_id)
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                self.signed.actor = Some(actor);
                let was = self.screen();
                self.apply(Event::PinAccepted);
                if was == Screen::HandBack && self.screen() == Screen::StaffHome {
                    self.message = self.handover_notice.take();
                }
                if was_patient_facing {
                    self.fold_wal();
                }
                self.refresh_today();
            }
            Err(e) => {
                self.pin.message = Some(Message::from_sign_in(&e, now));
                self.apply(Event::PinRejected);
                self.refresh_staff();
            }
        }
    }

    /// Staff have the tablet back: the moment to copy the WAL into the database file, so the
    /// next patient's submit never waits for SQLite to do it. A failure loses nothing (the WAL
    /// keeps every commit); SQLite's own checkpoint remains the backstop.
    fn fold_wal(&self) {
        if let Some(Err(e)) = self.open_store().map(|store| store.fold_wal()) {
            tracing::warn!("kiosk: copying the WAL into the database failed: {e}");
        }
    }

    /// The staff prompt over a form opens with no tile chosen and no digits: the screen stays
    /// the handover, so the wipe on a change of screen does not reach the pad.
    pub fn staff_button(&mut self) {
        if self.screen() == Screen::Handover {
            self.pin = PinPad::default();
            self.apply(Event::StaffButton);
            self.refresh_staff();
        }
    }

    /// Back to the form: who was signing in and how far they got go with the prompt (the patient
    /// sees neither, and the next staff member's digits do not add to them).
    pub fn cancel_pin_prompt(&mut self) {
        self.pin = PinPad::default();
        self.apply(Event::PinPromptCancelled);
    }
}
