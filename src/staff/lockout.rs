//! PIN lockout: after a few consecutive failures a growing delay, after more a hard lock that only
//! a manager can lift. The counter is stored; this module only decides from it.

use chrono::{DateTime, Duration, Utc};

/// The thresholds. Defaults follow the brief: delay from the 3rd failure, lock at the 10th.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub free_failures: u32,
    pub lock_after: u32,
    pub first_delay_secs: i64,
    pub max_delay_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            free_failures: 3,
            lock_after: 10,
            first_delay_secs: 30,
            max_delay_secs: 15 * 60,
        }
    }
}

/// Whether a PIN attempt may be made now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lockout {
    Open,
    /// Try again at this time.
    WaitUntil(DateTime<Utc>),
    /// Only a manager (passphrase) can reset it.
    Locked,
}

impl LockoutPolicy {
    /// The delay after `failures` consecutive failures: none below the threshold, then doubling.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free_failures {
            return Duration::zero();
        }
        let doublings = (failures - self.free_failures).min(20);
        let secs = self
            .first_delay_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay_secs);
        Duration::seconds(secs)
    }

    /// May an attempt be made at `now`, given the stored count and time of the last failure?
    pub fn state(
        &self, failures: u32, last_failure: Option<DateTime<Utc>>, now: DateTime<Utc>,
    ) -> Lockout {
        if failures >= self.lock_after {
            return Lockout::Locked;
        }
        match last_failure {
            Some(at) if failures >= self.free_failures => {
                let until = at + self.delay_after(failures);
                if now < until {
                    Lockout::WaitUntil(until)
                } else {
                    Lockout::Open
                }
            }
            _ => Lockout::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_locks() {
        let p = LockoutPolicy::default();
        let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).expect("valid time");
        assert_eq!(p.state(2, Some(t0), t0), Lockout::Open);
        assert_eq!(
            p.state(3, Some(t0), t0),
            Lockout::WaitUntil(t0 + Duration::seconds(30))
        );
        assert_eq!(
            p.state(3, Some(t0), t0 + Duration::seconds(30)),
            Lockout::Open
        );
        assert_eq!(p.delay_after(4), Duration::seconds(60));
        assert_eq!(p.delay_after(9), Duration::seconds(15 * 60));
        assert_eq!(
            p.state(10, Some(t0), t0 + Duration::days(1)),
            Lockout::Locked
        );
    }
}
