//! A root's `main` future, polled together with a SIGUSR1 listener that logs the root's tree.

use std::future::Future;
use std::pin::Pin;
use std::sync::Weak;
use std::task::{Context, Poll};

use crate::scope::Scope;

#[cfg(unix)]
type Listener = tokio::signal::unix::Signal;
#[cfg(not(unix))]
type Listener = std::convert::Infallible;

pin_project_lite::pin_project! {
    /// `main`, and on each SIGUSR1 (unix) a log of the root's tree. Installs the listener when
    /// created, so it is there before `main` first runs.
    pub(crate) struct LogOnSignal<F> {
        #[pin]
        main: F,
        listener: Option<Listener>,
        root: Weak<Scope>,
    }
}

impl<F> LogOnSignal<F> {
    /// `main` for the root `root`; listens only if `signals` (and on unix).
    pub(crate) fn new(main: F, root: Weak<Scope>, signals: bool) -> Self {
        LogOnSignal {
            main,
            listener: if signals { listen() } else { None },
            root,
        }
    }
}

#[cfg(unix)]
fn listen() -> Option<Listener> {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::user_defined1())
        .inspect_err(|e| tracing::warn!(error = %e, "warden: cannot listen for SIGUSR1"))
        .ok()
}

#[cfg(not(unix))]
fn listen() -> Option<Listener> {
    None
}

impl<F: Future> Future for LogOnSignal<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        #[cfg(unix)]
        if let Some(listener) = this.listener.as_mut() {
            while let Poll::Ready(Some(())) = listener.poll_recv(cx) {
                if let Some(root) = this.root.upgrade() {
                    super::log(&root, "SIGUSR1");
                }
            }
        }
        this.main.poll(cx)
    }
}
