//! Cancellation as seen from inside a scope: its body and its children.

use tokio_util::sync::CancellationToken;

use crate::scope::{CURRENT, Scope};

/// Resolves when the current scope is cancelled (shutdown, a failed sibling, a timeout, the
/// parent's cancellation). Outside any scope it never resolves.
///
/// Why: a child stops cleanly within its scope's grace period instead of being aborted.
///
/// ```
/// # use warden_runtime::{Failure, ScopeConfig, supervise};
/// # static CFG: ScopeConfig = ScopeConfig::new("worker");
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let r: Result<(), Failure> = supervise(&CFG, || async {
///     drop(warden_runtime::spawn(async {
///         warden_runtime::cancelled().await; // clean up, then return
///         Ok::<_, Failure>(())
///     }).await);
///     warden_runtime::current_token().cancel();
///     Ok(())
/// })
/// .await;
/// assert!(matches!(r, Err(Failure::Cancelled { .. })));
/// # }
/// ```
pub async fn cancelled() {
    current_token().cancelled_owned().await;
}

/// True once the current scope (or an ancestor) is cancelled; false outside any scope.
///
/// Why: a loop without awaits can check it between steps. It never allocates.
///
/// ```
/// assert!(!warden_runtime::is_cancelled());
/// ```
#[must_use]
pub fn is_cancelled() -> bool {
    CURRENT.try_with(|s| s.is_cancelled()).unwrap_or(false)
}

/// The current scope's token (created on first use). Cancelling it cancels the scope and its
/// children; outside any scope it is the global scope's token, which warden never cancels.
///
/// Why: hand it to code that takes a `CancellationToken`, or cancel the scope on purpose.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let token = warden_runtime::current_token();
/// assert!(!token.is_cancelled());
/// # }
/// ```
#[must_use]
pub fn current_token() -> CancellationToken {
    Scope::current_or_global().token().clone()
}
