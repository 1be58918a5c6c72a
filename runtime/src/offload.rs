//! `offload`: run blocking or CPU-heavy work on Tokio's blocking pool and await its value, the
//! fix `#[no_blocking]` suggests for a blocking call in async code.
//!
//! The closure runs inside the caller's `tracing` span, a panic in it comes back as
//! [`Failure::Panicked`] (so a `#[supervised]` caller can use `?`), and dropping the awaiting
//! future leaves nothing waiting: the closure finishes on its own (a thread cannot be
//! interrupted) and its result is discarded. [`offload_with_token`] also tells the closure,
//! through a [`CancellationToken`], that its result is no longer wanted.

use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;

use tokio::task::JoinError;
use tracing::Span;

use crate::cancel::CancellationToken;
use crate::failure::Failure;

/// Runs `work` on Tokio's blocking pool and returns its value.
///
/// Nothing happens until the returned future is first polled. The closure runs inside the
/// caller's current `tracing` span. Dropping the future detaches the closure: it still runs to
/// its end, its value is dropped.
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
    let at = Location::caller();
    let span = Span::current();
    async move {
        let joined = tokio::task::spawn_blocking(move || span.in_scope(work)).await;
        joined.map_err(|error| failure(at, error))
    }
}

/// Like [`offload`], but hands `work` a [`CancellationToken`] that is cancelled when the awaiting
/// future is dropped, so long work can check it and stop early.
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
    let at = Location::caller();
    let token = tokio_util::sync::CancellationToken::new();
    let span = Span::current();
    async move {
        // Cancelled when this future is dropped before the closure returns; left alone after.
        let guard = token.clone().drop_guard();
        let token = CancellationToken::wrap(token);
        let joined = tokio::task::spawn_blocking(move || span.in_scope(|| work(token))).await;
        guard.disarm();
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
