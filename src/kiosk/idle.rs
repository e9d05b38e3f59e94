//! Activity and the idle timers (the handover's warning and wipe, staff home's auto-lock), and close requests.

use super::idle_limits::IdleLimit;
use super::receipt::RECEIPT_SECONDS;

/// Idle limits, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub handover_idle: u32,
    pub handover_warning: u32,
    pub staff_idle: u32,
}

/// The handover's countdown: the last seconds before the wipe, shown on screen.
pub const HANDOVER_WARNING_SECONDS: u32 = 30;

/// The settings' defaults ([`crate::settings`]: `kiosk.handover_idle_seconds`,
/// `kiosk.staff_idle_seconds`), until the clinic's own are read on opening.
impl Default for Timeouts {
    fn default() -> Self {
        let default = |limit: IdleLimit| {
            crate::settings::whole(limit.key(), None).expect("a whole-number setting")
        };
        Timeouts {
            handover_idle: default(IdleLimit::Handover),
            handover_warning: HANDOVER_WARNING_SECONDS,
            staff_idle: default(IdleLimit::StaffHome),
        }
    }
}
use super::*;

impl Kiosk {
    /// Any touch or key.
    pub fn activity(&mut self) {
        self.idle_secs = 0;
        if self.session.countdown() {
            self.apply(Event::StillHere);
        }
    }

    pub fn still_here(&mut self) {
        self.activity();
    }

    /// How many times what the screen showed was wiped (a form wiped, a lock, a hand-back): when
    /// this moves, the window forgets any text copied or selected before (`ui::clipboard`), so
    /// the next patient cannot paste the last one's.
    pub fn screen_wipes(&self) -> u64 {
        self.screen_wipes
    }

    /// Called once a second.
    pub fn tick(&mut self) {
        self.idle_secs = self.idle_secs.saturating_add(1);
        if let Some(receipt) = &mut self.receipt {
            receipt.shown_secs = receipt.shown_secs.saturating_add(1);
        }
        match self.screen() {
            Screen::Handover => {
                let warn_at = self
                    .timeouts
                    .handover_idle
                    .saturating_sub(self.timeouts.handover_warning);
                if self.idle_secs >= self.timeouts.handover_idle {
                    self.apply(Event::IdleTimeout);
                } else if self.idle_secs >= warn_at && !self.session.countdown() {
                    self.apply(Event::IdleWarning);
                }
            }
            Screen::StaffHome if self.idle_secs >= self.timeouts.staff_idle => {
                self.audit(AuditKind::SignedOut, "idle");
                self.apply(Event::IdleTimeout);
                self.refresh_staff();
            }
            Screen::HandBack
                if self
                    .receipt
                    .as_ref()
                    .is_some_and(|r| r.shown_secs >= RECEIPT_SECONDS) =>
            {
                self.receipt = None;
                self.form_revision += 1;
            }
            Screen::Locked | Screen::HandBack
                if self.idle_secs >= 30 && !self.pin.digits.is_empty() =>
            {
                self.pin.digits = Zeroizing::new(String::new());
            }
            _ => {}
        }
    }

    /// The closed kiosk has gone untouched long enough for its typed secret to be wiped.
    pub(super) fn unlock_abandoned(&self) -> bool {
        self.screen() == Screen::Closed && self.idle_secs >= crate::staff::UNLOCK_WIPE_SECONDS
    }

    /// The window's close button or Alt+F4: always refused; the kiosk closes from staff home.
    pub fn close_requested(&mut self) -> bool {
        self.apply(Event::CloseRequested);
        false
    }
}
