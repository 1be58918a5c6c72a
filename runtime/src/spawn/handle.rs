//! A child's handle, and the failure its task leaves for it.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::task::JoinHandle;

use super::task::Settled;
use crate::failure::{BoxError, Failure};
use crate::scope::{Scope, Ticket};

/// The handle of a child: await it for the child's value or failure, or drop it to leave the
/// child to its scope.
///
/// Why: ownership of a failure is explicit. Awaiting takes it (the scope will not report it);
/// dropping the handle before the child finished gives it back to the scope.
///
/// Awaiting yields `Ok(value)`, `Err(Failure::Child { error, .. })` for the child's error or
/// panic (then `error` is a [`Failure::Panicked`]), or `Err(Failure::Cancelled)` when the child
/// was aborted or never started.
#[must_use = "await the handle for the child's outcome, or leave the child to its scope with `drop(handle)` (`let _ =` on a future is a clippy warning)"]
pub struct ChildHandle<T> {
    /// The child's task; `None` if the child never started, or once its outcome was taken.
    join: Option<JoinHandle<Settled<T>>>,
    scope: Arc<Scope>,
    /// The child's entry in its scope; `None` if it never started.
    ticket: Option<Ticket>,
    name: Cow<'static, str>,
}

impl<T> ChildHandle<T> {
    pub(super) fn started(
        scope: Arc<Scope>,
        ticket: Ticket,
        name: Cow<'static, str>,
        join: JoinHandle<Settled<T>>,
    ) -> Self {
        ChildHandle {
            join: Some(join),
            scope,
            ticket: Some(ticket),
            name,
        }
    }

    pub(super) fn refused(scope: Arc<Scope>, name: Cow<'static, str>) -> Self {
        ChildHandle {
            join: None,
            scope,
            ticket: None,
            name,
        }
    }

    /// True if the child was never started (its scope was aborting its children).
    pub(super) fn was_refused(&self) -> bool {
        self.join.is_none()
    }

    /// The child's name (`"child"` unless it was spawned with a name).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Aborts the child now, at its current await; awaiting then yields `Failure::Cancelled`.
    pub fn abort(&self) {
        if let Some(join) = &self.join {
            join.abort();
        }
    }

    /// True once the child's task ended.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.join.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl<T> std::fmt::Debug for ChildHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildHandle")
            .field("scope", &self.scope.name)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<T> Future for ChildHandle<T> {
    type Output = Result<T, Failure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let scope = Cow::Borrowed(this.scope.name);
        let Some(join) = this.join.as_mut() else {
            return Poll::Ready(Err(Failure::Cancelled { scope }));
        };
        let joined = ready!(Pin::new(join).poll(cx));
        this.join = None;
        let joined = joined.map(|settled| {
            if settled.left_entry
                && let Some(ticket) = this.ticket
            {
                this.scope.child_claimed(ticket);
            }
            settled.outcome
        });
        Poll::Ready(match joined {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(mut unclaimed)) => match unclaimed.claim() {
                Some(error) => Err(Failure::Child {
                    scope,
                    child: this.name.clone(),
                    error,
                }),
                // Unreachable while the handle lives (the scope took it only if it was gone).
                None => Err(Failure::Cancelled { scope }),
            },
            Err(e) if e.is_panic() => Err(Failure::Child {
                scope,
                child: this.name.clone(),
                error: Box::new(Failure::from_panic(this.name.clone(), &*e.into_panic())),
            }),
            Err(_) => Err(Failure::Cancelled { scope }),
        })
    }
}

impl<T> Drop for ChildHandle<T> {
    fn drop(&mut self) {
        let (Some(join), Some(ticket)) = (self.join.take(), self.ticket) else {
            return;
        };
        if join.is_finished() {
            // Its output (an unclaimed failure reports itself) is dropped with `join`; the
            // entry it may have left goes first.
            self.scope.child_claimed(ticket);
            return;
        }
        if self.scope.handle_dropped(ticket) {
            // The child has not ended: it reports its own failure to the scope.
            return;
        }
        // The child settled while this handle lived: its failure, if any, is its task's
        // output, stored once its task completes (at most a few instructions away on another
        // thread). Dropping the completed task's handle drops that output here, and an
        // unclaimed failure reports itself to the scope before this handle is gone: a scope
        // waiting for its children (this handle's holder among them) finds it. Not from inside
        // the child's own task (a child that kept its own handle drops it as it completes),
        // and never for long: past the bound the output reports itself when Tokio drops it.
        if tokio::task::try_id() == Some(join.id()) {
            return;
        }
        for _ in 0..COMPLETION_SPINS {
            if join.is_finished() {
                return;
            }
            std::thread::yield_now();
        }
    }
}

/// How many times a dropped handle yields its thread for its child's task to complete: the
/// task is completing on another thread, so the first few suffice; the bound is a safety net.
const COMPLETION_SPINS: u32 = 10_000;

/// A child's failure as its task's output: taken by the awaited handle, or, if the handle is
/// dropped without awaiting it, reported to the scope as the output is dropped.
pub(crate) struct Unclaimed(Option<(Arc<Scope>, Cow<'static, str>, BoxError)>);

impl Unclaimed {
    pub(super) fn new(scope: Arc<Scope>, child: Cow<'static, str>, error: BoxError) -> Self {
        Unclaimed(Some((scope, child, error)))
    }

    /// A failure the child already reported to its scope (its handle was gone).
    pub(super) fn reported() -> Self {
        Unclaimed(None)
    }

    fn claim(&mut self) -> Option<BoxError> {
        self.0.take().map(|(_, _, error)| error)
    }
}

impl Drop for Unclaimed {
    fn drop(&mut self) {
        if let Some((scope, child, error)) = self.0.take() {
            scope.report(child, error);
        }
    }
}
