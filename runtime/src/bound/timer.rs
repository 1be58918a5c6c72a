//! [`Timing`]: which waiting callers of a bound are timed for the slow-wait warning, and where
//! a timed caller's start is kept.
//!
//! Two clock reads per waiting caller were the measurable part of a contended `#[bounded(n)]`
//! fn's cost over a raw semaphore (BENCHMARKS.md, issue 13). A plain bound's callers queue on
//! one fair semaphore, so each waits about as long as the queue ahead of it: timing one of them
//! at a time (the first to start waiting once the timed one is through) still sees a limit that
//! makes its callers wait, with one clock-read pair per turn of the queue instead of per caller.
//! A per-key bound's callers queue per key, and one key's wait says nothing about another's, so
//! there every waiting caller is timed.
//!
//! A plain bound keeps its timed caller's start itself ([`WaitTimer`]), so that a waiting
//! caller's future keeps one byte for its timing where a start takes eight: that future is what
//! a spawn copies.

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use super::stats::Stats;
use crate::ratelimit::since_origin;
use crate::settings::wait_warning;

/// Which waiting callers of a bound are timed (while the warnings are on), and what a waiting
/// caller keeps for it.
pub(super) trait Timing: Copy {
    /// What a waiting caller keeps.
    type Mark: Copy;

    /// The bound's stats.
    fn stats(self) -> &'static Stats;

    /// A caller begins to wait: timed or not. Reads the clock only for a timed caller.
    fn start(self) -> Self::Mark;

    /// The caller stopped waiting (admitted, refused or dropped): when it started if it was
    /// timed, and the next caller may be timed.
    fn stop(self, mark: Self::Mark) -> Option<NonZeroU64>;
}

/// Every waiting caller is timed and keeps its start: a per-key bound's.
#[derive(Clone, Copy)]
pub(super) struct EveryWaiter(pub(super) &'static Stats);

impl Timing for EveryWaiter {
    /// The start, in [`since_origin`]'s nanoseconds (8 bytes where an `Instant` takes 16).
    type Mark = Option<NonZeroU64>;

    fn stats(self) -> &'static Stats {
        self.0
    }

    fn start(self) -> Option<NonZeroU64> {
        wait_warning()?;
        NonZeroU64::new(since_origin(Instant::now()))
    }

    fn stop(self, start: Option<NonZeroU64>) -> Option<NonZeroU64> {
        start
    }
}

/// One waiting caller is timed at a time, its start kept in the bound's [`WaitTimer`]: a plain
/// bound, reached through `S` (a closure naming its `static`, zero bytes). A caller that starts
/// waiting while another is timed is not.
#[derive(Clone, Copy)]
pub(super) struct OneAtATime<S>(pub(super) S);

impl<S: Fn() -> &'static Stats + Copy> Timing for OneAtATime<S> {
    /// Whether this caller is the timed one.
    type Mark = bool;

    fn stats(self) -> &'static Stats {
        (self.0)()
    }

    fn start(self) -> bool {
        if wait_warning().is_none() {
            return false;
        }
        let timer = &self.stats().timer;
        // The load first: the callers that find it set only read the shared line.
        if timer.busy.load(Ordering::Relaxed) || timer.busy.swap(true, Ordering::Acquire) {
            return false;
        }
        timer
            .since
            .store(since_origin(Instant::now()), Ordering::Relaxed);
        true
    }

    fn stop(self, is_timed: bool) -> Option<NonZeroU64> {
        if !is_timed {
            return None;
        }
        let timer = &self.stats().timer;
        let since = timer.since.load(Ordering::Relaxed);
        // Release: the next timed caller writes `since` only after this read.
        timer.busy.store(false, Ordering::Release);
        NonZeroU64::new(since)
    }
}

/// A plain bound's timed caller: whether there is one, and when it started to wait.
#[derive(Debug)]
pub(super) struct WaitTimer {
    busy: AtomicBool,
    since: AtomicU64,
}

impl WaitTimer {
    pub(super) const fn new() -> Self {
        WaitTimer {
            busy: AtomicBool::new(false),
            since: AtomicU64::new(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bound::timer::Timing;

    // The warnings are on by default (100 ms) and no unit test switches them off.

    static ONE: Stats = Stats::new("one", 1);
    static EVERY: Stats = Stats::new("every", 1);

    #[test]
    fn one_at_a_time_times_the_next_caller_once_the_timed_one_is_done() {
        let timing = OneAtATime(|| &ONE);
        let first = timing.start();
        assert!(first, "the first caller is not timed");
        let second = timing.start();
        assert!(!second, "a second caller timed beside the first");
        assert_eq!(timing.stop(second), None, "an untimed caller has no start");
        assert!(
            timing.stop(first).is_some(),
            "the timed caller lost its start"
        );
        assert!(timing.start(), "the timer stayed taken");
    }

    #[test]
    fn every_waiter_times_each_caller() {
        let timing = EveryWaiter(&EVERY);
        let (first, second) = (timing.start(), timing.start());
        assert!(first.is_some() && second.is_some());
        assert_eq!(timing.stop(first), first);
    }
}
