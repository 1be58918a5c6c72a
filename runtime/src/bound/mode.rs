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

    /// The bound is full at the first poll: `Some` deadline to wait, `None` to fail at once.
    fn on_full(self) -> Option<Self::Deadline>;
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

    fn on_full(self) -> Option<()> {
        Some(())
    }
}

impl Deadline for () {
    fn passed(&mut self, _: &mut Context<'_>) -> bool {
        false
    }
}

impl Patience for BoundMode {
    /// Boxed so that only a [`BoundMode::WaitFor`] caller pays for its timer.
    type Deadline = Option<Pin<Box<Sleep>>>;

    fn on_full(self) -> Option<Self::Deadline> {
        match self {
            BoundMode::Wait => Some(None),
            BoundMode::Reject => None,
            BoundMode::WaitFor(deadline) => Some(Some(Box::pin(tokio::time::sleep(deadline)))),
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
/// `mode` says: the one acquire path
/// of both kinds.
///
/// `try_now` takes a free permit if there is one (`try_acquire`); `wait` makes the semaphore's
/// `acquire` future, stored in place. A free permit is taken at once. Else a waiting caller
/// waits (no allocation), up to its [`Deadline`]; a [`BoundMode::Reject`] caller fails.
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
        // In the semaphore's queue, counted (perhaps timed) by `waiter`, until `deadline`.
        Waiting {
            #[pin]
            acquire: W,
            waiter: Waiter<S>,
            deadline: Md::Deadline,
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
            if let Some(permit) = try_now() {
                return Poll::Ready(Ok(permit));
            }
            let Some(deadline) = mode.on_full() else {
                return Poll::Ready(Err(timing.stats().reject()));
            };
            self.set(Acquire::Waiting {
                acquire: wait(),
                waiter: Waiter::start(timing),
                deadline,
            });
        }
        let AcquireProj::Waiting {
            acquire,
            waiter,
            deadline,
        } = self.as_mut().project()
        else {
            panic!("a bound's `Acquire` polled after it completed");
        };
        let stats = waiter.stats();
        let outcome = match acquire.poll(cx) {
            Poll::Ready(Ok(permit)) => Ok(permit),
            // warden never closes its semaphores; should one be closed, the caller is overloaded.
            Poll::Ready(Err(_)) => Err(stats.overloaded()),
            Poll::Pending if deadline.passed(cx) => Err(stats.reject()),
            Poll::Pending => return Poll::Pending,
        };
        let AcquireOwn::Waiting { waiter, .. } = self.project_replace(Acquire::Done) else {
            unreachable!("matched `Waiting` above");
        };
        if outcome.is_ok() {
            waiter.admitted();
        }
        Poll::Ready(outcome)
    }
}
