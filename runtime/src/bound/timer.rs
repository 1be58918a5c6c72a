//! [`WaitTimer`]: which waiting callers of a bound are timed for the slow-wait warning.
//!
//! Two clock reads per waiting caller were the measurable part of a contended `#[bounded(n)]`
//! fn's cost over a raw semaphore (BENCHMARKS.md, issue 13). A plain bound's callers queue on
//! one fair semaphore, so each waits about as long as the queue ahead of it: timing one of them
//! at a time (the first to start waiting once the timed one is through) still sees a limit that
//! makes its callers wait, with one clock-read pair per turn of the queue instead of per caller.
//! A per-key bound's callers queue per key, and one key's wait says nothing about another's, so
//! there every waiting caller is timed.

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Instant;

use crate::ratelimit::since_origin;
use crate::settings::wait_warning;

/// Which waiting callers a bound times.
#[derive(Clone, Copy, Debug)]
pub(super) enum Timing {
    /// Every one (per-key bounds).
    EveryWaiter,
    /// One at a time: a caller that starts waiting while another is timed is not (plain bounds).
    OneAtATime,
}

/// Times waiting callers as its [`Timing`] says, while the warnings are on.
#[derive(Debug)]
pub(super) struct WaitTimer {
    timing: Timing,
    /// Set while a caller is timed (`OneAtATime` only).
    busy: AtomicBool,
}

impl WaitTimer {
    pub(super) const fn new(timing: Timing) -> Self {
        WaitTimer {
            timing,
            busy: AtomicBool::new(false),
        }
    }

    /// Starts timing a caller that begins to wait, unless the warnings are off or (one at a
    /// time) another caller is being timed; no clock read then. The start is in
    /// [`since_origin`]'s nanoseconds (8 bytes where an `Instant` takes 16, in every waiting
    /// caller's future). A caller it returns a start for calls [`stop`](Self::stop) when it
    /// stops waiting (admitted, refused or dropped).
    pub(super) fn start(&self) -> Option<NonZeroU64> {
        wait_warning()?;
        // The load first: the callers that find it set only read the shared line.
        if let Timing::OneAtATime = self.timing
            && (self.busy.load(Relaxed) || self.busy.swap(true, Relaxed))
        {
            return None;
        }
        NonZeroU64::new(since_origin(Instant::now()))
    }

    /// The timed caller stopped waiting: the next one to start waiting can be timed.
    pub(super) fn stop(&self) {
        if let Timing::OneAtATime = self.timing {
            self.busy.store(false, Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The warnings are on by default (100 ms) and no unit test switches them off.

    #[test]
    fn one_at_a_time_times_the_next_caller_once_the_timed_one_is_done() {
        let timer = WaitTimer::new(Timing::OneAtATime);
        assert!(timer.start().is_some());
        assert!(
            timer.start().is_none(),
            "a second caller timed beside the first"
        );
        timer.stop();
        assert!(timer.start().is_some(), "the timer stayed taken");
    }

    #[test]
    fn every_waiter_times_each_caller() {
        let timer = WaitTimer::new(Timing::EveryWaiter);
        let (first, second) = (timer.start(), timer.start());
        assert!(first.is_some() && second.is_some());
    }
}
