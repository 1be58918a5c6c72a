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
    timer: WaitTimer,
    slow_waits: RateLimit,
}

impl Stats {
    pub(super) const fn new(name: &'static str, limit: usize, timing: Timing) -> Self {
        Stats {
            name,
            limit,
            listed: AtomicBool::new(false),
            waiting: AtomicUsize::new(0),
            rejected: AtomicU64::new(0),
            max_in_flight: AtomicUsize::new(0),
            timer: WaitTimer::new(timing),
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

/// Reaches a bound's [`Stats`] (every bound lives in a `static`): a closure that names the
/// `static` is zero-sized, so a waiting caller that keeps one keeps no pointer.
pub(super) trait StatsAt: Fn() -> &'static Stats + Copy {}

impl<S: Fn() -> &'static Stats + Copy> StatsAt for S {}

/// A caller waiting for a permit of a bound: counted in its `waiting` while it lives, and timed
/// if `start` is set (it then holds the bound's timer until it drops).
pub(super) struct Waiter<S: StatsAt> {
    stats: S,
    start: Option<NonZeroU64>,
}

impl<S: StatsAt> Waiter<S> {
    /// A caller starts waiting: counted as waiting while the returned [`Waiter`] lives (also if
    /// its future is dropped), and timed as the bound's [`Timing`](super::timer::Timing) says
    /// while the warnings are on (no clock read otherwise).
    pub(super) fn start(stats: S) -> Self {
        let bound = stats();
        bound.waiting.fetch_add(1, Relaxed);
        Waiter {
            stats,
            start: bound.timer.start(),
        }
    }

    /// The bound it waits for.
    pub(super) fn stats(&self) -> &'static Stats {
        (self.stats)()
    }

    /// It got its permit: no longer counted, and its wait logged if it was timed and longer
    /// than the threshold.
    pub(super) fn admitted(self) {
        let (stats, start) = (self.stats(), self.start);
        drop(self);
        if let Some(start) = start {
            stats.warn_if_slow(start);
        }
    }
}

impl<S: StatsAt> Drop for Waiter<S> {
    fn drop(&mut self) {
        let stats = self.stats();
        stats.waiting.fetch_sub(1, Relaxed);
        if self.start.is_some() {
            stats.timer.stop();
        }
    }
}
