//! The root of the tree, for `main`: signals or a handle cancel everything, children get a grace
//! period, stragglers are aborted and reported.
//!
//! Over 400 lines on purpose: `Root` and its `ShutdownHandle` are one concept, the sequence
//! signal → cancel → grace → abort → report, which reads best in one place.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use futures::FutureExt as _;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::config::{DEFAULT_GRACE, DEFAULT_MAX_CHILDREN};
use crate::failure::Failure;
use crate::scope::owners::{Owner, Running};
use crate::scope::{InScope, Kind, Limits, Scope, ensure_runtime};
use crate::tree::LogOnSignal;

/// The root scope of a program: runs `main`'s future, and on SIGINT/SIGTERM or
/// [`ShutdownHandle::shutdown`] cancels the whole tree, waits up to the grace period, aborts
/// what is left and logs which scopes it aborted.
///
/// Why: a service stops the same way every time, and no task outlives `main`.
///
/// ```
/// use std::time::Duration;
/// use warden_runtime::{Failure, Root};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let root = Root::new().grace(Duration::from_secs(1)).signals(false);
/// let stop = root.shutdown_handle();
/// let r = root
///     .run(async move {
///         drop(warden_runtime::spawn(async {
///             warden_runtime::cancelled().await;
///         }).await);
///         stop.shutdown();
///         warden_runtime::cancelled().await;
///         "drained"
///     })
///     .await;
/// assert_eq!(r.unwrap(), "drained");
/// # }
/// ```
#[derive(Debug)]
pub struct Root {
    name: &'static str,
    grace: Duration,
    max_children: usize,
    signals: bool,
    token: CancellationToken,
    scope: RootScope,
}

impl Default for Root {
    fn default() -> Self {
        Self::new()
    }
}

impl Root {
    /// A root named `root`, with a grace of 5 s, 1024 direct children at most, listening to
    /// SIGINT (and SIGTERM on unix).
    #[must_use]
    pub fn new() -> Self {
        Root {
            name: "root",
            grace: DEFAULT_GRACE,
            max_children: DEFAULT_MAX_CHILDREN,
            signals: true,
            token: CancellationToken::new(),
            scope: RootScope::default(),
        }
    }

    /// The root scope's name, as logs and failures show it.
    #[must_use]
    pub fn name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// How long the tree may take to stop after shutdown before what is left is aborted.
    #[must_use]
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// How many direct children the root may have at once.
    #[must_use]
    pub fn max_children(mut self, max: usize) -> Self {
        self.max_children = max;
        self
    }

    /// Whether SIGINT/SIGTERM start the shutdown (default true; tests turn it off).
    #[must_use]
    pub fn signals(mut self, on: bool) -> Self {
        self.signals = on;
        self
    }

    /// A handle that starts the shutdown from anywhere.
    #[must_use]
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            token: self.token.clone(),
            scope: self.scope.clone(),
        }
    }

    /// Runs `main` as the root of the tree until it and every child finished, or until shutdown.
    ///
    /// With signals on, it listens for SIGINT and SIGTERM (and, on unix, SIGUSR1, which logs
    /// the live tree) before it first polls `main`: a `main` that announces it is ready (a
    /// server printing its port) is already covered when it does.
    ///
    /// Returns `main`'s output if it finished (even during the grace period); else
    /// [`Failure::Cancelled`]; [`Failure::Panicked`] if it panicked; [`Failure::Child`] if an
    /// unowned direct child failed first (which also shuts the tree down).
    ///
    /// # Errors
    ///
    /// As above.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime, with a message that names the fix.
    pub async fn run<F: Future>(self, main: F) -> Result<F::Output, Failure> {
        ensure_runtime("`warden::Root::run` of", self.name);
        let limits = Limits {
            max_children: self.max_children,
            grace: Some(self.grace),
        };
        let scope = Scope::new(
            self.name,
            Kind::Root,
            None,
            limits,
            Some(self.token.clone()),
        );
        crate::tree::list(&scope);
        let _ = self.scope.0.set(Arc::downgrade(&scope));
        // Listening for SIGUSR1 from here on, like SIGINT and SIGTERM, before `main` first runs.
        let main = LogOnSignal::new(main, Arc::downgrade(&scope), self.signals);
        let span = tracing::info_span!("warden_root", scope = self.name);
        run_root(Owner::new(scope), self.grace, self.signals, main)
            .instrument(span)
            .await
    }
}

async fn run_root<F: Future>(
    owner: Owner,
    grace: Duration,
    signals: bool,
    main: F,
) -> Result<F::Output, Failure> {
    let scope = Arc::clone(owner.scope());
    // Meanwhile code outside any scope (a `warden::spawn` in a plain handler) belongs to it.
    let running = Running::enter(&scope);
    let token = scope.token().clone();
    // Boxed so it can be dropped at the deadline while the children are still drained; once per
    // program, so the allocation does not matter.
    let mut main_fut = Some(Box::pin(InScope::new(
        Arc::clone(&scope),
        AssertUnwindSafe(main).catch_unwind(),
    )));
    let mut signal = std::pin::pin!(wait_signal(signals));
    let mut out = None;
    let mut failure = None;

    if let Some(m) = main_fut.as_mut() {
        tokio::select! {
            biased;
            () = token.cancelled() => {}
            sig = &mut signal => {
                tracing::info!(scope = scope.name, signal = sig, "warden: signal received; shutting down");
                token.cancel();
            }
            r = m => out = Some(r),
        }
    }
    if out.is_some() {
        main_fut = None;
    }

    let started = Instant::now();
    let mut value = None;
    let shutting_down = match out {
        Some(Err(panic)) => {
            failure = Some(scope.claim(Failure::from_panic(scope.name, &*panic)));
            token.cancel();
            true
        }
        Some(Ok(v)) => {
            value = Some(v);
            // `main` is done: wait for the children, unless a failure or a signal stops them.
            tokio::select! {
                biased;
                () = token.cancelled() => true,
                sig = &mut signal => {
                    tracing::info!(scope = scope.name, signal = sig, "warden: signal received; shutting down");
                    token.cancel();
                    true
                }
                () = idle(&scope) => false,
            }
        }
        None => true,
    };

    if shutting_down {
        // An unowned child failure that caused this is the result; later ones are logged.
        failure = failure.or_else(|| scope.take_first_failure());
        // The whole tree shares this deadline: nested scopes wind down until it too.
        let deadline = scope
            .shutdown_deadline()
            .unwrap_or_else(|| Instant::now() + grace);
        let mut main_late = false;
        if let Some(m) = main_fut.as_mut() {
            match tokio::time::timeout_at(deadline, m).await {
                Ok(Ok(v)) => value = Some(v),
                Ok(Err(panic)) => {
                    let panicked = Failure::from_panic(scope.name, &*panic);
                    match &failure {
                        Some(_) => panicked.log_unreturned(scope.name),
                        None => failure = Some(panicked),
                    }
                }
                Err(_) => main_late = true,
            }
        }
        past_deadline(&scope, grace, deadline, main_late).await;
        // Dropping `main` drops its scopes, which abort their own children.
        drop(main_fut.take());
        scope.drain_until(Some(deadline)).await;
        // Children of nested scopes were aborted when those scopes were dropped: see them end.
        if tokio::time::timeout(Duration::from_secs(1), scope.wait_tree_idle())
            .await
            .is_err()
        {
            tracing::error!(
                scope = scope.name,
                live = scope.tree_live(),
                "warden: aborted tasks are still running after shutdown; do they block their thread?"
            );
        }
        let offloads_left = report_offloads(&scope, deadline).await;
        tracing::info!(
            scope = scope.name,
            elapsed = ?started.elapsed(),
            tasks_left = scope.tree_live(),
            offloads_left,
            "warden: shutdown complete"
        );
    }
    drop(running);
    owner.finish();

    match (failure.or_else(|| scope.take_first_failure()), value) {
        (Some(f), _) => Err(f),
        (None, Some(v)) => Ok(v),
        (None, None) => Err(Failure::Cancelled {
            scope: scope.name.into(),
        }),
    }
}

/// Resolves once the root has no live child and no offloaded closure of its tree runs.
async fn idle(root: &Scope) {
    // Each wait pends until its count is zero, so the loop turns again only if a child started
    // an offload (or the reverse) meanwhile.
    loop {
        root.wait_idle().await;
        if let Some(offloads) = root.offloads() {
            offloads.idle().await;
        }
        if root.live() == 0 && root.offloads().is_none_or(|o| o.count() == 0) {
            return;
        }
    }
}

/// Waits for the tree's offloaded closures until `deadline`, then names those still running
/// (a blocking thread cannot be aborted: they run on, past the shutdown). Returns how many.
async fn report_offloads(root: &Scope, deadline: Instant) -> usize {
    let Some(offloads) = root.offloads() else {
        return 0;
    };
    if offloads.idle_until(deadline).await {
        return 0;
    }
    let (count, sites) = offloads.running();
    if count > 0 {
        tracing::warn!(
            scope = root.name,
            offloads = count,
            closures = %sites,
            "warden: offloaded closures still running after the grace period; a blocking thread \
             cannot be aborted, so they run on"
        );
    }
    count
}

/// At the shutdown's `deadline`, before anything is aborted: says that `main` is late (it is
/// dropped next) and logs the picture of what is still running, if anything is.
async fn past_deadline(scope: &Scope, grace: Duration, deadline: Instant, main_late: bool) {
    if main_late {
        tracing::warn!(
            scope = scope.name,
            grace = ?grace,
            "warden: main future did not finish within the grace period; dropping it"
        );
    }
    if main_late
        || tokio::time::timeout_at(deadline, scope.wait_tree_idle())
            .await
            .is_err()
    {
        crate::tree::log(scope, "grace period ran out");
    }
}

/// Resolves with the signal's name on SIGINT (or SIGTERM on unix); never if `enabled` is false.
async fn wait_signal(enabled: bool) -> &'static str {
    if !enabled {
        return std::future::pending().await;
    }
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "SIGINT",
            Err(e) => {
                tracing::warn!(error = %e, "warden: cannot listen for SIGINT");
                std::future::pending().await
            }
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
                "SIGTERM"
            }
            Err(e) => {
                tracing::warn!(error = %e, "warden: cannot listen for SIGTERM");
                std::future::pending().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<&'static str>();
    tokio::select! {
        s = interrupt => s,
        s = terminate => s,
    }
}

/// Starts the shutdown of a [`Root`] from anywhere: a test, an admin endpoint, a child.
///
/// Why: the same graceful path as a signal, triggered by code.
///
/// ```
/// let root = warden_runtime::Root::new();
/// let handle = root.shutdown_handle();
/// assert!(!handle.is_shutdown());
/// handle.shutdown();
/// assert!(handle.is_shutdown());
/// ```
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    token: CancellationToken,
    scope: RootScope,
}

/// The root's scope once it runs, for [`ShutdownHandle::log_tree`].
#[derive(Clone, Default)]
struct RootScope(Arc<OnceLock<Weak<Scope>>>);

impl std::fmt::Debug for RootScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "RootScope(running)"
        } else {
            "RootScope(not run)"
        })
    }
}

impl ShutdownHandle {
    /// The handle of the [`Root`] that runs the current code, if any.
    #[must_use]
    pub fn current() -> Option<Self> {
        let scope = Scope::current()?;
        let root = scope.tree_root_arc()?;
        let cell = OnceLock::new();
        let _ = cell.set(Arc::downgrade(&root));
        Some(ShutdownHandle {
            scope: RootScope(Arc::new(cell)),
            token: root.token().clone(),
        })
    }

    /// Cancels the whole tree; the root then drains it within its grace period.
    pub fn shutdown(&self) {
        self.token.cancel();
    }

    /// True once the shutdown started (or the root's tree was cancelled by a failure).
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Logs the root's live tree now (info level, target `warden_runtime::tree`), as SIGUSR1
    /// does on unix: every scope and child task under the root with its state and age. Does
    /// nothing before the root runs or after it returned.
    pub fn log_tree(&self) {
        if let Some(root) = self.scope.0.get().and_then(Weak::upgrade) {
            crate::tree::log(&root, "on request");
        }
    }

    /// Resolves when the shutdown starts.
    pub async fn wait(&self) {
        self.token.cancelled().await;
    }
}
