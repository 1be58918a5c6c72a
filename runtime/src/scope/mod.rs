//! A scope: what one supervised call (or a [`Root`](crate::Root)) owns while it runs.
//!
//! A scope is a cancellation token (a child of its parent's, created lazily), its child
//! [`capacity`], its [`children`] registry, its [`counts`], its [`first_failure`] and a name; a
//! root also tracks the [`offloads`] of its tree and its shutdown deadline. The scope of the
//! running code is held in a thread-local slot while the code is polled ([`current`]), like a
//! Tokio task-local, so `warden::spawn` deep in called code still finds its owner; code outside any scope belongs to the newest running root (so no task is outside the
//! tree), or, with no root, to the process-wide global scope.
//!
//! Over 400 lines on purpose: the scope's own state and the operations on it are one concept;
//! its parts (capacity, children, counts, first failure, offloads, owners) are already apart.

mod capacity;
mod children;
mod counts;
mod current;
mod first_failure;
mod offloads;
pub(crate) mod owners;

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::task::AbortHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Span;

use crate::config::DEFAULT_GRACE;
use crate::failure::{BoxError, Failure};
use crate::snapshot::ScopeStats;
use crate::tree::Node;
use capacity::Capacity;
use children::{Aborted, Children};
pub(crate) use children::{ChildInfo, Ended, Ticket};
use counts::Counts;
pub use counts::live_children;
pub(crate) use current::{InScope, enter, with as with_current};
use first_failure::FirstFailure;
use offloads::Offloads;

/// How long a scope that aborted its children waits for them to end before it returns anyway:
/// an aborted task ends at its next poll, at once unless it blocks its thread.
const ABORT_SETTLE: Duration = Duration::from_millis(100);

/// Counters of the current scope, or `None` outside any scope.
///
/// Why: tests and metrics can see how many children a scope holds, started and lost.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// assert!(warden_runtime::metrics::scope_stats().is_none());
/// # }
/// ```
#[must_use]
pub fn scope_stats() -> Option<ScopeStats> {
    current::with(|s| s.counts.stats(s.live()))
}

/// What kind of code owns a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A supervised call: returns its first failure.
    Supervised,
    /// A `Root`: returns its first failure, owns a shutdown handle.
    Root,
    /// The process-wide fallback: nobody returns its failures, so it logs them.
    Global,
}

/// What a scope is told about its children: how many at once, and how long they may wind down.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_children: usize,
    /// A supervised fn's own `grace`, or a root's; `None`: children are aborted when it stops.
    pub(crate) grace: Option<Duration>,
}

/// One scope. Shared by the driver, its children and their handles.
pub(crate) struct Scope {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    parent: Option<Arc<Scope>>,
    /// The `Root` this scope runs under (not itself), which counts every child of its tree.
    root: Option<Arc<Scope>>,
    token: OnceLock<CancellationToken>,
    pub(crate) capacity: Capacity,
    grace: Option<Duration>,
    children: Children,
    counts: Counts,
    first: FirstFailure,
    /// What the live tree shows of it.
    pub(crate) node: Node,
    /// For a root: its tree's offloaded closures still running.
    offloads: Option<Box<Offloads>>,
    /// For a root: when its shutdown's grace ends, fixed by the first to ask once it started.
    shutdown_deadline: OnceLock<Instant>,
    /// For a supervised scope: the span its body runs in (the fn's), which a child spawned
    /// in it enters without a span of its own. Kept while the scope is: a child's handle kept
    /// past the call keeps the span open too, as a child holding its own clone did while it ran.
    span: Span,
}

impl Scope {
    /// A new scope: one allocation, no token unless one is given.
    pub(crate) fn new(
        name: &'static str,
        kind: Kind,
        parent: Option<Arc<Scope>>,
        limits: Limits,
        token: Option<CancellationToken>,
    ) -> Arc<Self> {
        let cell = OnceLock::new();
        if let Some(token) = token {
            let _ = cell.set(token);
        }
        let root = parent.as_ref().and_then(|p| {
            if p.kind == Kind::Root {
                Some(Arc::clone(p))
            } else {
                p.root.clone()
            }
        });
        Arc::new(Scope {
            name,
            kind,
            parent,
            root,
            token: cell,
            capacity: Capacity::new(limits.max_children),
            grace: limits.grace,
            children: Children::new(),
            counts: Counts::new(),
            first: FirstFailure::new(kind != Kind::Global),
            node: Node::new(),
            offloads: (kind == Kind::Root).then(|| Box::new(Offloads::new())),
            shutdown_deadline: OnceLock::new(),
            // A supervised scope is made inside its fn's span; the global scope, made once on
            // whichever thread first needs it, must not keep that caller's span open.
            span: if kind == Kind::Supervised {
                Span::current()
            } else {
                Span::none()
            },
        })
    }

    /// The span a supervised scope's body runs in (for a child spawned in it).
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// The scope of the running code, if any.
    pub(crate) fn current() -> Option<Arc<Scope>> {
        current::current()
    }

    /// The scope that polled this one first (the owner of its code), if any.
    pub(crate) fn parent(&self) -> Option<&Arc<Scope>> {
        self.parent.as_ref()
    }

    /// The `Root` whose tree this scope belongs to, this one included, shared.
    pub(crate) fn tree_root_arc(self: &Arc<Self>) -> Option<Arc<Scope>> {
        if self.kind == Kind::Root {
            Some(Arc::clone(self))
        } else {
            self.root.clone()
        }
    }

    /// The live children's names, start times and task ids, for the live tree.
    pub(crate) fn children_info(&self) -> Vec<ChildInfo> {
        self.children.infos()
    }

    /// The `Root` whose tree this scope belongs to, this one included.
    pub(crate) fn tree_root(&self) -> Option<&Scope> {
        if self.kind == Kind::Root {
            Some(self)
        } else {
            self.root.as_deref()
        }
    }

    /// The scope's token, created now (as a child of the parent's) if nobody needed it yet.
    pub(crate) fn token(&self) -> &CancellationToken {
        self.token.get_or_init(|| match &self.parent {
            Some(parent) => parent.token().child_token(),
            None => CancellationToken::new(),
        })
    }

    /// The token if it exists; `None` means no child was ever spawned and nobody asked for it.
    pub(crate) fn existing_token(&self) -> Option<&CancellationToken> {
        self.token.get()
    }

    /// The parent's token if it exists (then the parent may be in another task).
    pub(crate) fn parent_token(&self) -> Option<&CancellationToken> {
        self.parent.as_ref().and_then(|p| p.token.get())
    }

    /// The nearest existing token of this scope or an ancestor, without creating any.
    pub(crate) fn nearest_token(&self) -> Option<&CancellationToken> {
        let mut s = self;
        loop {
            if let Some(t) = s.token.get() {
                return Some(t);
            }
            s = s.parent.as_deref()?;
        }
    }

    /// True once this scope or an ancestor is cancelled (without creating a token).
    pub(crate) fn is_cancelled(&self) -> bool {
        self.nearest_token()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// Enlists a child about to start (it holds a slot): its entry reserved and the child
    /// counted, before its task exists (so no wait for idle can miss it); `None` when the scope
    /// is aborting its children.
    pub(crate) fn enlist(&self, name: Cow<'static, str>) -> Option<Ticket> {
        if self.children.is_closing() {
            return None;
        }
        let ticket = self.children.reserve(self.counts.next_id(), name)?;
        Counts::start(self.tree_root().map(|r| &r.counts));
        Some(ticket)
    }

    /// Records a started child's abort handle (see [`Children::attach`]).
    pub(crate) fn attach(&self, ticket: Ticket, abort: AbortHandle) {
        self.children.attach(ticket, abort);
    }

    /// A child ended (finished, panicked or aborted): forgets it, and says its name and
    /// whether its handle was dropped first (then its failure is the scope's).
    pub(crate) fn child_settled(&self, ticket: Ticket) -> Option<Ended> {
        self.children.remove(ticket)
    }

    /// A child that succeeded may leave its entry to its handle (see
    /// [`Children::may_leave_entry`]).
    pub(crate) fn may_leave_entry(&self) -> bool {
        self.children.may_leave_entry()
    }

    /// A child's handle took its outcome, or was dropped after its task finished: forgets the
    /// entry the child left, if it left one.
    pub(crate) fn child_claimed(&self, ticket: Ticket) {
        self.children.remove(ticket);
    }

    /// The handle of a running child was dropped (see [`Children::handle_dropped`]).
    pub(crate) fn handle_dropped(&self, ticket: Ticket) -> bool {
        self.children.handle_dropped(ticket)
    }

    /// A child's task is gone: uncounts it and frees its slot.
    pub(crate) fn child_gone(&self) {
        Counts::end(self.tree_root().map(|r| &r.counts));
        // Last: the slot is the scope's live count; whoever waits for the scope to be idle must
        // find the tree's and the process's counts down too.
        self.capacity.free();
    }

    /// Counts a child that ended in failure.
    pub(crate) fn count_failure(&self) {
        self.counts.failed();
    }

    /// Live children of this scope.
    pub(crate) fn live(&self) -> usize {
        self.capacity.used()
    }

    /// Resolves once the scope has no live child.
    pub(crate) async fn wait_idle(&self) {
        self.capacity.idle().await;
    }

    /// For a `Root`: resolves once no child is alive anywhere in its tree.
    pub(crate) async fn wait_tree_idle(&self) {
        self.counts.tree_idle().await;
    }

    /// For a `Root`: live children anywhere in its tree.
    pub(crate) fn tree_live(&self) -> usize {
        self.counts.tree_live()
    }

    /// Until when this scope's children may finish on their own now that it stops: the root's
    /// shutdown deadline when the tree is shutting down; the scope's own grace if it has one
    /// (never past the root's deadline); else `None`, and they are aborted at once.
    pub(crate) fn wind_down_until(&self) -> Option<Instant> {
        let shutdown = self.tree_root().and_then(Scope::shutdown_deadline);
        let own = self.grace.map(|grace| Instant::now() + grace);
        match (shutdown, own) {
            (Some(shutdown), Some(own)) => Some(shutdown.min(own)),
            (shutdown, own) => shutdown.or(own),
        }
    }

    /// For a root whose tree is cancelled (a shutdown, or an unowned failure of a direct
    /// child): when its grace ends. The first to ask fixes it, right after the cancellation.
    pub(crate) fn shutdown_deadline(&self) -> Option<Instant> {
        let cancelled = self
            .token
            .get()
            .is_some_and(CancellationToken::is_cancelled);
        (self.kind == Kind::Root && cancelled).then(|| {
            *self
                .shutdown_deadline
                .get_or_init(|| Instant::now() + self.grace.unwrap_or(DEFAULT_GRACE))
        })
    }

    /// For a root: its tree's offloaded closures still running.
    pub(crate) fn offloads(&self) -> Option<&Offloads> {
        self.offloads.as_deref()
    }

    /// True when a child's error is only the echo of this scope's own cancellation.
    pub(crate) fn is_echo(&self, error: &BoxError) -> bool {
        error
            .downcast_ref::<Failure>()
            .is_some_and(Failure::is_cancelled)
            && self.is_cancelled()
    }

    /// A child failed and nobody owns its handle: the first such failure is kept (and cancels
    /// the scope), any later one is logged.
    pub(crate) fn report(&self, child: Cow<'static, str>, error: BoxError) {
        if self.is_echo(&error) {
            tracing::debug!(scope = self.name, child = %child, "warden: child stopped on cancellation");
            return;
        }
        let failure = Failure::Child {
            scope: Cow::Borrowed(self.name),
            child,
            error,
        };
        match self.first.offer(failure) {
            Ok(()) => {
                self.node.mark_failed();
                if let Some(t) = self.token.get() {
                    t.cancel();
                }
            }
            Err(later) => later.log_unreturned(self.name),
        }
    }

    /// Stops collecting failures and takes the first one, if any. Idempotent.
    pub(crate) fn take_first_failure(&self) -> Option<Failure> {
        self.first.close()
    }

    /// The scope failed on its own (`own`): the first failure wins, the other is logged.
    pub(crate) fn claim(&self, own: Failure) -> Failure {
        self.node.mark_failed();
        match self.take_first_failure() {
            Some(first) => {
                own.log_unreturned(self.name);
                first
            }
            None => own,
        }
    }

    /// Waits for the children until `deadline` (`None`: not at all), then aborts the rest,
    /// reports them, and waits a moment for them to end. True if they all finished on their
    /// own.
    pub(crate) async fn drain_until(&self, deadline: Option<Instant>) -> bool {
        let aborted = match deadline {
            Some(deadline) => {
                if tokio::time::timeout_at(deadline, self.wait_idle())
                    .await
                    .is_ok()
                {
                    return true;
                }
                // "What was still running": a picture, before the abort takes it away (a root
                // takes its own, of its whole tree, before it drops `main`).
                if self.kind != Kind::Root {
                    crate::tree::log(self, "grace period ran out");
                }
                self.abort_children("did not stop within the grace period")
            }
            None => self.abort_children("were still running when the scope stopped"),
        };
        // Aborted tasks end at their next poll; one that blocks its thread may not.
        if tokio::time::timeout(ABORT_SETTLE, self.wait_idle())
            .await
            .is_err()
        {
            tracing::error!(
                scope = self.name,
                live = self.live(),
                "warden: aborted children are still running; do they block their thread?"
            );
        }
        aborted == 0
    }

    /// Stops new children, aborts the live ones and, if there were any, says so and `why`.
    /// Returns how many it aborted.
    fn abort_children(&self, why: &str) -> usize {
        let Aborted { count, names } = self.children.abort_all();
        if count > 0 {
            tracing::warn!(
                scope = self.name,
                aborted = count,
                children = %names,
                "warden: children {why}; aborted them"
            );
        }
        count
    }

    /// The scope was dropped before it finished: report, cancel, abort, no orphan.
    fn abandon(&self) {
        if let Some(first) = self.take_first_failure() {
            first.log_unreturned(self.name);
        }
        if let Some(t) = self.token.get() {
            t.cancel();
        }
        self.abort_children("of a scope dropped before it finished");
    }
}

/// Panics with a message that names the fix when no Tokio runtime is running.
pub(crate) fn ensure_runtime(what: &str, name: &str) {
    // Inside a task there is a runtime: one thread-local read instead of cloning the handle.
    if tokio::task::try_id().is_some() {
        return;
    }
    assert!(
        tokio::runtime::Handle::try_current().is_ok(),
        "warden: {what} `{name}` was called outside a Tokio runtime; run it inside \
         #[tokio::main] or Runtime::block_on"
    );
}
