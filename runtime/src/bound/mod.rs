//! `Bound` and `KeyedBound`: the run-time of `#[bounded(n)]`, at most `n` executions of a fn in
//! flight across the process, in total or per value of one argument.
//!
//! Each limited fn owns one `static` limiter built by a `const fn`, so the limit exists before
//! the first call and costs no allocation or lock to reach. An execution holds an RAII permit
//! from before its first poll until its future completes, returns an error, panics or is
//! dropped; whichever way it ends, the permit goes back.
//!
//! What the waiting caller does when the limit is full is a [`BoundMode`], chosen per call:
//! wait in arrival order, fail at once, or wait up to a deadline and then fail with
//! [`Failure::Overloaded`].
//!
//! Files: `mode` (the modes and the one acquire path), `keyed` ([`KeyedBound`]), `limited`
//! (the future that runs a body under its permit), `stats` (counters, slow-wait warnings, the
//! list of bounds), `timer` (which waiting callers are timed for the warnings).
//!
//! A `static` inside a generic fn is one item shared by every instantiation, so
//! `#[bounded(n)]` on a generic fn limits all instantiations together (one limit, one snapshot);
//! a per-key limit keeps keys of different types apart (a `1u32` and a `1u64` are two keys).

mod keyed;
mod limited;
mod mode;
pub(crate) mod stats;
mod timer;

use std::future::Future;

use futures::FutureExt as _;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::failure::Failure;
use crate::snapshot::BoundSnapshot;
pub use keyed::{KeyedBound, KeyedPermit};
use limited::Limited;
pub use mode::BoundMode;
use mode::acquire;
use stats::{Listed, Stats};
use timer::Timing;

/// At most `limit` executions in flight at once across the process: the limiter of one
/// `#[bounded(n)]` fn, living in a `static`.
///
/// The uncontended path is one `try_acquire` on a Tokio semaphore plus three relaxed loads:
/// no allocation, no clock read, no lock (measured on par with a bare `Semaphore::acquire`).
/// Only a caller that finds the limit full takes the slow path (counted as waiting; timed and
/// perhaps logged if no other waiting caller is being timed and the warnings are on, the only
/// case that reads the clock). A [`BoundMode::Wait`] caller waits in place, allocating
/// nothing; one with a deadline allocates its timed wait once, so that the future of every call
/// is the body's size plus a small constant.
///
/// ```
/// use warden_runtime::bound::{Bound, BoundMode};
/// use warden_runtime::Failure;
///
/// static FETCH: Bound = Bound::new("my_app::fetch", 2);
///
/// async fn fetch(url: &str) -> Result<usize, Failure> {
///     FETCH.run_or_fail(BoundMode::Reject, async { Ok(url.len()) }).await
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(fetch("https://example.com").await.unwrap(), 19);
/// assert_eq!(FETCH.snapshot().in_flight, 0);
/// # }
/// ```
#[derive(Debug)]
pub struct Bound {
    semaphore: Semaphore,
    stats: Stats,
}

impl Bound {
    /// A limit of `limit` executions named `name`, for a `static`.
    ///
    /// # Panics
    /// If `limit` is 0 or above [`Semaphore::MAX_PERMITS`]; in a `static` initializer that is a
    /// compile-time error.
    #[must_use]
    pub const fn new(name: &'static str, limit: usize) -> Self {
        assert!(limit > 0, "a bound needs a limit of at least 1");
        Bound {
            semaphore: Semaphore::const_new(limit),
            stats: Stats::new(name, limit, Timing::OneAtATime),
        }
    }

    /// Gets a permit as `mode` says; the execution it admits lasts until the permit is dropped.
    ///
    /// # Errors
    /// [`Failure::Overloaded`] when `mode` is [`BoundMode::Reject`] and the limit is full, or
    /// [`BoundMode::WaitFor`] and its deadline passed first. [`BoundMode::Wait`] never fails.
    pub fn acquire(
        &'static self,
        mode: BoundMode,
    ) -> impl Future<Output = Result<BoundPermit, Failure>> {
        let try_now = || {
            self.stats.register(self);
            self.semaphore.try_acquire().ok()
        };
        acquire(&self.stats, mode, try_now, || self.semaphore.acquire()).map(|acquired| {
            let permit = acquired?;
            self.stats.saw_in_flight(self.in_flight());
            Ok(BoundPermit { _permit: permit })
        })
    }

    /// Runs `fut` once a permit is free, waiting as long as it takes: what `#[bounded(n)]`
    /// emits for its default mode, `Bound::run(&STATIC, async move { body }).await`.
    ///
    /// The returned future stores `fut` once, in place: its size is `fut`'s plus a constant.
    pub fn run<F: Future>(&'static self, fut: F) -> impl Future<Output = F::Output> {
        // `Wait` only fails if the semaphore were closed, which warden never does; the
        // execution then runs unlimited rather than not at all.
        Limited::new(self.acquire(BoundMode::Wait), fut, |_| None)
    }

    /// Runs `fut`, a fallible body, under the limit, failing as `mode` says when it is full.
    ///
    /// What `#[bounded(n, reject)]` and `#[bounded(n, wait = "50ms")]` emit:
    /// `Bound::run_or_fail(&STATIC, mode, async move { body }).await`; the fn's error type
    /// needs `From<Failure>`.
    ///
    /// The returned future stores `fut` once, in place: its size is `fut`'s plus a constant.
    ///
    /// # Errors
    /// `E::from(Failure::Overloaded { .. })` when no permit came, else whatever `fut` returns.
    pub fn run_or_fail<F, T, E>(
        &'static self,
        mode: BoundMode,
        fut: F,
    ) -> impl Future<Output = Result<T, E>>
    where
        F: Future<Output = Result<T, E>>,
        E: From<Failure>,
    {
        Limited::new(self.acquire(mode), fut, |failure| {
            Some(Err(E::from(failure)))
        })
    }

    /// Executions holding a permit now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.stats
            .limit
            .saturating_sub(self.semaphore.available_permits())
    }

    /// This bound's counters now.
    #[must_use]
    pub fn snapshot(&self) -> BoundSnapshot {
        BoundSnapshot {
            in_flight: self.in_flight(),
            ..self.stats.snapshot()
        }
    }
}

impl Listed for Bound {
    fn now(&self) -> BoundSnapshot {
        self.snapshot()
    }
}

/// One execution's admission under a [`Bound`]; dropping it lets the next caller in.
#[derive(Debug)]
#[must_use = "the execution is admitted only while the permit lives"]
pub struct BoundPermit {
    _permit: SemaphorePermit<'static>,
}
