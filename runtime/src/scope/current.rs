//! The scope of the running code: a thread-local slot that holds it while a supervised body, a
//! root's `main` or a child is polled, and gives it back after, the way a Tokio task-local
//! does. Each owner keeps its scope in an `Option` of its own and lends it to the slot for
//! the poll, so a child's task needs no wrapper future and no second reference to its scope.

use std::cell::RefCell;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::Scope;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Scope>>> = const { RefCell::new(None) };
}

/// Runs `f` with `scope` as the current scope: the scope moves into the slot for the call and
/// back into `scope` after, also if `f` panics; whatever was current before is current again.
pub(crate) fn enter<R>(scope: &mut Option<Arc<Scope>>, f: impl FnOnce() -> R) -> R {
    /// Swaps the slot and the owner's scope back when dropped.
    struct Back<'a>(&'a mut Option<Arc<Scope>>);

    impl Drop for Back<'_> {
        fn drop(&mut self) {
            swap(self.0);
        }
    }

    swap(scope);
    let _back = Back(scope);
    f()
}

/// Exchanges the slot's scope with `scope` (a no-op once the thread's locals are gone).
fn swap(scope: &mut Option<Arc<Scope>>) {
    let _ = CURRENT.try_with(|slot| mem::swap(&mut *slot.borrow_mut(), scope));
}

/// The scope of the running code, if any.
pub(crate) fn current() -> Option<Arc<Scope>> {
    CURRENT
        .try_with(|slot| slot.borrow().clone())
        .ok()
        .flatten()
}

/// `f` of the scope of the running code, if any, without cloning it. `f` must not poll.
pub(crate) fn with<R>(f: impl FnOnce(&Scope) -> R) -> Option<R> {
    CURRENT
        .try_with(|slot| slot.borrow().as_deref().map(f))
        .ok()
        .flatten()
}

pin_project! {
    /// A future polled with `scope` as the current scope (a root's `main`).
    pub(crate) struct InScope<F> {
        scope: Option<Arc<Scope>>,
        #[pin]
        fut: F,
    }
}

impl<F> InScope<F> {
    pub(crate) fn new(scope: Arc<Scope>, fut: F) -> Self {
        InScope {
            scope: Some(scope),
            fut,
        }
    }
}

impl<F: Future> Future for InScope<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let fut = this.fut;
        enter(this.scope, || fut.poll(cx))
    }
}
