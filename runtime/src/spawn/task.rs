//! The task of one child: polls the child's future with its panics caught, settles where a
//! failure goes as the child ends, and gives the child's place in its scope back whichever way
//! the task ends (returned, panicked or aborted).
//!
//! The task's own output is the result channel: a value goes to the handle through Tokio's
//! `JoinHandle`, with no channel of its own. A failure goes to exactly one side, decided under
//! the registry's lock as the child ends: to the scope at once if its handle was dropped,
//! else into the task's output as an [`Unclaimed`] failure, which the awaited handle takes, and
//! which reports itself to the scope if the handle is dropped instead. A child that succeeds
//! while no handle of its scope was dropped takes no lock: it leaves its entry to its handle.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tracing::Span;

use super::ChildOutput;
use super::handle::Unclaimed;
use crate::failure::{BoxError, Failure};
use crate::scope::{Ended, Scope, Ticket, enter};

pin_project! {
    /// One child's task: its future (held in the task itself, as Tokio holds any task's), the
    /// caller's span, and its place in the scope.
    pub(super) struct ChildTask<F> {
        #[pin]
        fut: F,
        // The span the child was spawned in, entered in each poll, when it is not its scope's
        // (`Place::in_scope_span`): boxed, and only when it is enabled, so that a quiet
        // service's task holds a pointer, not a span.
        span: Option<Box<Span>>,
        place: Place,
    }
}

impl<F> ChildTask<F> {
    pub(super) fn new(scope: Arc<Scope>, ticket: Ticket, fut: F) -> Self {
        // Compared by id and callsite, not cloned (as `Span`'s own equality compares them): a
        // child spawned in its scope's own span (the common case) enters that span through its
        // scope, and holds no span of its own.
        let current =
            tracing::dispatcher::get_default(|dispatch| dispatch.current_span().into_inner());
        let in_scope_span = match (&current, scope.span().id(), scope.span().metadata()) {
            (Some((id, meta)), Some(scope_id), Some(scope_meta)) => {
                *id == scope_id && std::ptr::eq(*meta, scope_meta)
            }
            _ => false,
        };
        let span = (current.is_some() && !in_scope_span).then(|| Box::new(Span::current()));
        ChildTask {
            fut,
            span,
            place: Place {
                scope: Some(scope),
                ticket,
                listed: true,
                in_scope_span,
            },
        }
    }
}

impl<F> Future for ChildTask<F>
where
    F: Future<Output: ChildOutput>,
{
    type Output = Settled<<F::Output as ChildOutput>::Ok>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.as_deref().map(Span::enter);
        let fut = this.fut;
        let scope_span = this.place.in_scope_span;
        if scope_span {
            this.place.scope_span(|id, dispatch| dispatch.enter(id));
        }
        // The child's scope is the current scope while it runs (its own spawns go there).
        let polled = enter(&mut this.place.scope, || {
            catch_unwind(AssertUnwindSafe(|| fut.poll(cx)))
        });
        // Settled inside the span too: a failure it reports is logged there.
        let settled = match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(this.place.settle(Ok(output))),
            Err(panic) => Poll::Ready(this.place.settle::<F::Output>(Err(panic))),
        };
        if scope_span {
            this.place.scope_span(|id, dispatch| dispatch.exit(id));
        }
        settled
    }
}

/// How a child ended, as its handle finds it: its value or unclaimed failure, and whether it
/// left its registry entry for the handle to remove.
pub(super) struct Settled<T> {
    pub(super) outcome: Result<T, Unclaimed>,
    pub(super) left_entry: bool,
}

/// A child's place in its scope: its registry entry until it settles, and its slot and live
/// count until the task drops it.
struct Place {
    /// The child's scope; lent to the current-scope slot while the child is polled, so always
    /// here outside a poll.
    scope: Option<Arc<Scope>>,
    ticket: Ticket,
    /// Still in the scope's registry: true until the child settles (an aborted child leaves it
    /// as its task drops it).
    listed: bool,
    /// The child was spawned in its scope's span, and runs in it (kept here, beside `listed`,
    /// where it takes no room of its own).
    in_scope_span: bool,
}

impl Place {
    /// Enters or exits (`step`) the scope's span: outside the poll, where the scope is here.
    fn scope_span(&self, step: impl FnOnce(&tracing::Id, &tracing::Dispatch)) {
        if let Some(scope) = &self.scope {
            scope
                .span()
                .with_subscriber(|(id, dispatch)| step(id, dispatch));
        }
    }

    /// The child ended with `output` (or the payload of its panic): leaves the registry and
    /// sends a failure to exactly one side, the scope if the handle is gone, else the handle
    /// (through the task's output).
    fn settle<O: ChildOutput>(&mut self, output: Result<O, Box<dyn Any + Send>>) -> Settled<O::Ok> {
        self.listed = false;
        let Some(scope) = &self.scope else {
            unreachable!("a child's scope is back in its place after each poll")
        };
        let failed = match output.map(ChildOutput::into_result) {
            Ok(Ok(value)) => {
                let left_entry = scope.may_leave_entry();
                if !left_entry {
                    scope.child_settled(self.ticket);
                }
                return Settled {
                    outcome: Ok(value),
                    left_entry,
                };
            }
            Ok(Err(error)) => Ok(error),
            Err(panic) => Err(panic),
        };
        // Reserved before the task existed, so the child finds its entry.
        let Ended {
            name,
            handle_dropped,
        } = scope.child_settled(self.ticket).unwrap_or(Ended {
            name: "child".into(),
            handle_dropped: false,
        });
        let error = match failed {
            Ok(error) => error,
            Err(panic) => Box::new(Failure::from_panic(name.clone(), &*panic)) as BoxError,
        };
        if !scope.is_echo(&error) {
            scope.count_failure();
        }
        let outcome = if handle_dropped {
            scope.report(name, error);
            Err(Unclaimed::reported())
        } else {
            Err(Unclaimed::new(Arc::clone(scope), name, error))
        };
        Settled {
            outcome,
            left_entry: false,
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let Some(scope) = &self.scope else { return };
        if self.listed {
            scope.child_settled(self.ticket);
        }
        // After a failure was reported: a scope waiting for its children to end must find the
        // failure when they have.
        scope.child_gone();
    }
}
