//! What both kinds of bound share: the name and limit, the counters (callers waiting, rejected,
//! the most in flight), slow-wait warnings, and the list of every bound used so far that
//! `metrics` reads.

use std::borrow::Cow;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use super::timer::{Timing, WaitTimer};

use crate::failure::Failure;
use crate::ratelimit::{RateLimit, since_origin};
use crate::registry::Registry;
use crate::settings::wait_warning;
use crate::snapshot::BoundSnapshot;

/// A bound as the list of every bound sees it.
pub(super) trait Listed: Sync {
    /// The bound's counters now.
    fn now(&self) -> BoundSnapshot;
}

/// Every bound used so far, in order of first use.
static LISTED: Registry<&'static dyn Listed> = Registry::new();

/// Snapshots of every bound used so far, in order of first use.
pub(crate) fn snapshots() -> Vec<BoundSnapshot> {
    LISTED.entries().into_iter().map(Listed::now).collect()
}

/// The name, limit, counters and registration flag of a `Bound` or a `KeyedBound`.
#[derive(Debug)]
pub(super) struct Stats {
    pub(super) name: &'static str,
    pub(super) limit: usize,
    listed: AtomicBool,
    waiting: AtomicUsize,
    rejected: AtomicU64,
    max_in_flight: AtomicUsize,
    pub(super) timer: WaitTimer,
    slow_waits: RateLimit,
}

impl Stats {
    pub(super) const fn new(name: &'static str, limit: usize) -> Self {
        Stats {
            name,
            limit,
            listed: AtomicBool::new(false),
            waiting: AtomicUsize::new(0),
            rejected: AtomicU64::new(0),
            max_in_flight: AtomicUsize::new(0),
            timer: WaitTimer::new(),
            slow_waits: RateLimit::new(),
        }
    }

    /// Lists the bound on its first use; afterwards one relaxed load.
    pub(super) fn register(&self, bound: &'static dyn Listed) {
        LISTED.join_once(&self.listed, bound);
    }

    /// Raises `max_in_flight` to `now` if that is a new high; usually one relaxed load.
    pub(super) fn saw_in_flight(&self, now: usize) {
        if now > self.max_in_flight.load(Relaxed) {
            self.max_in_flight.fetch_max(now, Relaxed);
        }
    }

    /// A caller is turned away: counted, and its failure.
    pub(super) fn reject(&self) -> Failure {
        self.rejected.fetch_add(1, Relaxed);
        self.overloaded()
    }

    pub(super) fn overloaded(&self) -> Failure {
        Failure::Overloaded {
            name: Cow::Borrowed(self.name),
            limit: self.limit,
        }
    }

    /// Logs a wait that started at `start` ([`since_origin`] nanoseconds) if it was longer than
    /// the threshold.
    fn warn_if_slow(&self, start: NonZeroU64) {
        let Some(threshold) = wait_warning() else {
            return;
        };
        let end = Instant::now();
        let waited = Duration::from_nanos(since_origin(end).saturating_sub(start.get()));
        if waited < threshold {
            return;
        }
        if let Some(suppressed) = self.slow_waits.admit(end) {
            let (name, limit) = (self.name, self.limit);
            tracing::warn!(
                target: "warden::bound",
                bound = name,
                limit,
                waited = ?waited,
                suppressed,
                "`{name}` waited {waited:?} for one of its {limit} permits: the limit sets its \
                 latency"
            );
        }
    }

    /// The shared part of a snapshot; the caller fills in what only it knows.
    pub(super) fn snapshot(&self) -> BoundSnapshot {
        BoundSnapshot {
            name: self.name,
            limit: self.limit,
            per_key: false,
            keys: 0,
            in_flight: 0,
            waiting: self.waiting.load(Relaxed),
            rejected: self.rejected.load(Relaxed),
            max_in_flight: self.max_in_flight.load(Relaxed),
        }
    }
}

/// A caller waiting for a permit of a bound: counted in its `waiting` while it lives, and
/// timed as its [`Timing`] says (a timed caller holds a plain bound's timer until it drops).
pub(super) struct Waiter<T: Timing> {
    timing: T,
    mark: T::Mark,
}

impl<T: Timing> Waiter<T> {
    /// A caller starts waiting: counted as waiting while the returned [`Waiter`] lives (also if
    /// its future is dropped), and timed as `timing` says while the warnings are on (no clock
    /// read otherwise).
    pub(super) fn start(timing: T) -> Self {
        timing.stats().waiting.fetch_add(1, Relaxed);
        Waiter {
            timing,
            mark: timing.start(),
        }
    }

    /// The bound it waits for.
    pub(super) fn stats(&self) -> &'static Stats {
        self.timing.stats()
    }

    /// It got its permit: no longer counted, and its wait logged if it was timed and longer
    /// than the threshold.
    pub(super) fn admitted(self) {
        let start = self.stop();
        let stats = self.stats();
        // `stop` did what dropping it does; its fields are `Copy`.
        std::mem::forget(self);
        if let Some(start) = start {
            stats.warn_if_slow(start);
        }
    }

    /// No longer counted or timed: its start, if it was timed.
    fn stop(&self) -> Option<NonZeroU64> {
        self.stats().waiting.fetch_sub(1, Relaxed);
        self.timing.stop(self.mark)
    }
}

impl<T: Timing> Drop for Waiter<T> {
    fn drop(&mut self) {
        self.stop();
    }
}
