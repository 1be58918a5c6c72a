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

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::failure::Failure;
use crate::snapshot::BoundSnapshot;
pub use keyed::{KeyedBound, KeyedPermit};
use limited::Limited;
pub use mode::BoundMode;
use mode::{Patience, Waits, acquire};
use stats::{Listed, Stats};
use timer::OneAtATime;

/// At most `limit` executions in flight at once across the process: the limiter of one
/// `#[bounded(n)]` fn, living in a `static`.
///
/// The uncontended path is one `try_acquire` on a Tokio semaphore plus three relaxed loads:
/// no allocation, no clock read, no lock (measured on par with a bare `Semaphore::acquire`).
/// Only a caller that finds the limit full takes the slow path (counted as waiting; timed and
/// perhaps logged if no other waiting caller is being timed and the warnings are on, the only
/// case that reads the clock). A [`BoundMode::Wait`] caller waits in place, allocating
/// nothing; one with a deadline allocates its timed wait once.
///
/// A call's future holds the semaphore's wait (88 bytes with Tokio 1.54) and what makes the body
/// (the fn's arguments) until the permit comes, then the body and the permit, in the same bytes:
/// its size is the larger of the two plus a word or two, not their sum. A spawn copies every
/// byte of a future, so under contention that size is a cost (BENCHMARKS.md, issue 13): a
/// `#[bounded(8)]` fn with a small body is 8 bytes larger than the same fn behind a raw
/// `Semaphore::acquire`. `#[bounded(n)]` emits [`BoundAt`] (no pointer to the bound in the
/// future) and makes the body once the permit is held; [`run`](Self::run) and
/// [`run_or_fail`](Self::run_or_fail) take a future already made, and store it once.
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
            stats: Stats::new(name, limit),
        }
    }

    /// Gets a permit as `mode` says; the execution it admits lasts until the permit is dropped.
    ///
    /// # Errors
    /// [`Failure::Overloaded`] when `mode` is [`BoundMode::Reject`] and the limit is full, or
    /// [`BoundMode::WaitFor`] and its deadline passed first. [`BoundMode::Wait`] never fails.
    pub async fn acquire(&'static self, mode: BoundMode) -> Result<BoundPermit, Failure> {
        let permit = BoundAt(move || self).acquire(mode).await?;
        self.admitted();
        Ok(BoundPermit { _permit: permit })
    }

    /// Runs `fut` once a permit is free, waiting as long as it takes.
    ///
    /// The returned future stores `fut` once: its size is `fut`'s or the semaphore wait's,
    /// whichever is larger, plus a few words.
    pub fn run<F: Future>(&'static self, fut: F) -> impl Future<Output = F::Output> {
        self.run_with(move || fut)
    }

    /// Runs the future `make` returns once a permit is free, waiting as long as it takes;
    /// `make` is called once, with the permit held. See [`BoundAt::run_with`].
    pub fn run_with<M, F>(&'static self, make: M) -> impl Future<Output = F::Output>
    where
        M: FnOnce() -> F,
        F: Future,
    {
        BoundAt(move || self).run_with(make)
    }

    /// Runs `fut`, a fallible body, under the limit, failing as `mode` says when it is full.
    ///
    /// The returned future stores `fut` once, as [`run`](Self::run) does; to make the body once
    /// the permit is held, see [`BoundAt::run_or_fail_with`].
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
        BoundAt(move || self).run_or_fail_with(mode, move || fut)
    }

    /// One more execution holds a permit: a new highest count in flight is recorded.
    fn admitted(&self) {
        self.stats.saw_in_flight(self.in_flight());
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

/// A [`Bound`] reached through a closure that names its `static`, `BoundAt(|| &LIMIT)`: what
/// `#[bounded(n)]` emits. Such a closure is zero-sized, so the future of a call keeps no pointer
/// to the bound, where [`Bound::run_with`] keeps one (8 bytes).
///
/// A `#[bounded(8)]` fn's future is what a spawn copies, and in a contended benchmark its size
/// was the whole of what it cost beyond a raw semaphore (BENCHMARKS.md, issue 13). So each call
/// stores, in turn: what makes the body (the `make` closure, holding the fn's arguments) beside
/// the semaphore wait, then the body beside the permit; never the body beside the wait.
///
/// ```
/// use warden_runtime::bound::{Bound, BoundAt, BoundMode};
/// use warden_runtime::Failure;
///
/// static FETCH: Bound = Bound::new("my_app::fetch", 2);
///
/// async fn fetch(url: &str) -> Result<usize, Failure> {
///     let body = move || async move { Ok(url.len()) };
///     BoundAt(|| &FETCH).run_or_fail_with(BoundMode::Reject, body).await
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(fetch("https://example.com").await.unwrap(), 19);
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct BoundAt<B>(pub B);

impl<B: Fn() -> &'static Bound + Copy> BoundAt<B> {
    /// Runs the future `make` returns once a permit is free, waiting as long as it takes: what
    /// `#[bounded(n)]` emits for its default mode,
    /// `BoundAt(|| &STATIC).run_with(move || async move { body }).await`.
    ///
    /// `make` runs once, when the permit is held, so it must have no side effect the caller
    /// expects at the call: generated code passes only a closure returning an `async move` block
    /// (or another warden layer's future). The future's size is the larger of `make` beside the
    /// semaphore wait and the body beside the permit, plus a few words.
    pub fn run_with<M, F>(self, make: M) -> impl Future<Output = F::Output>
    where
        M: FnOnce() -> F,
        F: Future,
    {
        // `Wait` only fails if the semaphore were closed, which warden never does; the
        // execution then runs unlimited rather than not at all.
        self.limited(Waits, make, |_| None)
    }

    /// Runs the fallible future `make` returns under the limit, failing as `mode` says when it
    /// is full: what `#[bounded(n, reject)]` and `#[bounded(n, wait = "50ms")]` emit (through
    /// the check that the fn's error type has `From<Failure>`). `make` runs as for
    /// [`run_with`](Self::run_with).
    ///
    /// # Errors
    /// `E::from(Failure::Overloaded { .. })` when no permit came, else whatever the body returns.
    pub fn run_or_fail_with<M, F, T, E>(
        self,
        mode: BoundMode,
        make: M,
    ) -> impl Future<Output = Result<T, E>>
    where
        M: FnOnce() -> F,
        F: Future<Output = Result<T, E>>,
        E: From<Failure>,
    {
        self.limited(mode, make, |failure| Some(Err(E::from(failure))))
    }

    /// The permit's future: no closure in it keeps more than `B`.
    fn acquire<Md: Patience>(
        self,
        mode: Md,
    ) -> impl Future<Output = Result<SemaphorePermit<'static>, Failure>> {
        let Self(at) = self;
        let try_now = move || {
            let bound = at();
            bound.stats.register(bound);
            bound.semaphore.try_acquire().ok()
        };
        acquire(OneAtATime(move || &at().stats), mode, try_now, move || {
            at().semaphore.acquire()
        })
    }

    fn limited<Md, M, F, R>(self, mode: Md, make: M, refused: R) -> impl Future<Output = F::Output>
    where
        Md: Patience,
        M: FnOnce() -> F,
        F: Future,
        R: Fn(Failure) -> Option<F::Output>,
    {
        let Self(at) = self;
        Limited::new(self.acquire(mode), make, refused, move || at().admitted())
    }
}
