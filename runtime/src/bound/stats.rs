//! What both kinds of bound share: the name and limit, the counters (callers waiting, rejected,
//! the most in flight), slow-wait warnings, and the list of every bound used so far that
//! `metrics` reads.

use std::borrow::Cow;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use tokio::sync::AcquireError;

use super::timer::{Timed, Timing, WaitTimer};

use crate::failure::Failure;
use crate::ratelimit::RateLimit;
use crate::registry::Registry;
use crate::settings::wait_warning;
use crate::snapshot::BoundSnapshot;
use crate::waiting::Waiting;

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

    /// A caller starts waiting: counted as waiting until the returned guards drop (also if its
    /// future is dropped), and timed as the bound's [`Timing`] says while the warnings are on
    /// (no clock read otherwise).
    pub(super) fn start_wait(&self) -> (Waiting<'_>, Option<Timed<'_>>) {
        (Waiting::enter(&self.waiting), self.timer.start())
    }

    /// Waits on the future `acquire` makes, counted and timed as [`start_wait`](Self::start_wait)
    /// says.
    pub(super) async fn wait<P, W>(&self, acquire: impl FnOnce() -> W) -> Result<P, Failure>
    where
        W: Future<Output = Result<P, AcquireError>>,
    {
        let waiting = self.start_wait();
        // warden never closes its semaphores; should one be closed, the caller is overloaded.
        let permit = acquire().await.map_err(|_| self.overloaded())?;
        self.end_wait(waiting);
        Ok(permit)
    }

    /// The caller got its permit: logs the wait if it was longer than the threshold.
    pub(super) fn end_wait(&self, (waiting, timed): (Waiting<'_>, Option<Timed<'_>>)) {
        drop(waiting);
        if let Some(timed) = timed {
            self.warn_if_slow(timed.start);
        }
    }

    /// Logs a wait that started at `start` if it was longer than the threshold.
    fn warn_if_slow(&self, start: Instant) {
        let Some(threshold) = wait_warning() else {
            return;
        };
        let end = Instant::now();
        let waited = end.saturating_duration_since(start);
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
