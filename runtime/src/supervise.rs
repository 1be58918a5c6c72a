//! Running a supervised body: inline in the caller's task, with its scope, timeout, panic capture
//! and the wait for its children.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::{CatchUnwind, Fuse, OptionFuture};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::WaitForCancellationFutureOwned;
use tracing::Span;

use crate::failure::Failure;
use crate::restart::RestartPolicy;
use crate::scope::{
    CURRENT, DEFAULT_GRACE, DEFAULT_MAX_CHILDREN, Kind, Scope, ensure_runtime, log_failure,
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
/// cancellation reaches every child. The body runs inline in the caller's task (no spawn); a
/// call that spawns no child allocates once; the returned future is the body's size plus a
/// constant. The scope starts at the first poll (its parent is the scope polling it).
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
///
/// # Errors
///
/// The body's own error, or `E::from` the scope's [`Failure`] as above.
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
/// let r: Result<u32, Failure> = supervise(&CFG, async {
///     let child = warden_runtime::spawn(async { Ok::<_, Failure>(21) }).await;
///     Ok(child.await? * 2)
/// })
/// .await;
/// assert_eq!(r.unwrap(), 42);
/// # }
/// ```
pub fn supervise<T, E, Fut>(
    cfg: &'static ScopeConfig,
    body: Fut,
) -> impl Future<Output = Result<T, E>>
where
    Fut: Future<Output = Result<T, E>>,
    E: From<Failure>,
{
    run(cfg, body, Some(cfg.make_span())).map(Outcome::into_result)
}

/// [`supervise`] for generated code: `convert` turns warden's own failure into the body's error
/// type. Generated code passes `|failure| From::from(failure)` spanned on the fn's error type,
/// so a missing `From<Failure>` is one error on the user's type instead of several inside
/// warden.
///
/// Like [`supervise`], the returned future is the body's size plus a constant: the conversion is
/// a plain map of the output, not an `async` block around the call (which would keep a second
/// copy of the fn's arguments).
///
/// # Errors
/// The body's own error, or `convert` applied to the [`Failure`] that ended the scope (a child,
/// a panic, a timeout, a cancellation).
pub fn supervise_with<T, E, Fut, C>(
    cfg: &'static ScopeConfig,
    body: Fut,
    convert: C,
) -> impl Future<Output = Result<T, E>>
where
    Fut: Future<Output = Result<T, E>>,
    C: FnOnce(Failure) -> E,
{
    // The span is made at the first poll: the future is built by the fn's body, maybe before an
    // outer attribute's wait (or rejection), which must not cost a span.
    run(cfg, body, None).map(move |outcome| match outcome {
        Outcome::Ok(value) => Ok(value),
        Outcome::Err(error) => Err(error),
        Outcome::Failed(failure) => Err(convert(failure)),
    })
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

/// One run of a scope, shared by `supervise` and `supervise_restarting`, inside `span` (made
/// from `cfg` at the first poll when `None`).
pub(crate) fn run<T, E, Fut>(
    cfg: &'static ScopeConfig,
    body: Fut,
    span: Option<Span>,
) -> Supervised<Fut, T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    Supervised {
        cfg,
        span,
        scope: None,
        body: AssertUnwindSafe(body).catch_unwind().fuse(),
        sleep: None.into(),
        waiter: None.into(),
        on_own: false,
        deadline: None,
        draining: None,
        partial: None,
    }
}

/// The phase after the body: waiting for (or draining) the children. Only scopes that had
/// children get there, so it is boxed to keep every call's future small.
type Draining = Pin<Box<dyn Future<Output = Option<Failure>> + Send>>;

pin_project_lite::pin_project! {
    /// A supervised call in flight: races the body against cancellation and the timeout, then
    /// waits for the children. Hand-written (not an `async fn`) so the body is stored once.
    pub(crate) struct Supervised<Fut, T, E>
    where
        Fut: Future,
    {
        cfg: &'static ScopeConfig,
        // Entered by every poll and by the drop, as `Instrumented` would.
        span: Option<Span>,
        // Created at the first poll, under the scope that polls it.
        scope: Option<Arc<Scope>>,
        #[pin]
        body: Fuse<CatchUnwind<AssertUnwindSafe<Fut>>>,
        #[pin]
        sleep: OptionFuture<Sleep>,
        #[pin]
        waiter: OptionFuture<WaitForCancellationFutureOwned>,
        // True once `waiter` listens to the scope's own token (not the parent's).
        on_own: bool,
        deadline: Option<Instant>,
        draining: Option<Draining>,
        // The body's result, kept while the children are waited for.
        partial: Option<Outcome<T, E>>,
    }

    impl<Fut, T, E> PinnedDrop for Supervised<Fut, T, E>
    where
        Fut: Future,
    {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            let _entered = this.span.as_ref().map(Span::enter);
            // Dropped before it finished (it lost a `select!`): no child may outlive it.
            if let Some(scope) = this.scope.take() {
                scope.abandon();
            }
            // What the body owns is dropped inside its span, too.
            this.body.set(Fuse::terminated());
            this.sleep.set(None.into());
            this.waiter.set(None.into());
            this.draining.take();
            this.partial.take();
        }
    }
}

/// How the body's race against cancellation and the timeout ended.
enum First<R> {
    Body(R),
    Cancelled,
    TimedOut,
}

impl<Fut, T, E> Future for Supervised<Fut, T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    type Output = Outcome<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let cfg: &'static ScopeConfig = this.cfg;
        let _entered = this.span.get_or_insert_with(|| cfg.make_span()).enter();
        if this.scope.is_none() {
            ensure_runtime("`#[supervised]` fn", cfg.name);
            let scope = Scope::new(
                cfg.name,
                Kind::Supervised,
                Scope::current(),
                cfg.max_children,
                None,
            );
            if let Some(after) = cfg.timeout {
                let deadline = Instant::now() + after;
                *this.deadline = Some(deadline);
                this.sleep
                    .set(Some(tokio::time::sleep_until(deadline)).into());
            }
            // Without its own token yet, the scope is cancelled through its parent's token (a
            // parent in another task) or by its parent dropping it (a parent in this task).
            if let Some(parent) = scope.parent_token() {
                this.waiter
                    .set(Some(parent.clone().cancelled_owned()).into());
            }
            *this.scope = Some(scope);
        }
        let Some(scope) = this.scope.as_ref() else {
            unreachable!("set above")
        };

        if this.draining.is_none() {
            let first = loop {
                if !*this.on_own {
                    if let Some(own) = scope.existing_token() {
                        this.waiter.set(Some(own.clone().cancelled_owned()).into());
                        *this.on_own = true;
                    }
                }
                if let Poll::Ready(Some(())) = this.waiter.as_mut().poll(cx) {
                    break First::Cancelled;
                }
                if let Poll::Ready(Some(())) = this.sleep.as_mut().poll(cx) {
                    break First::TimedOut;
                }
                let body = this.body.as_mut();
                if let Poll::Ready(out) = CURRENT.sync_scope(Arc::clone(scope), || body.poll(cx)) {
                    break First::Body(out);
                }
                // The body created the token (it spawned a child): listen to it before sleeping.
                if !*this.on_own && scope.existing_token().is_some() {
                    continue;
                }
                return Poll::Pending;
            };
            // The body (and all it owns) is dropped here, at its current await.
            this.body.set(Fuse::terminated());
            this.sleep.set(None.into());
            this.waiter.set(None.into());

            let (partial, failure) = settle(cfg, scope, first);
            let Some(token) = scope.existing_token() else {
                // No child was ever spawned: done, nothing to wait for.
                let scope = this.scope.take();
                return Poll::Ready(conclude(cfg, scope.as_deref(), partial, failure));
            };
            let waits = matches!(partial, Some(Outcome::Ok(_)));
            if !waits {
                token.cancel();
            }
            *this.partial = match failure {
                Some(f) => Some(Outcome::Failed(f)),
                None => partial,
            };
            *this.draining = Some(Box::pin(finish_children(
                cfg,
                Arc::clone(scope),
                waits,
                *this.deadline,
            )));
        }

        let Some(draining) = this.draining.as_mut() else {
            unreachable!("set above")
        };
        let later = ready!(draining.as_mut().poll(cx));
        *this.draining = None;
        let scope = this.scope.take();
        let partial = this.partial.take();
        Poll::Ready(match (partial, later) {
            (Some(Outcome::Ok(_)), Some(f)) => Outcome::Failed(f),
            (partial, _) => conclude(cfg, scope.as_deref(), partial, None),
        })
    }
}

/// What the race left: the body's result, or the scope's own failure (the first failure wins:
/// a child failure already in the slot is returned and the scope's own one logged).
fn settle<T, E>(
    cfg: &ScopeConfig,
    scope: &Scope,
    first: First<std::thread::Result<Result<T, E>>>,
) -> (Option<Outcome<T, E>>, Option<Failure>) {
    match first {
        First::Body(Ok(Ok(v))) => (Some(Outcome::Ok(v)), None),
        First::Body(Ok(Err(e))) => {
            if let Some(earlier) = scope.close_slot() {
                log_failure(cfg.name, &earlier);
            }
            (Some(Outcome::Err(e)), None)
        }
        First::Body(Err(panic)) => (
            None,
            Some(scope.claim(Failure::from_panic(cfg.name, &*panic))),
        ),
        First::TimedOut => (None, Some(scope.claim(timed_out(cfg)))),
        First::Cancelled => (
            None,
            Some(scope.close_slot().unwrap_or_else(|| cancelled(cfg))),
        ),
    }
}

/// The final outcome: the body's error, else a failure (own or a child's), else the value.
fn conclude<T, E>(
    cfg: &ScopeConfig,
    scope: Option<&Scope>,
    partial: Option<Outcome<T, E>>,
    failure: Option<Failure>,
) -> Outcome<T, E> {
    match (
        partial,
        failure.or_else(|| scope.and_then(Scope::close_slot)),
    ) {
        (Some(Outcome::Err(e)), _) => Outcome::Err(e),
        (Some(Outcome::Failed(f)), _) | (_, Some(f)) => Outcome::Failed(f),
        (Some(Outcome::Ok(v)), None) => Outcome::Ok(v),
        (None, None) => Outcome::Failed(cancelled(cfg)),
    }
}

/// After the body: if it succeeded (`waits`), wait for the children unless the scope is
/// cancelled or times out; else (already cancelled) give them the grace period and abort the
/// rest. Returns a failure that happened meanwhile, if any.
async fn finish_children(
    cfg: &'static ScopeConfig,
    scope: Arc<Scope>,
    waits: bool,
    deadline: Option<Instant>,
) -> Option<Failure> {
    let token = scope.token();
    if !waits {
        scope.drain_until(Instant::now() + cfg.grace).await;
        return None;
    }
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
