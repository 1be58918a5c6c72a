//! One run (an attempt) of a supervised scope: the body inline in the caller's task, raced
//! against cancellation and the timeout, its panic caught, then the wait for its children.
//! [`supervise`](crate::supervise) runs one attempt, or several by a restart policy.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::OptionFuture;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::WaitForCancellationFutureOwned;
use tracing::Span;

use crate::config::ScopeConfig;
use crate::failure::Failure;
use crate::scope::owners::Owner;
use crate::scope::{Kind, Limits, Scope, ensure_runtime, enter};
use crate::tree;

pub(crate) use crate::outcome::{Convert, Finish, Keep, Outcome};

/// One attempt of a scope, after `restarts` restarts (the live tree shows the count); its span
/// is made from `cfg` at the first poll.
pub(crate) fn attempt<T, E, Fut>(
    cfg: &'static ScopeConfig,
    body: Fut,
    restarts: u32,
) -> Supervised<Fut, T, E, Keep>
where
    Fut: Future<Output = Result<T, E>>,
{
    attempt_then(cfg, body, restarts, Keep)
}

/// [`attempt`], its outcome turned into the call's output by `finish` (in the same future: no
/// `map` layer for every supervised fn to instantiate).
pub(crate) fn attempt_then<T, E, Fut, F>(
    cfg: &'static ScopeConfig,
    body: Fut,
    restarts: u32,
    finish: F,
) -> Supervised<Fut, T, E, F>
where
    Fut: Future<Output = Result<T, E>>,
    F: Finish<T, E>,
{
    Supervised {
        driver: Driver::new(cfg, restarts),
        body: Some(body),
        finish: Some(finish),
    }
}

/// The phase after the body: waiting for (or draining) the children. Only scopes that had
/// children get there, so it is boxed to keep every call's future small.
type Draining = Pin<Box<dyn Future<Output = Option<Failure>> + Send>>;

/// The body as the driver sees it: polled and dropped, behind a `dyn`, so the driver (the
/// panic catching included) is compiled once per `(T, E)`, not once per supervised fn.
///
/// Implemented by the body's own slot, an `Option` (no `Fuse` or other wrapper: every generic
/// layer here is compiled again for each supervised fn).
pub(crate) trait Body<T, E> {
    /// With a context, polls the body; without, drops it where it stands (at its current
    /// await) and returns `Pending`. One fn, not two: each is compiled for every supervised fn.
    fn poll_or_drop(self: Pin<&mut Self>, cx: Option<&mut Context<'_>>) -> Poll<Result<T, E>>;
}

impl<T, E> dyn Body<T, E> + '_ {
    fn poll_body(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        self.poll_or_drop(Some(cx))
    }

    fn drop_body(self: Pin<&mut Self>) {
        let _ = self.poll_or_drop(None);
    }
}

impl<Fut, T, E> Body<T, E> for Option<Fut>
where
    Fut: Future<Output = Result<T, E>>,
{
    fn poll_or_drop(mut self: Pin<&mut Self>, cx: Option<&mut Context<'_>>) -> Poll<Result<T, E>> {
        let Some(cx) = cx else {
            self.set(None);
            return Poll::Pending;
        };
        // The driver drops the body as soon as it is ready and never polls it again.
        match self.as_pin_mut() {
            Some(body) => body.poll(cx),
            None => Poll::Pending,
        }
    }
}

pin_project_lite::pin_project! {
    /// A supervised call in flight: the body, stored once, and the driver that races it against
    /// cancellation and the timeout, then waits for the children. Hand-written (not an
    /// `async fn`) so the body is stored once; the only code generic over the body is this
    /// wrapper's `poll` and drop and the body slot's two [`Body`] fns.
    pub(crate) struct Supervised<Fut, T, E, F>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        #[pin]
        pub(crate) driver: Driver<T, E>,
        #[pin]
        pub(crate) body: Option<Fut>,
        pub(crate) finish: Option<F>,
    }

    impl<Fut, T, E, F> PinnedDrop for Supervised<Fut, T, E, F>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.driver.abandon(this.body);
        }
    }
}

impl<Fut, T, E, F> Future for Supervised<Fut, T, E, F>
where
    Fut: Future<Output = Result<T, E>>,
    F: Finish<T, E>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let outcome = std::task::ready!(this.driver.poll(this.body, cx));
        match this.finish.take() {
            Some(finish) => Poll::Ready(finish.finish(outcome)),
            None => unreachable!("a supervised call is not polled after it ended"),
        }
    }
}

pin_project_lite::pin_project! {
    /// Everything of a supervised call but its body: generic over the body's `(T, E)` only.
    pub(crate) struct Driver<T, E> {
        cfg: &'static ScopeConfig,
        // Entered by every poll and by the drop, as `Instrumented` would.
        span: Option<Span>,
        // Created at the first poll, under the scope that polls it; dropped unfinished, it
        // aborts the scope's children.
        scope: Option<Owner>,
        #[pin]
        sleep: OptionFuture<Sleep>,
        #[pin]
        waiter: OptionFuture<WaitForCancellationFutureOwned>,
        // True once `waiter` listens to the scope's own token (not the parent's).
        on_own: bool,
        // Restarts before this attempt, for the live tree.
        restarts: u32,
        deadline: Option<Instant>,
        draining: Option<Draining>,
        // The body's result, kept while the children are waited for.
        partial: Option<Outcome<T, E>>,
    }
}

/// How the body's race against cancellation and the timeout ended.
enum First<R> {
    Body(R),
    Cancelled,
    TimedOut,
}

impl<T, E> Driver<T, E> {
    /// A driver for one attempt of `cfg`'s scope, after `restarts` restarts.
    pub(crate) fn new(cfg: &'static ScopeConfig, restarts: u32) -> Self {
        Driver {
            cfg,
            span: None,
            scope: None,
            sleep: None.into(),
            waiter: None.into(),
            on_own: false,
            restarts,
            deadline: None,
            draining: None,
            partial: None,
        }
    }

    /// The driver of a scope's only attempt: a fn without `restart` (the macro knows).
    ///
    /// # Panics
    /// In debug builds, when `cfg` has a restart policy (a body built once cannot be run
    /// again: use [`supervise`](crate::supervise)).
    pub(crate) fn once(cfg: &'static ScopeConfig) -> Self {
        debug_assert!(
            cfg.restart_policy().is_none(),
            "warden: scope `{}` has a restart policy; run it with `supervise`, which can rebuild its body",
            cfg.name()
        );
        // The span is made at the first poll: the future is built by the fn's body, maybe
        // before an outer attribute's wait (or rejection), which must not cost a span.
        Self::new(cfg, 0)
    }

    /// Dropped before it finished (it lost a `select!`): inside the span, the scope is
    /// abandoned (no child may outlive it), then the body and what it owns are dropped.
    fn abandon(self: Pin<&mut Self>, body: Pin<&mut dyn Body<T, E>>) {
        let mut this = self.project();
        let _entered = this.span.as_ref().map(Span::enter);
        drop(this.scope.take());
        body.drop_body();
        this.sleep.set(None.into());
        this.waiter.set(None.into());
        this.draining.take();
        this.partial.take();
    }

    fn poll(
        self: Pin<&mut Self>,
        mut body: Pin<&mut dyn Body<T, E>>,
        cx: &mut Context<'_>,
    ) -> Poll<Outcome<T, E>> {
        let mut this = self.project();
        let cfg: &'static ScopeConfig = this.cfg;
        let _entered = this.span.get_or_insert_with(|| cfg.make_span()).enter();
        if this.scope.is_none() {
            ensure_runtime("`#[supervised]` fn", cfg.name);
            let limits = Limits {
                max_children: cfg.max_children,
                grace: cfg.grace,
            };
            // The parent is the scope polling this one. Outside any scope (a request handler),
            // none: the caller's own code (a server's graceful drain) decides when it stops.
            let scope = Scope::new(cfg.name, Kind::Supervised, Scope::current(), limits, None);
            scope.node.set_restarts(*this.restarts);
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
            *this.scope = Some(Owner::new(scope));
        }
        let Some(scope) = this.scope.as_ref().map(Owner::scope) else {
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
                let polled = enter(&mut Some(Arc::clone(scope)), || {
                    std::panic::catch_unwind(AssertUnwindSafe(|| body.as_mut().poll_body(cx)))
                });
                match polled {
                    Ok(Poll::Ready(out)) => break First::Body(Ok(out)),
                    Err(panic) => break First::Body(Err(panic)),
                    Ok(Poll::Pending) => {}
                }
                // The body created the token (it spawned a child): listen to it before sleeping.
                if !*this.on_own && scope.existing_token().is_some() {
                    continue;
                }
                tree::list(scope);
                return Poll::Pending;
            };
            // The body (and all it owns) is dropped here, at its current await.
            body.drop_body();
            this.sleep.set(None.into());
            this.waiter.set(None.into());

            let (partial, failure) = settle(cfg, scope, first);
            let Some(token) = scope.existing_token() else {
                // No child was ever spawned: done, nothing to wait for.
                let scope = this.scope.take().map(Owner::finish);
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
        let Poll::Ready(later) = draining.as_mut().poll(cx) else {
            if let Some(owner) = this.scope.as_ref() {
                tree::list(owner.scope());
            }
            return Poll::Pending;
        };
        *this.draining = None;
        let scope = this.scope.take().map(Owner::finish);
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
            scope.node.mark_failed();
            if let Some(earlier) = scope.take_first_failure() {
                earlier.log_unreturned(cfg.name);
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
            Some(scope.take_first_failure().unwrap_or_else(|| cancelled(cfg))),
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
        failure.or_else(|| scope.and_then(Scope::take_first_failure)),
    ) {
        (Some(Outcome::Err(e)), _) => Outcome::Err(e),
        (Some(Outcome::Failed(f)), _) | (_, Some(f)) => Outcome::Failed(f),
        (Some(Outcome::Ok(v)), None) => Outcome::Ok(v),
        (None, None) => Outcome::Failed(cancelled(cfg)),
    }
}

/// After the body: if it succeeded (`waits`), wait for the children unless the scope is
/// cancelled or times out; else (already cancelled) let them wind down as
/// [`Scope::wind_down_until`] says (no grace of its own: aborted at once). Returns a failure
/// that happened meanwhile, if any.
async fn finish_children(
    cfg: &'static ScopeConfig,
    scope: Arc<Scope>,
    waits: bool,
    deadline: Option<Instant>,
) -> Option<Failure> {
    let token = scope.token();
    if !waits {
        scope.drain_until(scope.wind_down_until()).await;
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
            let first = scope.take_first_failure();
            let shutdown = scope.tree_root().and_then(Scope::shutdown_deadline).is_some();
            let finished = scope.drain_until(scope.wind_down_until()).await;
            // A body that succeeded keeps its value through a shutdown if its children finished
            // within the root's grace.
            match first {
                None if shutdown && finished => None,
                first => Some(first.unwrap_or_else(|| cancelled(cfg))),
            }
        }
        () = expiry => {
            let f = scope.claim(timed_out(cfg));
            token.cancel();
            scope.drain_until(scope.wind_down_until()).await;
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
