//! How many children are alive in a root's whole tree and in the process (a scope's own live
//! children are its capacity's slots), and what a scope has seen over its life. Atomics only; whoever brings a live count to zero wakes the
//! code waiting for it.

use std::cell::Cell;
use std::pin::pin;
use std::sync::atomic::{AtomicIsize, AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

use crate::snapshot::ScopeStats;

/// Children started by warden and not yet finished, over the whole process, in shards: a
/// thread counts the children it starts and the ones that end on it in its own shard, so a
/// spawner and the workers its children end on do not pass one cache line back and forth for
/// every child. The count is the sum of the shards (a shard alone may be negative).
static LIVE_CHILDREN: [Shard; SHARDS] = [const { Shard(AtomicIsize::new(0)) }; SHARDS];

/// Shards of the live count: above the threads of a typical runtime, so few threads share one.
const SHARDS: usize = 16;

/// One shard, alone on its cache lines (two: some CPUs fetch lines in pairs).
#[repr(align(128))]
struct Shard(AtomicIsize);

thread_local! {
    /// This thread's shard, given out in turn as threads first count a child.
    static SHARD: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The shard of the calling thread.
fn shard() -> &'static AtomicIsize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let index = SHARD.with(|shard| {
        shard.get().unwrap_or_else(|| {
            let index = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
            shard.set(Some(index));
            index
        })
    });
    &LIVE_CHILDREN[index].0
}

/// Number of warden children alive in this process, in every scope.
///
/// Why: tests and health checks can assert that no task outlived its scope.
///
/// Exact whenever no child starts or ends meanwhile (a scope that returned has no live child,
/// so a test after it reads 0); while children start and end on other threads the sum may be
/// off by the ones that did so during the read.
///
/// ```
/// assert_eq!(warden_runtime::metrics::live_children(), 0);
/// ```
#[must_use]
pub fn live_children() -> usize {
    let sum = LIVE_CHILDREN.iter().fold(0isize, |sum, shard| {
        sum.wrapping_add(shard.0.load(Ordering::Acquire))
    });
    usize::try_from(sum).unwrap_or(0)
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
        shard().fetch_add(1, Ordering::Release);
    }

    /// A child ended: the reverse of [`start`](Self::start).
    pub(crate) fn end(root: Option<&Counts>) {
        shard().fetch_sub(1, Ordering::Release);
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
