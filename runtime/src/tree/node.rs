//! What a scope records for the live tree, and the per-thread lists where scopes that suspend
//! are found.
//!
//! A scope that finishes in its first poll costs nothing here: it never outlives one poll, so
//! no snapshot misses it in a way a snapshot taken a moment later would not. A scope that
//! suspends is listed once, as a weak reference in the list of the thread that polled it (a
//! lock nobody else takes, except a snapshot). Dead entries are dropped when a list doubles.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tokio::task::Id;
use tokio::time::Instant;

use crate::registry::lock;
use crate::scope::Scope;

/// The tree's view of one scope: when it was listed (and in which task), its restarts, and
/// whether it is a restart's backoff or has failed.
pub(crate) struct Node {
    listed: OnceLock<(Instant, Option<Id>)>,
    restarts: AtomicU32,
    backing_off: AtomicBool,
    failed: AtomicBool,
}

impl Node {
    pub(crate) const fn new() -> Self {
        Node {
            listed: OnceLock::new(),
            restarts: AtomicU32::new(0),
            backing_off: AtomicBool::new(false),
            failed: AtomicBool::new(false),
        }
    }

    /// Since when the scope is listed, and the task that listed it.
    pub(crate) fn listed(&self) -> Option<(Instant, Option<Id>)> {
        self.listed.get().copied()
    }

    pub(crate) fn restarts(&self) -> u32 {
        self.restarts.load(Relaxed)
    }

    /// This attempt of a restarting call follows `n` restarts.
    pub(crate) fn set_restarts(&self, n: u32) {
        self.restarts.store(n, Relaxed);
    }

    pub(crate) fn is_backing_off(&self) -> bool {
        self.backing_off.load(Relaxed)
    }

    pub(crate) fn is_failed(&self) -> bool {
        self.failed.load(Relaxed)
    }

    /// The scope or one of its children failed: it is on its way out.
    pub(crate) fn mark_failed(&self) {
        self.failed.store(true, Relaxed);
    }
}

/// One thread's list of listed scopes.
#[derive(Default)]
struct Shard {
    scopes: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    list: Vec<Weak<Scope>>,
    /// The length at which dead entries are dropped next.
    prune_at: usize,
}

/// Every thread's list; a thread's stays after the thread ends (its scopes may live on in
/// other threads) and goes once empty.
static SHARDS: Mutex<Vec<Arc<Shard>>> = Mutex::new(Vec::new());

thread_local! {
    static SHARD: Arc<Shard> = {
        let shard = Arc::new(Shard::default());
        lock(&SHARDS).push(Arc::clone(&shard));
        shard
    };
}

/// Lists `scope` now unless it already is: called when it suspends (and by a root, a backoff
/// and the global scope when they start). After the first call, one atomic load.
pub(crate) fn list(scope: &Arc<Scope>) {
    if scope.node.listed.get().is_some() {
        return;
    }
    if scope
        .node
        .listed
        .set((Instant::now(), tokio::task::try_id()))
        .is_err()
    {
        return;
    }
    // A thread-local destroyed already (a scope polled while its thread exits): not listed.
    let _ = SHARD.try_with(|shard| {
        let mut entries = lock(&shard.scopes);
        entries.list.push(Arc::downgrade(scope));
        if entries.list.len() >= entries.prune_at {
            entries.list.retain(|s| s.strong_count() > 0);
            entries.prune_at = (2 * entries.list.len()).max(64);
        }
    });
}

/// A restart's backoff, listed as a node of its own for as long as it waits.
pub(crate) fn backoff(scope: &Arc<Scope>, restarts: u32) {
    scope.node.set_restarts(restarts);
    scope.node.backing_off.store(true, Relaxed);
    list(scope);
}

/// Every listed scope still alive, with the ancestors of each (a parent still in its first
/// poll is not listed yet).
pub(crate) fn live_scopes() -> Vec<Arc<Scope>> {
    let shards = {
        let mut shards = lock(&SHARDS);
        // A shard only `SHARDS` holds belongs to an ended thread: gone once empty.
        shards.retain(|s| Arc::strong_count(s) > 1 || !lock(&s.scopes).list.is_empty());
        shards.clone()
    };
    let mut weak = Vec::new();
    for shard in &shards {
        let mut entries = lock(&shard.scopes);
        entries.list.retain(|s| s.strong_count() > 0);
        weak.extend(entries.list.iter().cloned());
    }
    let mut scopes: Vec<Arc<Scope>> = weak.iter().filter_map(Weak::upgrade).collect();
    let mut seen: std::collections::HashSet<*const Scope> =
        scopes.iter().map(Arc::as_ptr).collect();
    let mut i = 0;
    while i < scopes.len() {
        if let Some(parent) = scopes[i].parent() {
            if seen.insert(Arc::as_ptr(parent)) {
                scopes.push(Arc::clone(parent));
            }
        }
        i += 1;
    }
    scopes
}
