//! `offload`: run blocking or CPU-heavy work on Tokio's blocking pool and await its value, the
//! fix `#[no_blocking]` suggests for a blocking call in async code.
//!
//! The closure runs under the caller's scope and inside its `tracing` span. A panic in it comes
//! back as [`Failure::Panicked`] (so a `#[supervised]` caller can use `?`). A thread cannot be
//! interrupted, so dropping the awaiting future (the caller was cancelled, timed out, lost a
//! `select!`) leaves the closure running to its end, its value discarded; meanwhile the root of
//! the caller's tree counts it, waits for it within its shutdown grace and names it in its
//! report if it is still running. [`offload_with_token`] also tells the closure, through a
//! [`CancellationToken`], that its result is no longer wanted: the token is cancelled as soon
//! as the caller's scope is, or the awaiting future is dropped.

use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;

use tokio::task::JoinError;
use tracing::Span;

use crate::cancel::CancellationToken;
use crate::failure::Failure;
use crate::scope::owners::{Offloaded, owner};

/// Runs `work` on Tokio's blocking pool and returns its value.
///
/// Nothing happens until the returned future is first polled. The closure runs inside the
/// caller's current `tracing` span. Dropping the future detaches the closure: it still runs to
/// its end (counted by the running root until then), its value is dropped.
///
/// # Errors
/// [`Failure::Panicked`] if `work` panics (its `at` names this call's file and line), or
/// [`Failure::Cancelled`] if the runtime shut down before `work` ran.
///
/// # Panics
/// When polled outside a Tokio runtime.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), warden_runtime::Failure> {
/// let digest = warden_runtime::offload(|| (1..=1_000u64).sum::<u64>()).await?;
/// assert_eq!(digest, 500_500);
///
/// let failure = warden_runtime::offload(|| -> u64 { panic!("corrupt file") }).await.unwrap_err();
/// assert!(failure.to_string().contains("corrupt file"));
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn offload<F, T>(work: F) -> impl Future<Output = Result<T, Failure>> + Send + 'static
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    offloaded(Location::caller(), false, move |_| work())
}

/// Like [`offload`], but hands `work` a [`CancellationToken`] that is cancelled as soon as the
/// caller's scope is cancelled (a timeout, a failed sibling, a shutdown) or the awaiting future
/// is dropped, so long work can check it and stop early.
///
/// # Errors
/// As [`offload`].
///
/// # Panics
/// When polled outside a Tokio runtime.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), warden_runtime::Failure> {
/// let rows = warden_runtime::offload_with_token(|token| {
///     let mut rows = 0;
///     while rows < 1_000 && !token.is_cancelled() {
///         rows += 1; // one unit of blocking work
///     }
///     rows
/// })
/// .await?;
/// assert_eq!(rows, 1_000);
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn offload_with_token<F, T>(
    work: F,
) -> impl Future<Output = Result<T, Failure>> + Send + 'static
where
    F: FnOnce(CancellationToken) -> T + Send + 'static,
    T: Send + 'static,
{
    offloaded(Location::caller(), true, move |token| {
        work(CancellationToken::wrap(token.unwrap_or_default()))
    })
}

/// Runs `work` on the blocking pool under the scope that first polls the returned future,
/// counted by the tree's root until it returns; with `with_token`, `work` gets a child of the
/// scope's token, also cancelled when the returned future is dropped before it completes.
fn offloaded<F, T>(
    at: &'static Location<'static>,
    with_token: bool,
    work: F,
) -> impl Future<Output = Result<T, Failure>> + Send + 'static
where
    F: FnOnce(Option<tokio_util::sync::CancellationToken>) -> T + Send + 'static,
    T: Send + 'static,
{
    let span = Span::current();
    async move {
        let scope = owner();
        let token = with_token.then(|| scope.token().child_token());
        let cancel_on_drop = token
            .clone()
            .map(tokio_util::sync::CancellationToken::drop_guard);
        let counted = Offloaded::start(&scope, at);
        drop(scope);
        let joined = tokio::task::spawn_blocking(move || {
            let _counted = counted; // until the closure's end, panic included
            span.in_scope(|| work(token))
        })
        .await;
        cancel_on_drop.map(tokio_util::sync::DropGuard::disarm);
        joined.map_err(|error| failure(at, error))
    }
}

/// The [`Failure`] of a blocking task that did not return.
fn failure(at: &'static Location<'static>, error: JoinError) -> Failure {
    let at = Cow::Owned(format!("offload at {}:{}", at.file(), at.line()));
    match error.try_into_panic() {
        Ok(payload) => Failure::from_panic(at, &*payload),
        Err(_) => Failure::Cancelled { scope: at },
    }
}
