//! Cancellation as seen from inside a scope (its body and its children): warden's
//! [`CancellationToken`] and the queries [`cancelled`], [`is_cancelled`] and [`current_token`].

use std::future::Future;

use crate::scope::owners::{current_or_root, owner};
use crate::scope::{Scope, with_current};

/// A scope's cancellation, as code inside it sees it: check it, wait for it, or cancel the scope.
///
/// Why warden's own type and not a re-export of `tokio_util::sync::CancellationToken` (which it
/// wraps, at no cost): a re-export would make every breaking release of tokio-util, a 0.x crate,
/// a breaking release of warden, and would promise tokio-util's whole API (drop guards,
/// `run_until_cancelled`, ...) as warden's. Code that needs tokio-util's token makes its own and
/// cancels it when [`cancelled`](Self::cancelled) resolves.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let token = warden_runtime::current_token();
/// let child = token.child_token();
/// token.cancel();
/// assert!(child.is_cancelled());
/// child.cancelled().await; // resolves at once
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct CancellationToken(tokio_util::sync::CancellationToken);

impl CancellationToken {
    /// Wraps the token of a scope or an offloaded closure.
    pub(crate) fn wrap(token: tokio_util::sync::CancellationToken) -> Self {
        CancellationToken(token)
    }

    /// Cancels the token and every token derived from it: for a scope's token, the scope and
    /// all its children.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// True once the token (or the one it derives from) is cancelled. Never allocates.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves when the token is cancelled.
    pub fn cancelled(&self) -> impl Future<Output = ()> + Send + '_ {
        self.0.cancelled()
    }

    /// [`cancelled`](Self::cancelled) for a future that must own what it waits on (`'static`),
    /// such as a graceful-shutdown signal handed to a server.
    pub fn cancelled_owned(self) -> impl Future<Output = ()> + Send + 'static {
        self.0.cancelled_owned()
    }

    /// A token cancelled with this one, that can also be cancelled on its own.
    #[must_use]
    pub fn child_token(&self) -> Self {
        CancellationToken(self.0.child_token())
    }
}

/// Resolves when the current scope is cancelled (shutdown, a failed sibling, a timeout, the
/// parent's cancellation). Outside any scope it resolves on the shutdown of the running
/// [`Root`](crate::Root), and never without one.
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
///     }).await);
///     warden_runtime::current_token().cancel();
///     Ok(())
/// })
/// .await;
/// assert!(matches!(r, Err(Failure::Cancelled { .. })));
/// # }
/// ```
pub async fn cancelled() {
    owner().token().clone().cancelled_owned().await;
}

/// True once the current scope (or an ancestor) is cancelled. Outside any scope: true once the
/// running [`Root`](crate::Root) shuts down; false without one.
///
/// Why: a loop without awaits can check it between steps. It never allocates.
///
/// ```
/// assert!(!warden_runtime::is_cancelled());
/// ```
#[must_use]
pub fn is_cancelled() -> bool {
    match with_current(Scope::is_cancelled) {
        Some(cancelled) => cancelled,
        None => current_or_root().is_some_and(|root| root.is_cancelled()),
    }
}

/// The current scope's token (created on first use). Cancelling it cancels the scope and its
/// children. Outside any scope it is the running [`Root`](crate::Root)'s token, or without one
/// the global scope's, which warden never cancels.
///
/// Why: hand it to code that should stop with the scope, or cancel the scope on purpose.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let token = warden_runtime::current_token();
/// assert!(!token.is_cancelled());
/// # }
/// ```
#[must_use]
pub fn current_token() -> CancellationToken {
    CancellationToken::wrap(owner().token().clone())
}
