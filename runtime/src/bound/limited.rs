//! [`Limited`]: a body that waits for its permit, then runs while it holds it; the future of
//! every `run` and `run_or_fail` of both kinds of bound.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::failure::Failure;

pin_project_lite::pin_project! {
    /// A body waiting for its permit, then running while it holds it: the future of every `run`
    /// and `run_or_fail` above.
    ///
    /// Hand-written (not an `async fn` taking the body by value) so the body is stored once, in
    /// place, from the call on: an `async fn` keeps it as its argument and again as the awaited
    /// local, which doubled every `#[bounded]` fn's future. The acquiring future and the permit
    /// share their bytes (a spawn copies every byte of a future).
    pub(super) struct Limited<A, P, F, R> {
        #[pin]
        stage: Stage<A, P>,
        // What a refused caller returns: `None` runs the body unlimited.
        refused: R,
        #[pin]
        body: F,
    }
}

pin_project_lite::pin_project! {
    #[project = StageProj]
    enum Stage<A, P> {
        Acquiring {
            #[pin]
            acquire: A,
        },
        // `None` once the body ended (or ran unlimited).
        Holding {
            permit: Option<P>,
        },
    }
}

impl<A, P, F, R> Limited<A, P, F, R>
where
    A: Future<Output = Result<P, Failure>>,
    F: Future,
    R: Fn(Failure) -> Option<F::Output>,
{
    pub(super) fn new(acquire: A, body: F, refused: R) -> Self {
        Limited {
            stage: Stage::Acquiring { acquire },
            refused,
            body,
        }
    }
}

impl<A, P, F, R> Future for Limited<A, P, F, R>
where
    A: Future<Output = Result<P, Failure>>,
    F: Future,
    R: Fn(Failure) -> Option<F::Output>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if let StageProj::Acquiring { acquire } = this.stage.as_mut().project() {
            let permit = match ready!(acquire.poll(cx)) {
                Ok(permit) => Some(permit),
                Err(failure) => {
                    if let Some(output) = (this.refused)(failure) {
                        return Poll::Ready(output);
                    }
                    None
                }
            };
            // Drops the acquiring future, which is done.
            this.stage.set(Stage::Holding { permit });
        }
        let StageProj::Holding { permit } = this.stage.project() else {
            unreachable!("set to `Holding` above");
        };
        // Gives the permit back when the body ends, and if its poll panics.
        let release = Release(permit);
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
