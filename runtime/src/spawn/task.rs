//! The task of one child: polls the child's future with its panics caught, settles where a
//! failure goes as the child ends, and gives the child's place in its scope back whichever way
//! the task ends (returned, panicked or aborted).
//!
//! The task's own output is the result channel: a value goes to the handle through Tokio's
//! `JoinHandle`, with no channel of its own. A failure goes to exactly one side, decided under
//! the registry's lock as the child ends: to the scope at once if its handle was dropped,
//! else into the task's output as an [`Unclaimed`] failure, which the awaited handle takes, and
//! which reports itself to the scope if the handle is dropped instead.

use std::borrow::Cow;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::ChildOutput;
use super::handle::Unclaimed;
use crate::failure::{BoxError, Failure};
use crate::scope::Scope;

/// One child's task: its boxed future and its place in the scope.
pub(super) struct ChildTask<F> {
    fut: Pin<Box<F>>,
    place: Place,
}

impl<F> ChildTask<F> {
    pub(super) fn new(
        scope: Arc<Scope>,
        id: u64,
        name: Cow<'static, str>,
        fut: Pin<Box<F>>,
    ) -> Self {
        ChildTask {
            fut,
            place: Place {
                scope,
                id,
                name,
                listed: true,
            },
        }
    }
}

impl<F> Future for ChildTask<F>
where
    F: Future<Output: ChildOutput>,
{
    type Output = Result<<F::Output as ChildOutput>::Ok, Unclaimed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Both fields are `Unpin` (the child's future is boxed).
        let this = self.get_mut();
        let result = match catch_unwind(AssertUnwindSafe(|| this.fut.as_mut().poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => output.into_result(),
            Err(panic) => {
                Err(Box::new(Failure::from_panic(this.place.name.clone(), &*panic)) as BoxError)
            }
        };
        Poll::Ready(this.place.settle(result))
    }
}

/// A child's place in its scope: its registry entry until it settles, and its slot and live
/// count until the task drops it.
struct Place {
    scope: Arc<Scope>,
    id: u64,
    name: Cow<'static, str>,
    /// Still in the scope's registry: true until the child settles (an aborted child leaves it
    /// as its task drops it).
    listed: bool,
}

impl Place {
    /// The child ended with `result`: leaves the registry and sends a failure to exactly one
    /// side, the scope if the handle is gone, else the handle (through the task's output).
    fn settle<T>(&mut self, result: Result<T, BoxError>) -> Result<T, Unclaimed> {
        self.listed = false;
        let handle_dropped = self.scope.child_settled(self.id);
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if !self.scope.is_echo(&error) {
            self.scope.count_failure();
        }
        if handle_dropped {
            self.scope.report(self.name.clone(), error);
            return Err(Unclaimed::reported());
        }
        Err(Unclaimed::new(
            Arc::clone(&self.scope),
            self.name.clone(),
            error,
        ))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if self.listed {
            self.scope.child_settled(self.id);
        }
        // After a failure was reported: a scope waiting for its children to end must find the
        // failure when they have.
        self.scope.child_gone();
    }
}
