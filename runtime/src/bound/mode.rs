//! What a caller does when its bound is full ([`BoundMode`]), and the one path by which both
//! kinds of bound get a permit ([`Acquire`]).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::AcquireError;
use tokio::time::Sleep;

use super::stats::{Stats, Waiter};
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

/// Gets a permit of the bound `stats` as `mode` says: the one acquire path of both kinds.
///
/// `try_now` takes a free permit if there is one (`try_acquire`); `wait` makes the semaphore's
/// `acquire` future, stored in place. A free permit is taken at once. Else a
/// [`BoundMode::Wait`] caller waits (no allocation); a [`BoundMode::Reject`] caller fails; a
/// [`BoundMode::WaitFor`] caller waits up to its deadline, its timer boxed so that only such a
/// caller pays for it and the future of every call stays small.
pub(super) fn acquire<P, T, M, W>(
    stats: &Stats,
    mode: BoundMode,
    try_now: T,
    wait: M,
) -> Acquire<'_, P, T, M, W>
where
    T: FnOnce() -> Option<P>,
    M: FnOnce() -> W,
    W: Future<Output = Result<P, AcquireError>>,
{
    Acquire::Start {
        stats,
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
    pub(super) enum Acquire<'a, P, T, M, W> {
        // Not polled yet.
        Start {
            stats: &'a Stats,
            mode: BoundMode,
            try_now: T,
            wait: M,
            _permit: PhantomData<fn() -> P>,
        },
        // In the semaphore's queue, counted (perhaps timed) by `waiter`; `deadline` for `WaitFor`.
        Waiting {
            #[pin]
            acquire: W,
            waiter: Waiter<'a>,
            deadline: Option<Pin<Box<Sleep>>>,
        },
        Done,
    }
}

impl<P, T, M, W> Future for Acquire<'_, P, T, M, W>
where
    T: FnOnce() -> Option<P>,
    M: FnOnce() -> W,
    W: Future<Output = Result<P, AcquireError>>,
{
    type Output = Result<P, Failure>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let AcquireProj::Start { .. } = self.as_mut().project() {
            let AcquireOwn::Start {
                stats,
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
            let deadline = match mode {
                BoundMode::Wait => None,
                BoundMode::Reject => return Poll::Ready(Err(stats.reject())),
                BoundMode::WaitFor(deadline) => Some(Box::pin(tokio::time::sleep(deadline))),
            };
            self.set(Acquire::Waiting {
                acquire: wait(),
                waiter: stats.start_wait(),
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
            Poll::Pending => {
                let passed = deadline
                    .as_mut()
                    .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready());
                if !passed {
                    return Poll::Pending;
                }
                Err(stats.reject())
            }
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
