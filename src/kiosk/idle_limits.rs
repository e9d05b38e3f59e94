//! The clinic's idle limits on this kiosk: how long a handover may sit untouched before its form
//! is wiped, and how long staff home stays open without a touch. Stored as settings (checked and
//! logged by the store, listed by `kiosk settings`, set by `kiosk set` or on the back-office
//! panel); read on opening and after every change.

use super::{Backend, Kiosk, Message, Timeouts};
use crate::settings::{self, KIOSK_HANDOVER_IDLE_SECONDS, KIOSK_STAFF_IDLE_SECONDS};

/// Which idle limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleLimit {
    /// A handover untouched this long is wiped ("please hand back").
    Handover,
    /// Staff home untouched this long locks.
    StaffHome,
}

impl IdleLimit {
    pub const ALL: [IdleLimit; 2] = [IdleLimit::Handover, IdleLimit::StaffHome];

    /// Its setting's key.
    pub fn key(self) -> &'static str {
        match self {
            IdleLimit::Handover => KIOSK_HANDOVER_IDLE_SECONDS,
            IdleLimit::StaffHome => KIOSK_STAFF_IDLE_SECONDS,
        }
    }

    /// The seconds its setting takes, lowest and highest.
    pub fn range(self) -> (u32, u32) {
        match settings::spec(self.key()).map(|s| s.kind) {
            Some(settings::Kind::Whole { low, high }) => (low, high),
            _ => unreachable!("the idle limits are whole-number settings"),
        }
    }
}

impl Timeouts {
    /// Where `limit` is held, in seconds.
    fn of(&mut self, limit: IdleLimit) -> &mut u32 {
        match limit {
            IdleLimit::Handover => &mut self.handover_idle,
            IdleLimit::StaffHome => &mut self.staff_idle,
        }
    }
}

impl Kiosk {
    /// The limit in effect, in seconds.
    pub fn idle_limit(&self, limit: IdleLimit) -> u32 {
        let mut timeouts = self.timeouts;
        *timeouts.of(limit)
    }

    /// Reads the clinic's idle limits: a stored one replaces the limit this kiosk was started
    /// with. One that cannot be read (its row edited outside the app) is not obeyed: the limit
    /// stays as it was, and the message says the records were changed.
    pub(super) fn read_idle_limits(&mut self) {
        let Backend::Open(records) = &self.backend else {
            return;
        };
        for limit in IdleLimit::ALL {
            let seconds = self.timeouts.of(limit);
            match records.setting(limit.key()) {
                Ok(stored) => {
                    if let Some(secs) = stored.and_then(|v| settings::whole(limit.key(), Some(&v)))
                    {
                        *seconds = secs;
                    }
                }
                Err(e) => self.message = Some(Message::from_store(&e)),
            }
        }
    }

    /// A manager sets an idle limit on staff home (the back-office panel): a number of seconds
    /// in the setting's range, stored (checked and logged by the store) and in effect at once.
    pub fn set_idle_limit(&mut self, limit: IdleLimit, typed: &str) {
        let (low, high) = limit.range();
        let Ok(seconds) = settings::validate(limit.key(), typed) else {
            self.message = Some(Message::IdleLimitOutOfRange(format!("{low}–{high}")));
            return;
        };
        let now = self.now();
        let saved = self.in_panel(false, Message::from_store, |records, actor| {
            Some(records.set_setting(actor, limit.key(), &seconds, now))
        });
        if saved.is_some() {
            self.read_idle_limits();
            let seconds = self.idle_limit(limit);
            self.message = Some(match limit {
                IdleLimit::Handover => Message::HandoverIdleSaved(seconds),
                IdleLimit::StaffHome => Message::StaffIdleSaved(seconds),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::memory_records::MemoryRecords;
    use crate::kiosk::tests::{PINS, kiosk, kiosk_over, sign_in};
    use crate::session::Screen;
    use crate::store::AuditKind;

    fn ticks(k: &mut Kiosk, n: u32) {
        for _ in 0..n {
            k.tick();
        }
    }

    #[test]
    fn a_manager_sets_the_handover_wipe_on_staff_home_and_it_holds_at_once() {
        let (mut k, events) = kiosk();
        sign_in(&mut k, 0);
        k.set_idle_limit(IdleLimit::Handover, "5");
        assert_eq!(
            k.message(),
            Some(&Message::IdleLimitOutOfRange("60–900".into()))
        );
        assert_eq!(k.idle_limit(IdleLimit::Handover), 120, "nothing changed");
        k.set_idle_limit(IdleLimit::Handover, " 60 ");
        assert_eq!(k.message(), Some(&Message::HandoverIdleSaved(60)));
        assert_eq!(k.back_office_panel().handover_idle, 60);
        let logged = |kind| {
            events
                .lock()
                .expect("log")
                .iter()
                .filter(|e| e.1 == kind && e.2 == IdleLimit::Handover.key())
                .count()
        };
        assert_eq!(
            logged(AuditKind::SettingsChanged),
            1,
            "the refusal left no trace"
        );

        k.lock_now();
        sign_in(&mut k, 1);
        k.start_new_handover();
        k.set_text("given_name", "Grace");
        ticks(&mut k, 29);
        assert_eq!(k.countdown(), None);
        ticks(&mut k, 1);
        assert_eq!(k.countdown(), Some(30), "the last 30 seconds count down");
        ticks(&mut k, 30);
        assert_eq!(k.screen(), Screen::HandBack);
        assert!(k.form.answers.is_empty(), "wiped after 60 s, not 120");
    }

    #[test]
    fn staff_home_locks_after_the_clinics_limit_and_only_a_manager_sets_it() {
        let (mut k, _) = kiosk();
        sign_in(&mut k, 1);
        k.set_idle_limit(IdleLimit::StaffHome, "45");
        assert_eq!(
            k.idle_limit(IdleLimit::StaffHome),
            180,
            "a clinician may not"
        );
        k.lock_now();
        sign_in(&mut k, 0);
        k.set_idle_limit(IdleLimit::StaffHome, "45");
        assert_eq!(k.message(), Some(&Message::StaffIdleSaved(45)));
        ticks(&mut k, 44);
        assert_eq!(k.screen(), Screen::StaffHome);
        ticks(&mut k, 1);
        assert_eq!(k.screen(), Screen::Locked);
    }

    #[test]
    fn a_kiosk_opening_obeys_the_stored_limits_and_not_one_out_of_range() {
        let records = MemoryRecords::with_staff(&PINS)
            .with_setting(IdleLimit::Handover.key(), "300")
            .with_setting(IdleLimit::StaffHome.key(), "86400");
        let k = kiosk_over(records);
        assert_eq!(k.idle_limit(IdleLimit::Handover), 300);
        assert_eq!(
            k.idle_limit(IdleLimit::StaffHome),
            180,
            "a day-long lock written past the checks is not obeyed"
        );
    }
}
