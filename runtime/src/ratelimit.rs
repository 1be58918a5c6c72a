//! `RateLimit`: at most one event a second per source, counting the ones it holds back.
//!
//! Shared by slow-poll warnings and slow-wait warnings of bounds: a saturated service would
//! otherwise write one line per call, drowning the log it is meant to help read.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// The smallest gap between two events of one source.
const INTERVAL: Duration = Duration::from_secs(1);

/// Last-emit time and held-back count of one event source, in atomics so a `static` can own it.
#[derive(Debug)]
pub(crate) struct RateLimit {
    /// Nanoseconds since [`origin`] of the last event, plus one; 0 means "never".
    last_ns: AtomicU64,
    /// Events held back since the last one that was emitted.
    suppressed: AtomicU64,
}

impl RateLimit {
    pub(crate) const fn new() -> Self {
        RateLimit {
            last_ns: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
        }
    }

    /// Decides for an event happening at `now`: `Some(n)` means emit it and report `n` events
    /// held back before it; `None` means it was held back (and counted).
    ///
    /// Every call is either emitted or counted exactly once, so emitted events plus the reported
    /// counts plus [`RateLimit::pending`] always equal the number of calls.
    pub(crate) fn admit(&self, now: Instant) -> Option<u64> {
        let now_ns = since_origin(now);
        let last = self.last_ns.load(Relaxed);
        let interval = u64::try_from(INTERVAL.as_nanos()).unwrap_or(u64::MAX);
        if (last == 0 || now_ns.saturating_sub(last) >= interval)
            && self
                .last_ns
                .compare_exchange(last, now_ns, Relaxed, Relaxed)
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Relaxed));
        }
        self.suppressed.fetch_add(1, Relaxed);
        None
    }

    /// Events held back since the last emitted one (the next emitted one will report them).
    pub(crate) fn pending(&self) -> u64 {
        self.suppressed.load(Relaxed)
    }
}

/// Nanoseconds from a process-wide origin to `now`, plus one so the result is never 0: an
/// instant in 8 bytes (a bound's timed caller keeps its start so).
pub(crate) fn since_origin(now: Instant) -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let origin = *ORIGIN.get_or_init(|| now);
    let nanos = now.saturating_duration_since(origin).as_nanos();
    u64::try_from(nanos).unwrap_or(u64::MAX - 1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_a_second_and_counts_add_up() {
        let limit = RateLimit::new();
        let t0 = Instant::now();
        assert_eq!(limit.admit(t0), Some(0));
        for i in 1..=10 {
            assert_eq!(limit.admit(t0 + Duration::from_millis(i * 50)), None);
        }
        assert_eq!(limit.pending(), 10);
        assert_eq!(limit.admit(t0 + Duration::from_millis(1_001)), Some(10));
        assert_eq!(limit.pending(), 0);
    }
}
