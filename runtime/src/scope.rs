//! A scope: what one supervised call (or a [`Root`](crate::Root)) owns while it runs.
//!
//! A scope is a cancellation token (a child of its parent's, created lazily), a tracker of its
//! live children, a first-failure slot and a name. The scope of the running code is a Tokio
//! task-local, so `warden::spawn` deep in called code still finds its owner.

use std::borrow::Cow;
use std::collections::HashMap;
use std::error::Error;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::AbortHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::failure::{BoxError, Failure};

/// Children a scope may have at once unless its config says otherwise.
pub const DEFAULT_MAX_CHILDREN: usize = 1024;
/// How long cancelled children get to finish before they are aborted, unless configured.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// How many names an "aborted" log line lists before it only counts.
const NAMES_LOGGED: usize = 10;

tokio::task_local! {
    /// The scope that owns the running code: a supervised body or one of its children.
    pub(crate) static CURRENT: Arc<Scope>;
}

/// Children started by warden and not yet finished, over the whole process.
static LIVE_CHILDREN: AtomicUsize = AtomicUsize::new(0);

/// Where children spawned outside any scope go: never cancelled, failures logged.
static GLOBAL: LazyLock<Arc<Scope>> = LazyLock::new(|| {
    Scope::new(
        "warden::global",
        Kind::Global,
        None,
        DEFAULT_MAX_CHILDREN,
        Some(CancellationToken::new()),
    )
});

/// Number of warden children alive in this process, in every scope.
///
/// Why: tests and health checks can assert that no task outlived its scope.
///
/// ```
/// assert_eq!(warden_runtime::live_children(), 0);
/// ```
#[must_use]
pub fn live_children() -> usize {
    LIVE_CHILDREN.load(Ordering::Acquire)
}

/// Counters of one scope, as [`scope_stats`] reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ScopeStats {
    /// Children running now.
    pub live: usize,
    /// Children started over the scope's life.
    pub spawned: u64,
    /// Children that returned an error or panicked (awaited or not).
    pub failed: u64,
}

/// Counters of the current scope, or `None` outside any scope.
///
/// Why: tests and metrics can see how many children a scope holds, started and lost.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// assert!(warden_runtime::scope_stats().is_none());
/// # }
/// ```
#[must_use]
pub fn scope_stats() -> Option<ScopeStats> {
    CURRENT.try_with(|s| s.stats()).ok()
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

/// Hashes the sequential child ids (Fibonacci hashing), so the map needs no random state.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A live child: its name for reports, its abort handle once its task exists.
struct Entry {
    name: Cow<'static, str>,
    abort: Option<AbortHandle>,
}

/// What the scope's lock guards; held briefly, never across an `.await`.
struct State {
    children: HashMap<u64, Entry, BuildHasherDefault<IdHasher>>,
    /// Set when the children are being aborted: no new child may start.
    closed: bool,
    /// Children that ended before their entry was added (their spawner had not taken the lock
    /// yet): the spawner finds its id here and adds nothing. Almost always empty.
    gone: Vec<u64>,
    /// While true, an unowned child failure goes to `first` (if empty); after, it is logged.
    collecting: bool,
    first: Option<Failure>,
}

/// One scope. Shared by the driver, its children and their handles.
pub(crate) struct Scope {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    parent: Option<Arc<Scope>>,
    /// The `Root` this scope runs under (not itself), which counts every child of its tree.
    root: Option<Arc<Scope>>,
    token: OnceLock<CancellationToken>,
    /// Children holding a slot (at most `max_children`): an atomic, not a `Semaphore`, whose
    /// release takes its waiter lock every time; spawners that wait are counted and notified.
    slots_used: AtomicUsize,
    slot_waiters: AtomicUsize,
    slot_freed: Notify,
    /// Mirrors `State::closed`, so a spawn refuses without taking the lock.
    closing: AtomicBool,
    pub(crate) max_children: usize,
    live: AtomicUsize,
    failed: AtomicU64,
    next_id: AtomicU64,
    idle: Notify,
    /// For a `Root`: live children anywhere in its tree, and who waits for them.
    tree_live: AtomicUsize,
    tree_idle: Notify,
    state: Mutex<State>,
}

impl Scope {
    /// A new scope: one allocation, no token unless one is given.
    pub(crate) fn new(
        name: &'static str,
        kind: Kind,
        parent: Option<Arc<Scope>>,
        max_children: usize,
        token: Option<CancellationToken>,
    ) -> Arc<Self> {
        let max_children = max_children.max(1);
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
            slots_used: AtomicUsize::new(0),
            slot_waiters: AtomicUsize::new(0),
            slot_freed: Notify::new(),
            closing: AtomicBool::new(false),
            max_children,
            live: AtomicUsize::new(0),
            failed: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            idle: Notify::new(),
            tree_live: AtomicUsize::new(0),
            tree_idle: Notify::new(),
            state: Mutex::new(State {
                children: HashMap::with_hasher(BuildHasherDefault::default()),
                closed: false,
                gone: Vec::new(),
                collecting: kind != Kind::Global,
                first: None,
            }),
        })
    }

    /// The scope of the running code, if any.
    pub(crate) fn current() -> Option<Arc<Scope>> {
        CURRENT.try_with(Arc::clone).ok()
    }

    /// The scope of the running code, or the process-wide global scope.
    pub(crate) fn current_or_global() -> Arc<Scope> {
        Self::current().unwrap_or_else(|| Arc::clone(&GLOBAL))
    }

    /// The `Root` whose tree this scope belongs to, this one included.
    pub(crate) fn tree_root(&self) -> Option<&Scope> {
        if self.kind == Kind::Root {
            Some(self)
        } else {
            self.root.as_deref()
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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

    pub(crate) fn stats(&self) -> ScopeStats {
        ScopeStats {
            live: self.live.load(Ordering::Acquire),
            // Ids are taken only by children that start, so the next id counts them.
            spawned: self.next_id.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }

    /// Takes a free child slot, if any: one compare-and-swap. `SeqCst`: a waiting spawner's check
    /// must not read an older count than the one [`free_slot`](Self::free_slot) left.
    pub(crate) fn try_take_slot(&self) -> bool {
        self.slots_used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                (used < self.max_children).then_some(used + 1)
            })
            .is_ok()
    }

    /// Waits for a free child slot and takes it. Not fair: a spawner that arrives as a slot is
    /// freed may take it before one that waited.
    pub(crate) async fn take_slot(&self) {
        let _waiting = SlotWaiter::enter(&self.slot_waiters);
        loop {
            let mut freed = pin!(self.slot_freed.notified());
            freed.as_mut().enable();
            if self.try_take_slot() {
                return;
            }
            freed.await;
        }
    }

    /// Gives a child slot back and wakes a waiting spawner, if there is one.
    pub(crate) fn free_slot(&self) {
        // SeqCst on both sides (here, and `SlotWaiter::enter` then `try_take_slot` in
        // `take_slot`): either this load sees the waiter, or the waiter's check sees the slot.
        self.slots_used.fetch_sub(1, Ordering::SeqCst);
        if self.slot_waiters.load(Ordering::SeqCst) > 0 {
            self.slot_freed.notify_one();
        }
    }

    /// Counts a child about to start (it holds a slot); `None` when the scope is aborting its
    /// children. No lock: the child's entry is added by [`attach`](Self::attach) once its task
    /// exists.
    pub(crate) fn register(&self) -> Option<u64> {
        if self.closing.load(Ordering::Acquire) {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.live.fetch_add(1, Ordering::AcqRel);
        if let Some(root) = self.tree_root() {
            root.tree_live.fetch_add(1, Ordering::AcqRel);
        }
        LIVE_CHILDREN.fetch_add(1, Ordering::AcqRel);
        Some(id)
    }

    /// Records a started child's name and abort handle, under the lock's one acquisition per
    /// spawn (aborting the child at once if the scope closed meanwhile; adding nothing if it
    /// already ended).
    pub(crate) fn attach(&self, id: u64, name: Cow<'static, str>, abort: &AbortHandle) {
        let mut st = self.lock();
        if let Some(i) = st.gone.iter().position(|&g| g == id) {
            st.gone.swap_remove(i);
            return;
        }
        if st.closed {
            drop(st);
            abort.abort();
            return;
        }
        st.children.insert(
            id,
            Entry {
                name,
                abort: Some(abort.clone()),
            },
        );
    }

    /// A child ended (finished, panicked or aborted): frees its slot and wakes waiters.
    pub(crate) fn child_done(&self, id: u64) {
        {
            let mut st = self.lock();
            if st.children.remove(&id).is_none() && !st.closed {
                // Ended before its spawner attached it: tell the spawner to add nothing (once
                // closed, the spawner adds nothing anyway).
                st.gone.push(id);
            }
        }
        LIVE_CHILDREN.fetch_sub(1, Ordering::AcqRel);
        if let Some(root) = self.tree_root() {
            if root.tree_live.fetch_sub(1, Ordering::AcqRel) == 1 {
                root.tree_idle.notify_waiters();
            }
        }
        if self.live.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_waiters();
        }
        // Last: a spawner woken by this slot must not count this child as live too.
        self.free_slot();
    }

    /// Counts a child that ended in failure.
    pub(crate) fn count_failure(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    /// Resolves once the scope has no live child.
    pub(crate) async fn wait_idle(&self) {
        wait_zero(&self.live, &self.idle).await;
    }

    /// For a `Root`: resolves once no child is alive anywhere in its tree.
    pub(crate) async fn wait_tree_idle(&self) {
        wait_zero(&self.tree_live, &self.tree_idle).await;
    }

    /// For a `Root`: live children anywhere in its tree.
    pub(crate) fn tree_live(&self) -> usize {
        self.tree_live.load(Ordering::Acquire)
    }

    /// Stops new children and aborts the live ones; returns how many and some of their names.
    pub(crate) fn abort_all(&self) -> (usize, String) {
        let mut st = self.lock();
        st.closed = true;
        self.closing.store(true, Ordering::Release);
        let mut handles = Vec::with_capacity(st.children.len());
        let mut names = String::new();
        for (i, entry) in st.children.values_mut().enumerate() {
            if i < NAMES_LOGGED {
                if i > 0 {
                    names.push_str(", ");
                }
                names.push_str(&entry.name);
            } else if i == NAMES_LOGGED {
                names.push_str(", ...");
            }
            if let Some(h) = entry.abort.take() {
                handles.push(h);
            }
        }
        let count = st.children.len();
        drop(st);
        for h in handles {
            h.abort();
        }
        (count, names)
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
        let mut st = self.lock();
        if st.collecting && st.first.is_none() {
            st.first = Some(failure);
            drop(st);
            if let Some(t) = self.token.get() {
                t.cancel();
            }
        } else {
            drop(st);
            log_failure(self.name, &failure);
        }
    }

    /// Stops collecting failures and takes the first one, if any. Idempotent.
    pub(crate) fn close_slot(&self) -> Option<Failure> {
        let mut st = self.lock();
        st.collecting = false;
        st.first.take()
    }

    /// The scope failed on its own (`own`): the first failure wins, the other is logged.
    pub(crate) fn claim(&self, own: Failure) -> Failure {
        match self.close_slot() {
            Some(first) => {
                log_failure(self.name, &own);
                first
            }
            None => own,
        }
    }

    /// Waits for the children until `deadline`, then aborts the rest and reports them.
    pub(crate) async fn drain_until(&self, deadline: Instant) {
        if tokio::time::timeout_at(deadline, self.wait_idle())
            .await
            .is_ok()
        {
            return;
        }
        let (count, names) = self.abort_all();
        if count > 0 {
            tracing::warn!(
                scope = self.name,
                aborted = count,
                children = %names,
                "warden: children did not stop within the grace period; aborted them"
            );
        }
        // Aborted tasks end at their next poll; one that blocks its thread may not.
        let settle = Duration::from_secs(1);
        if tokio::time::timeout(settle, self.wait_idle())
            .await
            .is_err()
        {
            tracing::error!(
                scope = self.name,
                live = self.live.load(Ordering::Acquire),
                "warden: aborted children are still running; do they block their thread?"
            );
        }
    }

    /// The scope's future was dropped before it finished: report, cancel, abort, no orphan.
    pub(crate) fn abandon(&self) {
        if let Some(first) = self.close_slot() {
            log_failure(self.name, &first);
        }
        if let Some(t) = self.token.get() {
            t.cancel();
        }
        let (count, names) = self.abort_all();
        if count > 0 {
            tracing::warn!(
                scope = self.name,
                aborted = count,
                children = %names,
                "warden: scope dropped before it finished; aborted its children"
            );
        }
    }
}

/// Resolves once `count` is zero; whoever brings it to zero notifies `zero`.
async fn wait_zero(count: &AtomicUsize, zero: &Notify) {
    loop {
        let mut notified = pin!(zero.notified());
        notified.as_mut().enable();
        if count.load(Ordering::Acquire) == 0 {
            return;
        }
        notified.await;
    }
}

/// Counts a spawner waiting for a child slot for as long as it waits (also when dropped).
struct SlotWaiter<'a>(&'a AtomicUsize);

impl<'a> SlotWaiter<'a> {
    fn enter(waiters: &'a AtomicUsize) -> Self {
        waiters.fetch_add(1, Ordering::SeqCst);
        SlotWaiter(waiters)
    }
}

impl Drop for SlotWaiter<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Aborts a scope's children if the scope's future is dropped before it finished.
pub(crate) struct ScopeGuard<'a> {
    scope: &'a Scope,
    armed: bool,
}

impl<'a> ScopeGuard<'a> {
    pub(crate) fn new(scope: &'a Scope) -> Self {
        ScopeGuard { scope, armed: true }
    }

    /// The scope finished normally: nothing to clean up.
    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for ScopeGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.scope.abandon();
        }
    }
}

/// Logs a failure that nobody will receive, once, at error level, with its cause chain.
pub(crate) fn log_failure(scope: &str, failure: &Failure) {
    tracing::error!(scope, error = %chain(failure), "warden: unreturned failure");
}

/// `error: cause: cause`, skipping a cause whose text its parent already shows.
pub(crate) fn chain(error: &(dyn Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.ends_with(&text) {
            let _ = write!(out, ": {text}");
        }
        source = s.source();
    }
    out
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
