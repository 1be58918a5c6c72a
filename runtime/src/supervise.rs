//! The entry points of supervision: [`supervise`] runs a body as a scope by its
//! [`ScopeConfig`] (once, or again by its restart policy); [`supervise_with`] is the one-attempt
//! form generated code uses for a fn without `restart`.

use std::fmt::Display;
use std::future::Future;

use crate::attempt::{Convert, Driver, Supervised};
use crate::config::ScopeConfig;
use crate::failure::Failure;
use crate::restart::attempts;

/// Runs the body `make_body` builds as a supervised scope and returns its value or the scope's
/// first failure; if `cfg` has a [`RestartPolicy`](crate::RestartPolicy), runs it again by that
/// policy, with a fresh body from `make_body` for each attempt.
///
/// Why: a fn whose spawned children cannot outlive it, whose panic becomes an error and whose
/// cancellation reaches every child. The body runs inline in the caller's task (no spawn). The
/// scope starts at the first poll (its parent is the scope polling it).
///
/// - The body's `Ok` is returned after every child finished; if an unowned child failed first,
///   `Err(Failure::Child)` instead.
/// - The body's `Err` is returned as is (children are cancelled and drained first).
/// - A panic in the body becomes [`Failure::Panicked`].
/// - Cancellation (parent, shutdown, an unowned child failure, `current_token().cancel()`)
///   drops the body at its current await, gives children `grace`, aborts the rest and returns
///   [`Failure::Cancelled`] (or the child failure that caused it).
/// - The timeout returns [`Failure::TimedOut`] the same way.
/// - Dropping the returned future cancels the scope and aborts its children at once.
/// - With a restart policy, each restart is logged with its attempt number, the failure at
///   error level (so it is reported exactly once); past the restart intensity the last result
///   is returned. A cancelled attempt (parent cancelled, shutdown) is never restarted.
///
/// # Errors
///
/// The body's own error, or `E::from` the scope's [`Failure`] as above (with a policy, the last
/// attempt's; [`Failure::Cancelled`] if the parent is cancelled during a backoff).
///
/// # Panics
///
/// When first polled outside a Tokio runtime, with a message that names the fix.
///
/// ```
/// use warden_runtime::{Failure, ScopeConfig, supervise};
///
/// static CFG: ScopeConfig = ScopeConfig::new("double");
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let r: Result<u32, Failure> = supervise(&CFG, || async {
///     let child = warden_runtime::spawn(async { "21".parse::<u32>() }).await;
///     Ok(child.await? * 2)
/// })
/// .await;
/// assert_eq!(r.unwrap(), 42);
/// # }
/// ```
///
/// With a policy:
///
/// ```
/// use warden_runtime::{BoxError, RestartPolicy, ScopeConfig, supervise};
///
/// static FLAKY: ScopeConfig = ScopeConfig::new("flaky").restart(RestartPolicy::on_failure());
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// let mut attempts = 0;
/// let r: Result<u32, BoxError> = supervise(&FLAKY, || {
///     attempts += 1;
///     let n = attempts;
///     async move { if n < 3 { Err("not yet".into()) } else { Ok(n) } }
/// })
/// .await;
/// assert_eq!(r.unwrap(), 3);
/// # }
/// ```
pub fn supervise<T, E, Fut, F>(
    cfg: &'static ScopeConfig,
    make_body: F,
) -> impl Future<Output = Result<T, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: From<Failure> + Display,
{
    // One loop for both: without a policy, `attempts` returns the first attempt's result.
    attempts(cfg, make_body)
}

/// One attempt of a body built once, for generated code: a fn without `restart` (its config
/// has no policy; the macro knows). `convert` turns warden's own failure into the body's error
/// type: generated code passes `|failure| From::from(failure)` spanned on the fn's error type,
/// so a missing `From<Failure>` is one error on the user's type instead of several inside
/// warden.
///
/// The returned future is the body's size plus a constant: the conversion is a plain map of the
/// output, not an `async` block around the call (which would keep a second copy of the fn's
/// arguments). A call that spawns no child allocates once.
///
/// # Errors
/// The body's own error, or `convert` applied to the [`Failure`] that ended the scope (a child,
/// a panic, a timeout, a cancellation).
///
/// # Panics
/// When first polled outside a Tokio runtime; in debug builds, when `cfg` has a restart policy
/// (a body built once cannot be run again: use [`supervise`]).
pub fn supervise_with<T, E, Fut, C>(
    cfg: &'static ScopeConfig,
    body: Fut,
    convert: C,
) -> impl Future<Output = Result<T, E>>
where
    Fut: Future<Output = Result<T, E>>,
    C: FnOnce(Failure) -> E,
{
    Supervised {
        driver: Driver::once(cfg),
        body: Some(body),
        finish: Some(Convert(convert)),
    }
}
