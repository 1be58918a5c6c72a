//! What a caller does when its bound is full ([`BoundMode`]), and the one path by which both
//! kinds of bound get a permit.

use std::future::Future;
use std::time::Duration;

use tokio::sync::AcquireError;

use super::stats::Stats;
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
/// `acquire` future, built where it is awaited so it is stored once. A free permit is taken at
/// once. Else a [`BoundMode::Wait`] caller waits in place (no allocation); a
/// [`BoundMode::Reject`] caller fails; a [`BoundMode::WaitFor`] caller waits up to its deadline,
/// its timed wait boxed so that only such a caller pays for the timer and the future of every
/// call stays small.
pub(super) async fn acquire<P, W>(
    stats: &Stats,
    mode: BoundMode,
    try_now: impl FnOnce() -> Option<P>,
    wait: impl FnOnce() -> W,
) -> Result<P, Failure>
where
    W: Future<Output = Result<P, AcquireError>>,
{
    if let Some(permit) = try_now() {
        return Ok(permit);
    }
    match mode {
        BoundMode::Wait => {
            // `Stats::wait` inline: awaited in place, the semaphore's future is stored once.
            let waiting = stats.start_wait();
            let permit = wait().await.map_err(|_| stats.overloaded())?;
            stats.end_wait(waiting);
            Ok(permit)
        }
        BoundMode::Reject => Err(stats.reject()),
        BoundMode::WaitFor(deadline) => {
            match Box::pin(tokio::time::timeout(deadline, stats.wait(wait))).await {
                Ok(acquired) => acquired,
                Err(_) => Err(stats.reject()),
            }
        }
    }
}
