//! How many children are alive in a root's whole tree and in the process (a scope's own live
//! children are its capacity's slots), and what a scope has seen over its life. Atomics only; whoever brings a live count to zero wakes the
//! code waiting for it.

use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

use crate::snapshot::ScopeStats;

/// Children started by warden and not yet finished, over the whole process.
static LIVE_CHILDREN: AtomicUsize = AtomicUsize::new(0);

/// Number of warden children alive in this process, in every scope.
///
/// Why: tests and health checks can assert that no task outlived its scope.
///
/// ```
/// assert_eq!(warden_runtime::metrics::live_children(), 0);
/// ```
#[must_use]
pub fn live_children() -> usize {
    LIVE_CHILDREN.load(Ordering::Acquire)
}

/// A number of live tasks and the code waiting for it to reach zero.
pub(super) struct Live {
    count: AtomicUsize,
    zero: Notify,
}

impl Live {
    pub(super) const fn new() -> Self {
        Live {
            count: AtomicUsize::new(0),
            zero: Notify::const_new(),
        }
    }

    pub(super) fn get(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub(super) fn up(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn down(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.zero.notify_waiters();
        }
    }

    /// Resolves once the count is zero.
    pub(super) async fn zero(&self) {
        until_zero(&self.zero, || self.get()).await;
    }
}

/// Resolves once `count()` is zero; `zero` is notified (`notify_waiters`) by whoever brings the
/// count to zero. The wait is registered before the count is read, so no notification is missed.
pub(super) async fn until_zero(zero: &Notify, count: impl Fn() -> usize) {
    loop {
        let mut notified = pin!(zero.notified());
        notified.as_mut().enable();
        if count() == 0 {
            return;
        }
        notified.await;
    }
}

/// The counters of one scope (its live children are its capacity's slots); a `Root`'s also
/// count every child of its tree.
pub(crate) struct Counts {
    failed: AtomicU64,
    next_id: AtomicU64,
    /// For a `Root`: live children anywhere in its tree.
    tree: Live,
}

impl Counts {
    pub(crate) const fn new() -> Self {
        Counts {
            failed: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            tree: Live::new(),
        }
    }

    /// A new child's id, unique in its scope.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A child starts: counted in its `root`'s tree and in the process.
    pub(crate) fn start(root: Option<&Counts>) {
        if let Some(root) = root {
            root.tree.up();
        }
        LIVE_CHILDREN.fetch_add(1, Ordering::AcqRel);
    }

    /// A child ended: the reverse of [`start`](Self::start).
    pub(crate) fn end(root: Option<&Counts>) {
        LIVE_CHILDREN.fetch_sub(1, Ordering::AcqRel);
        if let Some(root) = root {
            root.tree.down();
        }
    }

    /// A child ended in failure.
    pub(crate) fn failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    /// For a `Root`: live children anywhere in its tree.
    pub(crate) fn tree_live(&self) -> usize {
        self.tree.get()
    }

    /// For a `Root`: resolves once no child is alive anywhere in its tree.
    pub(crate) async fn tree_idle(&self) {
        self.tree.zero().await;
    }

    /// The scope's stats, with `live` children.
    pub(crate) fn stats(&self, live: usize) -> ScopeStats {
        ScopeStats {
            live,
            // Ids are taken only by children about to start (one refused by a scope that closed in
            // between counts too), so the next id counts them.
            spawned: self.next_id.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}
