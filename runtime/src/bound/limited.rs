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
    /// place: an `async fn` keeps it as its argument and again as the awaited local, which
    /// doubled every `#[bounded]` fn's future. The body is made by `make` once the permit is
    /// held, so the acquiring future and what makes the body (the fn's arguments) share their
    /// bytes with the permit and the body: a spawn copies every byte of a future.
    pub(super) struct Limited<A, P, M, F, R, N> {
        #[pin]
        stage: Stage<A, P, M, F>,
        // What a refused caller returns: `None` runs the body unlimited.
        refused: R,
        // Told of each admission, before the body is made.
        admitted: N,
    }
}

pin_project_lite::pin_project! {
    #[project = StageProj]
    #[project_replace = StageOwn]
    enum Stage<A, P, M, F> {
        Acquiring {
            #[pin]
            acquire: A,
            make: M,
        },
        // The body first: it is dropped before the permit, so its destructors run under it.
        Running {
            #[pin]
            body: F,
            // `None` while the body's last poll ends, or if it runs unlimited.
            permit: Option<P>,
        },
        Done,
    }
}

impl<A, P, M, F, R, N> Limited<A, P, M, F, R, N>
where
    A: Future<Output = Result<P, Failure>>,
    M: FnOnce() -> F,
    F: Future,
    R: Fn(Failure) -> Option<F::Output>,
    N: Fn(),
{
    pub(super) fn new(acquire: A, make: M, refused: R, admitted: N) -> Self {
        Limited {
            stage: Stage::Acquiring { acquire, make },
            refused,
            admitted,
        }
    }
}

impl<A, P, M, F, R, N> Future for Limited<A, P, M, F, R, N>
where
    A: Future<Output = Result<P, Failure>>,
    M: FnOnce() -> F,
    F: Future,
    R: Fn(Failure) -> Option<F::Output>,
    N: Fn(),
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if let StageProj::Acquiring { acquire, .. } = this.stage.as_mut().project() {
            let permit = match ready!(acquire.poll(cx)) {
                Ok(permit) => {
                    (this.admitted)();
                    Some(permit)
                }
                Err(failure) => {
                    if let Some(output) = (this.refused)(failure) {
                        this.stage.set(Stage::Done);
                        return Poll::Ready(output);
                    }
                    None
                }
            };
            // Drops the acquiring future, which is done; the permit is held from here on.
            let StageOwn::Acquiring { make, .. } = this.stage.as_mut().project_replace(Stage::Done)
            else {
                unreachable!("matched `Acquiring` above");
            };
            let body = make();
            this.stage.set(Stage::Running { body, permit });
        }
        let StageProj::Running { body, permit } = this.stage.as_mut().project() else {
            panic!("a bounded call's future polled after it completed");
        };
        // Gives the permit back when the body ends, and if its poll panics.
        let release = Release(permit);
        let output = body.poll(cx);
        if output.is_pending() {
            std::mem::forget(release);
            return Poll::Pending;
        }
        drop(release);
        this.stage.set(Stage::Done);
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
