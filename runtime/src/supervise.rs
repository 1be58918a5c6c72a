//! Running a supervised body: inline in the caller's task, with its scope, timeout, panic capture
//! and the wait for its children.

use std::future::{Future, poll_fn};
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures::FutureExt as _;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument as _, Span};

use crate::failure::Failure;
use crate::restart::RestartPolicy;
use crate::scope::{
    CURRENT, DEFAULT_GRACE, DEFAULT_MAX_CHILDREN, Kind, Scope, ScopeGuard, ensure_runtime,
};

/// How one supervised fn runs: built once, in a `static`, by generated code or by hand.
///
/// Why `'static` and `const`: the config costs nothing per call.
///
/// ```
/// use std::time::Duration;
/// use warden_runtime::ScopeConfig;
///
/// static FETCH: ScopeConfig = ScopeConfig::new("fetch")
///     .timeout(Duration::from_secs(2))
///     .grace(Duration::from_millis(500))
///     .max_children(64);
/// assert_eq!(FETCH.name(), "fetch");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ScopeConfig {
    name: &'static str,
    timeout: Option<Duration>,
    grace: Duration,
    max_children: usize,
    restart: Option<RestartPolicy>,
    span: Option<fn() -> Span>,
}

impl ScopeConfig {
    /// A config with no timeout, a grace of 5 s, 1024 children at most and no restart.
    #[must_use]
    pub const fn new(name: &'static str) -> Self {
        ScopeConfig {
            name,
            timeout: None,
            grace: DEFAULT_GRACE,
            max_children: DEFAULT_MAX_CHILDREN,
            restart: None,
            span: None,
        }
    }

    /// Cancels the scope and returns [`Failure::TimedOut`] when it runs longer than `after`.
    #[must_use]
    pub const fn timeout(mut self, after: Duration) -> Self {
        self.timeout = Some(after);
        self
    }

    /// How long cancelled children may take to finish before they are aborted.
    #[must_use]
    pub const fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// How many children may run at once; `spawn` waits for a slot, `try_spawn` fails.
    /// Zero is taken as one.
    #[must_use]
    pub const fn max_children(mut self, max: usize) -> Self {
        self.max_children = if max == 0 { 1 } else { max };
        self
    }

    /// The restart policy that [`supervise_restarting`](crate::supervise_restarting) follows.
    #[must_use]
    pub const fn restart(mut self, policy: RestartPolicy) -> Self {
        self.restart = Some(policy);
        self
    }

    /// Makes the scope's span (generated code passes `|| info_span!("fn_name")`); the default
    /// span is `supervised` with a `scope` field.
    #[must_use]
    pub const fn span(mut self, make: fn() -> Span) -> Self {
        self.span = Some(make);
        self
    }

    /// The scope's name, as failures and logs show it.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The restart policy, if one was set.
    #[must_use]
    pub const fn restart_policy(&self) -> Option<RestartPolicy> {
        self.restart
    }

    fn make_span(&self) -> Span {
        if let Some(make) = self.span {
            make()
        } else {
            tracing::info_span!("supervised", scope = self.name)
        }
    }
}

/// Runs `body` as a supervised scope and returns its value or the scope's first failure.
///
/// Why: a fn whose spawned children cannot outlive it, whose panic becomes an error and whose
/// cancellation reaches every child. The body runs inline in the caller's task; a call that
/// spawns no child allocates once.
///
/// - The body's `Ok` is returned after every child finished; if an unowned child failed first,
///   `Err(Failure::Child)` instead.
/// - The body's `Err` is returned as is (children are cancelled and drained first).
/// - A panic in the body becomes [`Failure::Panicked`].
/// - Cancellation (parent, shutdown, an unowned child failure, `current_token().cancel()`)
///   drops the body at its current await, gives children `grace`, aborts the rest and returns
///   [`Failure::Cancelled`] (or the child failure that caused it).
/// - The timeout returns [`Failure::TimedOut`] the same way.
///
/// # Errors
///
/// The body's own error, or `E::from` the scope's [`Failure`] as above.
///
/// # Panics
///
/// Outside a Tokio runtime, with a message that names the fix.
///
/// ```
/// use warden_runtime::{Failure, ScopeConfig, supervise};
///
/// static CFG: ScopeConfig = ScopeConfig::new("double");
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let r: Result<u32, Failure> = supervise(&CFG, async {
///     let child = warden_runtime::spawn(async { Ok::<_, Failure>(21) }).await;
///     Ok(child.await? * 2)
/// })
/// .await;
/// assert_eq!(r.unwrap(), 42);
/// # }
/// ```
pub async fn supervise<T, E, Fut>(cfg: &'static ScopeConfig, body: Fut) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
    E: From<Failure>,
{
    run(cfg, body).await.into_result()
}

/// [`supervise`] with warden's own failure kept apart from the body's result, for generated
/// code: it converts the failure with the fn's `From<Failure>` itself, so a missing impl is one
/// error on the user's error type instead of several inside warden.
///
/// # Errors
/// The [`Failure`] that ended the scope (a child, a panic, a timeout, a cancellation).
pub async fn supervise_apart<T, E, Fut>(
    cfg: &'static ScopeConfig,
    body: Fut,
) -> Result<Result<T, E>, Failure>
where
    Fut: Future<Output = Result<T, E>>,
{
    match run(cfg, body).await {
        Outcome::Ok(value) => Ok(Ok(value)),
        Outcome::Err(error) => Ok(Err(error)),
        Outcome::Failed(failure) => Err(failure),
    }
}

/// How a scope ended: the body's value, the body's own error, or a warden failure.
pub(crate) enum Outcome<T, E> {
    Ok(T),
    Err(E),
    Failed(Failure),
}

impl<T, E: From<Failure>> Outcome<T, E> {
    pub(crate) fn into_result(self) -> Result<T, E> {
        match self {
            Outcome::Ok(v) => Ok(v),
            Outcome::Err(e) => Err(e),
            Outcome::Failed(f) => Err(E::from(f)),
        }
    }
}

/// One run of a scope, shared by `supervise` and `supervise_restarting`.
pub(crate) async fn run<T, E, Fut>(cfg: &'static ScopeConfig, body: Fut) -> Outcome<T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    ensure_runtime("`#[supervised]` fn", cfg.name);
    let scope = Scope::new(
        cfg.name,
        Kind::Supervised,
        Scope::current(),
        cfg.max_children,
        None,
    );
    drive(cfg, scope, body).instrument(cfg.make_span()).await
}

/// How the body's race against cancellation and the timeout ended.
enum First<R> {
    Body(R),
    Cancelled,
    TimedOut,
}

async fn drive<T, E, Fut>(cfg: &ScopeConfig, scope: Arc<Scope>, body: Fut) -> Outcome<T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    let guard = ScopeGuard::new(&scope);
    let deadline = cfg.timeout.map(|d| Instant::now() + d);
    let body = CURRENT.scope(Arc::clone(&scope), AssertUnwindSafe(body).catch_unwind());

    let mut value = None;
    let mut body_err = None;
    let mut failure = None;
    match race(&scope, body, deadline).await {
        First::Body(Ok(Ok(v))) => value = Some(v),
        First::Body(Ok(Err(e))) => {
            if let Some(first) = scope.close_slot() {
                crate::scope::log_failure(cfg.name, &first);
            }
            body_err = Some(e);
        }
        First::Body(Err(panic)) => {
            failure = Some(scope.claim(Failure::from_panic(cfg.name, &*panic)));
        }
        First::TimedOut => failure = Some(scope.claim(timed_out(cfg))),
        First::Cancelled => failure = Some(scope.close_slot().unwrap_or_else(|| cancelled(cfg))),
    }

    if let Some(token) = scope.existing_token() {
        // Only a scope that had children gets here: boxing this cold path keeps the future of
        // every call small.
        if value.is_some() {
            failure = Box::pin(wait_children(cfg, &scope, token, deadline)).await;
        } else {
            token.cancel();
            Box::pin(scope.drain_until(Instant::now() + cfg.grace)).await;
        }
    }
    guard.disarm();

    if let Some(e) = body_err {
        return Outcome::Err(e);
    }
    match (failure.or_else(|| scope.close_slot()), value) {
        (Some(f), _) => Outcome::Failed(f),
        (None, Some(v)) => Outcome::Ok(v),
        (None, None) => Outcome::Failed(cancelled(cfg)),
    }
}

/// Polls cancellation, the timeout and the body, in that order. The body (and everything it
/// owns) is dropped when this returns.
async fn race<B: Future>(scope: &Scope, body: B, deadline: Option<Instant>) -> First<B::Output> {
    let mut body = pin!(body);
    let mut sleep = pin!(deadline.map(tokio::time::sleep_until));
    // Without its own token yet, the scope is cancelled only through its parent's token (a parent
    // in another task) or by its parent dropping it (a parent in this task).
    let mut waiter = pin!(scope.parent_token().map(CancellationToken::cancelled));
    let mut on_own = false;
    poll_fn(|cx| {
        loop {
            if !on_own {
                if let Some(own) = scope.existing_token() {
                    waiter.set(Some(own.cancelled()));
                    on_own = true;
                }
            }
            if let Some(w) = waiter.as_mut().as_pin_mut() {
                if w.poll(cx).is_ready() {
                    return Poll::Ready(First::Cancelled);
                }
            }
            if let Some(s) = sleep.as_mut().as_pin_mut() {
                if s.poll(cx).is_ready() {
                    return Poll::Ready(First::TimedOut);
                }
            }
            if let Poll::Ready(out) = body.as_mut().poll(cx) {
                return Poll::Ready(First::Body(out));
            }
            // The body created the token (it spawned a child): listen to it before sleeping.
            if !on_own && scope.existing_token().is_some() {
                continue;
            }
            return Poll::Pending;
        }
    })
    .await
}

/// The body returned `Ok`: waits for the children unless the scope is cancelled or times out.
async fn wait_children(
    cfg: &ScopeConfig,
    scope: &Scope,
    token: &CancellationToken,
    deadline: Option<Instant>,
) -> Option<Failure> {
    let expiry = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        () = token.cancelled() => {
            let f = scope.close_slot().unwrap_or_else(|| cancelled(cfg));
            scope.drain_until(Instant::now() + cfg.grace).await;
            Some(f)
        }
        () = expiry => {
            let f = scope.claim(timed_out(cfg));
            token.cancel();
            scope.drain_until(Instant::now() + cfg.grace).await;
            Some(f)
        }
        () = scope.wait_idle() => None,
    }
}

fn cancelled(cfg: &ScopeConfig) -> Failure {
    Failure::Cancelled {
        scope: cfg.name.into(),
    }
}

fn timed_out(cfg: &ScopeConfig) -> Failure {
    Failure::TimedOut {
        scope: cfg.name.into(),
        after: cfg.timeout.unwrap_or_default(),
    }
}
