//! The kiosk's clock, checked before a handover dates anything by it ([`crate::store::runs_behind`]:
//! a clock set back dates forms the back office refuses), and a manager's word that it is right.

use super::*;
use crate::store::runs_behind;

/// A time as staff read it on the tablet: its local date and minute.
fn shown(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The controller's clock, and the newest times known to be past ([`Kiosk::clock_may_date`]).
pub(super) struct KioskClock {
    pub(super) now: Clock,
    /// The newest time the records held when last read (`None`: not read yet).
    recorded: Option<Option<DateTime<Utc>>>,
    /// The newest time that passed the check in this process (it need not have reached the
    /// records: a write that failed).
    passed: Option<DateTime<Utc>>,
    /// The check refused: the records are read again at the next try.
    read_again: bool,
}

impl KioskClock {
    pub(super) fn new(now: Clock) -> KioskClock {
        KioskClock {
            now,
            recorded: None,
            passed: None,
            read_again: false,
        }
    }
}

impl Kiosk {
    /// Whether the clock may date a form now; `Err` holds what to tell staff when it may not.
    /// The newest recorded time is read from the records once, and each time that passes this
    /// check is kept: a clock set back later in the day is caught without reading again. After
    /// a refusal the records are read again at the next try: a manager may have confirmed the
    /// clock meanwhile from the command line (`kiosk confirm-clock`), which is the only thing
    /// that lowers the records' newest time (it counts from the confirmation); only then is
    /// what passed in this process forgotten too.
    pub(super) fn clock_may_date(&mut self) -> Result<(), Message> {
        let now = self.now();
        let read = self.clock.recorded.is_none() || self.clock.read_again;
        if read && let Some(store) = self.open_store() {
            let newest = store
                .newest_recorded_time()
                .map_err(|e| Message::from_store(&e))?;
            if let (Some(Some(before)), Some(newest)) = (self.clock.recorded, newest)
                && newest < before
            {
                self.clock.passed = None;
            }
            self.clock.recorded = Some(newest);
        }
        let floor = self.clock.recorded.flatten().max(self.clock.passed);
        if let Some(passed) = runs_behind(now, floor) {
            self.clock.read_again = true;
            return Err(Message::ClockBehind {
                reads: shown(now),
                passed: shown(passed),
            });
        }
        self.clock.read_again = false;
        self.clock.passed = Some(floor.map_or(now, |floor| floor.max(now)));
        Ok(())
    }

    /// Whether staff home shows that the clock runs behind (a manager may confirm it).
    pub fn clock_behind(&self) -> bool {
        matches!(self.message, Some(Message::ClockBehind { .. }))
    }

    /// A manager's word that the clock is right although it reads behind what was recorded (a
    /// clock that ran ahead, put right): logged, and the newest recorded time starts again from
    /// now. A clock before this version's release stays refused: no word makes it right.
    pub fn confirm_clock(&mut self) {
        let now = self.now();
        if let Some(release) = runs_behind(now, None) {
            self.message = Some(Message::ClockBehind {
                reads: shown(now),
                passed: shown(release),
            });
            return;
        }
        let confirmed = self.in_panel(false, Message::from_store, |store, actor| {
            Some(store.confirm_clock(actor, now))
        });
        if confirmed.is_some() {
            self.clock.recorded = Some(Some(now));
            self.clock.passed = Some(now);
            self.clock.read_again = false;
            self.message = Some(Message::ClockConfirmed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use super::*;
    use crate::kiosk::memory_records::SharedMemory;
    use crate::kiosk::tests::{kiosk_with_memory, sign_in};
    use crate::store::earliest_plausible;

    /// A kiosk whose clock is the wall clock moved by the returned offset (seconds).
    fn kiosk_with_clock() -> (Kiosk, Arc<AtomicI64>, SharedMemory) {
        let (mut k, shared) = kiosk_with_memory();
        let offset = Arc::new(AtomicI64::new(0));
        let o = offset.clone();
        k.set_clock(Arc::new(move || {
            Utc::now() + chrono::Duration::seconds(o.load(Ordering::SeqCst))
        }));
        (k, offset, shared)
    }

    #[test]
    fn a_clock_set_back_starts_no_handover_until_it_is_put_right() {
        let (mut k, offset, _) = kiosk_with_clock();
        sign_in(&mut k, 1);
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::Handover, "a right clock starts one");
        k.staff_button();
        sign_in(&mut k, 1);
        assert_eq!(k.screen(), Screen::StaffHome);
        // Set back a day (a clock battery, a reset): no handover, staff told why.
        offset.store(-86_400, Ordering::SeqCst);
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::StaffHome);
        assert!(k.clock_behind());
        assert!(matches!(k.message(), Some(Message::ClockBehind { .. })));
        // Network time puts it right: the next try starts.
        offset.store(0, Ordering::SeqCst);
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::Handover);
    }

    #[test]
    fn a_clock_that_ran_ahead_is_confirmed_by_a_manager_only() {
        let (mut k, _, shared) = kiosk_with_clock();
        // Recorded while the clock ran a week ahead.
        shared.lock().unwrap().newest_recorded = Some(Utc::now() + chrono::Duration::days(7));
        sign_in(&mut k, 2);
        k.start_new_handover();
        assert!(k.clock_behind(), "reception is told, and cannot confirm");
        k.confirm_clock();
        k.start_new_handover();
        assert!(k.clock_behind(), "still behind: {:?}", k.message());
        k.lock_now();
        sign_in(&mut k, 0);
        k.start_new_handover();
        assert!(k.clock_behind());
        k.confirm_clock();
        assert_eq!(k.message(), Some(&Message::ClockConfirmed));
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::Handover);
    }

    #[test]
    fn a_clock_confirmed_from_the_command_line_reaches_the_running_window() {
        let (mut k, _, shared) = kiosk_with_clock();
        shared.lock().unwrap().newest_recorded = Some(Utc::now() + chrono::Duration::days(7));
        sign_in(&mut k, 0);
        k.start_new_handover();
        assert!(k.clock_behind());
        // `kiosk confirm-clock` in another process: the records' newest time starts again.
        shared.lock().unwrap().newest_recorded = Some(Utc::now());
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::Handover, "{:?}", k.message());
    }

    #[test]
    fn a_time_that_passed_stays_passed_though_the_records_lack_it() {
        let (mut k, offset, shared) = kiosk_with_clock();
        sign_in(&mut k, 1);
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::Handover);
        k.staff_button();
        sign_in(&mut k, 1);
        // As if the handover's audit entry had not reached the records (a write that failed).
        shared.lock().unwrap().newest_recorded = None;
        offset.store(-86_400, Ordering::SeqCst);
        k.start_new_handover();
        assert!(k.clock_behind());
        // Read again, the records say nothing newer: still refused.
        k.start_new_handover();
        assert!(k.clock_behind(), "{:?}", k.message());
        assert_eq!(k.screen(), Screen::StaffHome);
    }

    #[test]
    fn no_word_makes_a_clock_before_the_release_right() {
        let (mut k, offset, _) = kiosk_with_clock();
        let back = (earliest_plausible() - Utc::now()).num_seconds() - 3_600;
        offset.store(back, Ordering::SeqCst);
        sign_in(&mut k, 0);
        k.start_new_handover();
        assert!(k.clock_behind());
        k.confirm_clock();
        assert!(k.clock_behind(), "still behind: {:?}", k.message());
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::StaffHome);
    }
}
