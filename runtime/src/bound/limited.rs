//! [`Limited`]: a body that waits for its permit, then runs while it holds it; the future of
//! every `run` and `run_or_fail` of both kinds of bound.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::future::{Fuse, FusedFuture as _, FutureExt as _};

use crate::failure::Failure;

pin_project_lite::pin_project! {
    /// A body waiting for its permit, then running while it holds it: the future of every `run`
    /// and `run_or_fail` above.
    ///
    /// Hand-written (not an `async fn` taking the body by value) so the body is stored once, in
    /// place, from the call on: an `async fn` keeps it as its argument and again as the awaited
    /// local, which doubled every `#[bounded]` fn's future.
    pub(super) struct Limited<A, P, F, R> {
        #[pin]
        acquire: Fuse<A>,
        permit: Option<P>,
        // What a refused caller returns: `None` runs the body unlimited.
        refused: Option<R>,
        #[pin]
        body: F,
    }
}

impl<A, P, F, R> Limited<A, P, F, R>
where
    A: Future<Output = Result<P, Failure>>,
    F: Future,
    R: FnOnce(Failure) -> Option<F::Output>,
{
    pub(super) fn new(acquire: A, body: F, refused: R) -> Self {
        Limited {
            acquire: acquire.fuse(),
            permit: None,
            refused: Some(refused),
            body,
        }
    }
}

impl<A, P, F, R> Future for Limited<A, P, F, R>
where
    A: Future<Output = Result<P, Failure>>,
    F: Future,
    R: FnOnce(Failure) -> Option<F::Output>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if !this.acquire.is_terminated() {
            // `Fuse` drops the acquiring future once it is ready.
            match ready!(this.acquire.as_mut().poll(cx)) {
                Ok(permit) => *this.permit = Some(permit),
                Err(failure) => {
                    if let Some(output) = this.refused.take().and_then(|refused| refused(failure)) {
                        return Poll::Ready(output);
                    }
                }
            }
        }
        // Gives the permit back when the body ends, and if its poll panics.
        let release = Release(this.permit);
        let output = this.body.poll(cx);
        if output.is_pending() {
            std::mem::forget(release);
        }
        output
    }
}

/// Drops a permit when dropped: after the body's last poll, or while its poll unwinds.
struct Release<'a, P>(&'a mut Option<P>);

impl<P> Drop for Release<'_, P> {
    fn drop(&mut self) {
        self.0.take();
    }
}
