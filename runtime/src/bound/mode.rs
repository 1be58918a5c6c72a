//! What a caller does when its bound is full ([`BoundMode`]), and the one path by which both
//! kinds of bound get a permit ([`Acquire`]).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::AcquireError;
use tokio::time::Sleep;

use super::stats::Waiter;
use super::timer::Timing;
use crate::failure::Failure;

/// What a caller does when its bound is full.
///
/// Generated code passes the mode of `#[bounded(n, ...)]` to `run_or_fail`; `run` always waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoundMode {
    /// Wait for a permit as long as it takes, in arrival order (the semaphore is fair).
    Wait,
    /// Fail at once with [`Failure::Overloaded`] when no permit is free.
    Reject,
    /// Wait up to this long, then fail with [`Failure::Overloaded`]. Needs a Tokio runtime with
    /// its timer enabled (`enable_time` or `enable_all`).
    WaitFor(Duration),
}

/// What a caller does when its bound is full, as the acquire path sees it: a [`BoundMode`]
/// chosen per call, or [`Waits`], the mode of every `run`, which keeps no bytes for a deadline.
pub(super) trait Patience: Copy {
    /// Polled beside the semaphore while the caller waits: a `WaitFor`'s timer, or nothing.
    type Deadline: Deadline;

    /// A full bound fails the caller at once.
    fn rejects(self) -> bool;

    /// The caller found the bound full and waits, until this deadline.
    fn deadline(self) -> Self::Deadline;
}

/// When a waiting caller gives up.
pub(super) trait Deadline: Unpin {
    /// Whether the deadline passed; registers `cx` to be woken when it does.
    fn passed(&mut self, cx: &mut Context<'_>) -> bool;
}

/// [`BoundMode::Wait`] known before the call: never fails, no deadline.
#[derive(Clone, Copy, Debug)]
pub(super) struct Waits;

impl Patience for Waits {
    type Deadline = ();

    fn rejects(self) -> bool {
        false
    }

    fn deadline(self) {}
}

impl Deadline for () {
    fn passed(&mut self, _: &mut Context<'_>) -> bool {
        false
    }
}

impl Patience for BoundMode {
    /// Boxed so that only a [`BoundMode::WaitFor`] caller pays for its timer.
    type Deadline = Option<Pin<Box<Sleep>>>;

    fn rejects(self) -> bool {
        self == BoundMode::Reject
    }

    fn deadline(self) -> Self::Deadline {
        match self {
            BoundMode::Wait | BoundMode::Reject => None,
            BoundMode::WaitFor(deadline) => Some(Box::pin(tokio::time::sleep(deadline))),
        }
    }
}

impl Deadline for Option<Pin<Box<Sleep>>> {
    fn passed(&mut self, cx: &mut Context<'_>) -> bool {
        self.as_mut()
            .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready())
    }
}

/// Gets a permit of the bound whose stats `timing` reaches (timing its waiters as it says), as
/// `mode` says: the one acquire path of both kinds.
///
/// `wait` makes the semaphore's `acquire` future, stored in place and polled at once: it takes
/// a free permit, else queues the caller, who is then counted as waiting (no allocation) until
/// the permit or its [`Deadline`] comes. A [`BoundMode::Reject`] caller never queues: `try_now`
/// takes a free permit if there is one (`try_acquire`), else it fails.
pub(super) fn acquire<S, Md, P, T, M, W>(
    timing: S,
    mode: Md,
    try_now: T,
    wait: M,
) -> Acquire<S, Md, P, T, M, W>
where
    S: Timing,
    Md: Patience,
    T: FnOnce() -> Option<P>,
    M: FnOnce() -> W,
    W: Future<Output = Result<P, AcquireError>>,
{
    Acquire::Start {
        timing,
        mode,
        try_now,
        wait,
        _permit: PhantomData,
    }
}

pin_project_lite::pin_project! {
    /// The future of [`acquire`]. Hand-written (not an `async fn`) so that what only the first
    /// poll needs and what only a waiting caller needs share their bytes: every `#[bounded]`
    /// future carries this, and its size is what a spawn copies.
    #[project = AcquireProj]
    #[project_replace = AcquireOwn]
    pub(super) enum Acquire<S: Timing, Md: Patience, P, T, M, W> {
        // Not polled yet.
        Start {
            timing: S,
            mode: Md,
            try_now: T,
            wait: M,
            _permit: PhantomData<fn() -> P>,
        },
        // The semaphore's wait, polled; once it was pending, the caller is counted (perhaps
        // timed) as waiting, until its deadline.
        Waiting {
            #[pin]
            acquire: W,
            timing: S,
            mode: Md,
            waiting: Option<(Waiter<S>, Md::Deadline)>,
        },
        Done,
    }
}

impl<S, Md, P, T, M, W> Future for Acquire<S, Md, P, T, M, W>
where
    S: Timing,
    Md: Patience,
    T: FnOnce() -> Option<P>,
    M: FnOnce() -> W,
    W: Future<Output = Result<P, AcquireError>>,
{
    type Output = Result<P, Failure>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let AcquireProj::Start { .. } = self.as_mut().project() {
            let AcquireOwn::Start {
                timing,
                mode,
                try_now,
                wait,
                ..
            } = self.as_mut().project_replace(Acquire::Done)
            else {
                unreachable!("matched `Start` above");
            };
            if mode.rejects() {
                return Poll::Ready(try_now().ok_or_else(|| timing.stats().reject()));
            }
            // A caller that may wait polls the semaphore's own wait at once (it takes a free
            // permit first): one look at the semaphore's shared state, not two.
            self.set(Acquire::Waiting {
                acquire: wait(),
                timing,
                mode,
                waiting: None,
            });
        }
        let AcquireProj::Waiting {
            acquire,
            timing,
            mode,
            waiting,
        } = self.as_mut().project()
        else {
            panic!("a bound's `Acquire` polled after it completed");
        };
        let stats = timing.stats();
        let outcome = match acquire.poll(cx) {
            Poll::Ready(Ok(permit)) => Ok(permit),
            // warden never closes its semaphores; should one be closed, the caller is overloaded.
            Poll::Ready(Err(_)) => Err(stats.overloaded()),
            Poll::Pending => {
                let (_, deadline) =
                    waiting.get_or_insert_with(|| (Waiter::start(*timing), mode.deadline()));
                if !deadline.passed(cx) {
                    return Poll::Pending;
                }
                Err(stats.reject())
            }
        };
        let AcquireOwn::Waiting { waiting, .. } = self.project_replace(Acquire::Done) else {
            unreachable!("matched `Waiting` above");
        };
        if let (Some((waiter, _)), true) = (waiting, outcome.is_ok()) {
            waiter.admitted();
        }
        Poll::Ready(outcome)
    }
}
