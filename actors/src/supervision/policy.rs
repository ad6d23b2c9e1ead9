//! Restart policy, OTP style, as a plain struct with no I/O: the intensity window
//! (how many restarts in how long before escalating) and the backoff (how long to
//! wait before the next attempt). Reused by the generic `Supervisor` and by
//! `ListenerSupervisor` for its dynamic children. Time is passed in, so tests drive it.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// When a child is restarted after it exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Always restarted.
    Permanent,
    /// Restarted only after an abnormal exit (panic, error, kill).
    Transient,
    /// Never restarted.
    Temporary,
}

/// Restart intensity: more than `max_restarts` within `within` escalates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Intensity {
    /// Restarts allowed inside the window (default 5).
    pub max_restarts: u32,
    /// Length of the sliding window (default 10 s). Zero disables escalation.
    pub within: Duration,
}

impl Default for Intensity {
    fn default() -> Self {
        Self {
            max_restarts: 5,
            within: Duration::from_secs(10),
        }
    }
}

/// Exponential backoff with full jitter between `min` and the current ceiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// First ceiling and the floor of every delay (default 50 ms).
    pub min: Duration,
    /// Largest ceiling (default 5 s).
    pub max: Duration,
    /// A child that stayed up this long starts again from `min` (default 60 s).
    pub reset_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            min: Duration::from_millis(50),
            max: Duration::from_secs(5),
            reset_after: Duration::from_secs(60),
        }
    }
}

// === impl Backoff ===

impl Backoff {
    /// Ceiling for the `attempt`-th consecutive restart (0-based): `min * 2^attempt`, capped at `max`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.min.saturating_mul(factor).min(self.max).max(self.min)
    }

    /// A jittered delay, uniform in `[min, ceiling(attempt)]`. The floor stays at `min`
    /// (not 0, as textbook full jitter has it) so a crash loop never spins hot.
    pub fn delay(&self, attempt: u32) -> Duration {
        let lo = self.min.min(self.max);
        let hi = self.ceiling(attempt);
        if hi <= lo {
            return lo;
        }
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let nanos = rand::random_range(nanos(lo)..=nanos(hi));
        Duration::from_nanos(nanos)
    }
}

/// What a supervisor does after a child exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Restart after this delay.
    RestartAfter(Duration),
    /// The intensity is exceeded: give up on the child and escalate.
    Escalate,
}

/// Per-child restart bookkeeping: the intensity window and the backoff attempt.
#[derive(Clone, Debug)]
pub struct RestartPolicy {
    intensity: Intensity,
    backoff: Backoff,
    recent: VecDeque<Instant>,
    attempt: u32,
    up_since: Option<Instant>,
}

// === impl RestartPolicy ===

impl RestartPolicy {
    /// A fresh policy for one child.
    pub fn new(intensity: Intensity, backoff: Backoff) -> Self {
        Self {
            intensity,
            backoff,
            recent: VecDeque::new(),
            attempt: 0,
            up_since: None,
        }
    }

    /// The child is up (its factory returned `Ok`) at `now`.
    pub fn started(&mut self, now: Instant) {
        self.up_since = Some(now);
    }

    /// The child exited (or its restart failed in `pre_start`) at `now`.
    /// Records one restart attempt in the window unless it escalates.
    pub fn exited(&mut self, now: Instant) -> Decision {
        if let Some(up) = self.up_since.take()
            && now.saturating_duration_since(up) >= self.backoff.reset_after
        {
            self.attempt = 0;
        }
        while let Some(&t) = self.recent.front() {
            if now.saturating_duration_since(t) >= self.intensity.within {
                self.recent.pop_front();
            } else {
                break;
            }
        }
        if self.recent.len() >= self.intensity.max_restarts as usize {
            return Decision::Escalate;
        }
        self.recent.push_back(now);
        let delay = self.backoff.delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        Decision::RestartAfter(delay)
    }

    /// Consecutive restart attempts since the last reset (drives the backoff ceiling).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn backoff_ceiling_doubles_and_caps() {
        let b = Backoff::default();
        assert_eq!(b.ceiling(0), ms(50));
        assert_eq!(b.ceiling(1), ms(100));
        assert_eq!(b.ceiling(3), ms(400));
        assert_eq!(b.ceiling(7), ms(5000));
        assert_eq!(b.ceiling(40), ms(5000));
        for attempt in 0..12 {
            let d = b.delay(attempt);
            assert!(
                d >= b.min && d <= b.ceiling(attempt),
                "{d:?} out of range at {attempt}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_resets_after_long_uptime() {
        let intensity = Intensity {
            max_restarts: 100,
            within: Duration::from_secs(10),
        };
        let mut p = RestartPolicy::new(intensity, Backoff::default());
        let mut now = Instant::now();
        for expected_attempt in 0..4 {
            assert_eq!(p.attempt(), expected_attempt);
            assert!(matches!(p.exited(now), Decision::RestartAfter(_)));
            p.started(now);
            now += ms(10);
        }
        assert_eq!(p.attempt(), 4);
        // Up for longer than reset_after: the next delay starts from the floor again.
        p.started(now);
        now += Duration::from_secs(61);
        match p.exited(now) {
            Decision::RestartAfter(d) => assert_eq!(d, ms(50)),
            Decision::Escalate => panic!("must not escalate"),
        }
        assert_eq!(p.attempt(), 1);
    }

    #[test]
    fn policy_escalates_beyond_intensity_and_forgets_old_restarts() {
        let mut p = RestartPolicy::new(Intensity::default(), Backoff::default());
        let start = Instant::now();
        for i in 0..5 {
            assert!(matches!(p.exited(start + ms(i)), Decision::RestartAfter(_)));
        }
        assert_eq!(p.exited(start + ms(6)), Decision::Escalate);
        // Ten seconds after the first ones, the window has room again.
        assert!(matches!(
            p.exited(start + Duration::from_secs(10) + ms(5)),
            Decision::RestartAfter(_)
        ));
    }

    #[test]
    fn policy_with_zero_intensity_escalates_first_exit() {
        let mut p = RestartPolicy::new(
            Intensity {
                max_restarts: 0,
                within: Duration::from_secs(1),
            },
            Backoff::default(),
        );
        assert_eq!(p.exited(Instant::now()), Decision::Escalate);
    }
}
