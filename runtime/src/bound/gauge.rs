//! [`Gauge`]: a count that the workers of a runtime change all at once (a bound's waiting
//! callers), striped so that they do not take one cache line from each other at every change.
//!
//! Each waiting caller of a contended `#[bounded(n)]` fn adds one as it starts waiting and
//! subtracts one as it stops. On one shared counter those two read-modify-writes were most of
//! the time the bound's own code took under contention (a profile of the issue-13 benchmark:
//! about 1.8 % of all samples, on two workers); on a stripe per thread they touch a line that
//! thread mostly owns.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Stripes: threads beyond this many share them (still correct, only less spread).
const STRIPES: usize = 4;

/// A value alone on its cache lines (128 bytes: a line and the one prefetched beside it).
#[derive(Debug)]
#[repr(align(128))]
struct OwnLine<T>(T);

/// A count kept as stripes, one picked per thread; its value is the sum of the stripes. A caller
/// that adds on one thread and subtracts on another (its task moved) leaves the sum right.
#[derive(Debug)]
pub(super) struct Gauge {
    stripes: [OwnLine<AtomicUsize>; STRIPES],
}

impl Gauge {
    pub(super) const fn new() -> Self {
        Gauge {
            stripes: [const { OwnLine(AtomicUsize::new(0)) }; STRIPES],
        }
    }

    pub(super) fn add(&self) {
        self.stripe().fetch_add(1, Relaxed);
    }

    pub(super) fn sub(&self) {
        self.stripe().fetch_sub(1, Relaxed);
    }

    /// The count now. The stripes are read one after another, so a caller that adds and
    /// subtracts on two stripes meanwhile may be missed or seen twice; a sum below zero so
    /// made reads as 0.
    pub(super) fn get(&self) -> usize {
        let sum = self.stripes.iter().fold(0_usize, |sum, stripe| {
            sum.wrapping_add(stripe.0.load(Relaxed))
        });
        // A wrapped sum is one below zero: its top bit is set.
        if sum > usize::MAX / 2 { 0 } else { sum }
    }

    fn stripe(&self) -> &AtomicUsize {
        &self.stripes[thread_stripe()].0
    }
}

/// This thread's stripe, handed out round-robin as threads first ask.
fn thread_stripe() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static STRIPE: usize = NEXT.fetch_add(1, Relaxed) % STRIPES;
    }
    STRIPE.with(|stripe| *stripe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_and_subtracts_across_threads_sum_up() {
        let gauge = Gauge::new();
        gauge.add();
        gauge.add();
        // Subtracted on other threads, as a caller whose task moved: other stripes.
        std::thread::scope(|scope| {
            scope.spawn(|| gauge.sub());
        });
        assert_eq!(gauge.get(), 1);
        std::thread::scope(|scope| {
            scope.spawn(|| gauge.sub());
        });
        assert_eq!(gauge.get(), 0);
    }

    #[test]
    fn a_sum_below_zero_reads_as_zero() {
        let gauge = Gauge::new();
        gauge.sub();
        assert_eq!(gauge.get(), 0);
        gauge.add();
        assert_eq!(gauge.get(), 0);
    }
}
