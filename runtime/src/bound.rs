//! `Bound` and `KeyedBound`: the run-time of `#[bounded(n)]`, at most `n` executions of a fn in
//! flight across the process, in total or per value of one argument.
//!
//! Each limited fn owns one `static` limiter built by a `const fn`, so the limit exists before
//! the first call and costs no allocation or lock to reach. An execution holds an RAII permit
//! from before its first poll until its future completes, returns an error, panics or is
//! dropped; whichever way it ends, the permit goes back.
//!
//! What the waiting caller does when the limit is full is a [`BoundMode`], chosen per call:
//! wait in FIFO order, fail at once, or wait up to a deadline and then fail with
//! [`Failure::Overloaded`].
//!
//! A `static` inside a generic fn is one item shared by every instantiation, so
//! `#[bounded(n)]` on a generic fn limits all instantiations together (one limit, one snapshot);
//! a per-key limit keeps keys of different types apart (a `1u32` and a `1u64` are two keys).

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher, RandomState};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use futures::future::{FusedFuture as _, FutureExt as _};
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit};

use crate::failure::Failure;
use crate::ratelimit::RateLimit;
use crate::registry::{Registry, lock};

/// What a caller does when its bound is full.
///
/// Generated code passes the mode of `#[bounded(n, ...)]` to [`Bound::run_or_fail`] or
/// [`KeyedBound::run_or_fail`]; [`Bound::run`] always waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoundMode {
    /// Wait for a permit as long as it takes, in arrival order (the semaphore is fair).
    Wait,
    /// Fail at once with [`Failure::Overloaded`] when no permit is free.
    Reject,
    /// Wait up to this long, then fail with [`Failure::Overloaded`]. Needs a Tokio runtime with
    /// its timer enabled (`enable_time` or `enable_all`).
    WaitFor(Duration),
}

/// Counters of one bound at a moment, as [`crate::metrics::bounds`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoundSnapshot {
    /// The limited fn (`module::path::fn_name` in generated code).
    pub name: &'static str,
    /// The limit: executions in flight at once (per key for a per-key bound).
    pub limit: usize,
    /// True for a [`KeyedBound`], whose limit holds per key.
    pub per_key: bool,
    /// Keys with an execution in flight or waiting (always 0 for a [`Bound`]).
    pub keys: usize,
    /// Executions holding a permit now (all keys together for a per-key bound).
    pub in_flight: usize,
    /// Callers waiting for a permit now.
    pub waiting: usize,
    /// Callers turned away with [`Failure::Overloaded`] so far (rejected or past their deadline).
    pub rejected: u64,
    /// The most executions seen in flight at once (for one key, for a per-key bound), so it never
    /// exceeds `limit`.
    pub max_in_flight: usize,
}

// ---------------------------------------------------------------------------------------------
// Slow-wait warnings

/// `u64::MAX` nanoseconds stands for "off".
const WAIT_WARNING_OFF: u64 = u64::MAX;

/// 100 ms, in nanoseconds.
static WAIT_WARNING_NS: AtomicU64 = AtomicU64::new(100_000_000);

/// Sets how long a caller may wait for a permit before warden logs a `tracing` warning (target
/// `warden::bound`, at most one a second per bound); `None` switches the warnings off.
///
/// A long wait means the limit, not the work, sets the latency: worth knowing when sizing it.
/// The default is 100 ms.
///
/// ```
/// use std::time::Duration;
/// warden_runtime::bound::set_wait_warning(Some(Duration::from_millis(250)));
/// assert_eq!(warden_runtime::bound::wait_warning(), Some(Duration::from_millis(250)));
/// ```
pub fn set_wait_warning(threshold: Option<Duration>) {
    let nanos = threshold.map_or(WAIT_WARNING_OFF, |d| {
        u64::try_from(d.as_nanos())
            .unwrap_or(WAIT_WARNING_OFF - 1)
            .min(WAIT_WARNING_OFF - 1)
    });
    WAIT_WARNING_NS.store(nanos, Relaxed);
}

/// The wait after which a caller's wait is logged, or `None` when that is switched off.
#[must_use]
pub fn wait_warning() -> Option<Duration> {
    match WAIT_WARNING_NS.load(Relaxed) {
        WAIT_WARNING_OFF => None,
        nanos => Some(Duration::from_nanos(nanos)),
    }
}

// ---------------------------------------------------------------------------------------------
// What both kinds of bound share

/// Counters and registration flag shared by [`Bound`] and [`KeyedBound`].
#[derive(Debug)]
struct Stats {
    registered: AtomicBool,
    waiting: AtomicUsize,
    rejected: AtomicU64,
    max_in_flight: AtomicUsize,
    slow_waits: RateLimit,
}

impl Stats {
    const fn new() -> Self {
        Stats {
            registered: AtomicBool::new(false),
            waiting: AtomicUsize::new(0),
            rejected: AtomicU64::new(0),
            max_in_flight: AtomicUsize::new(0),
            slow_waits: RateLimit::new(),
        }
    }

    /// Adds the bound to the registry on its first use; afterwards one relaxed load.
    fn register(&self, entry: Registered) {
        REGISTRY.join_once(&self.registered, entry);
    }

    /// Raises `max_in_flight` to `now` if that is a new high; usually one relaxed load.
    fn saw_in_flight(&self, now: usize) {
        if now > self.max_in_flight.load(Relaxed) {
            self.max_in_flight.fetch_max(now, Relaxed);
        }
    }

    /// The slow path of a caller that fails rather than wait: rejects (no state), or waits up
    /// to the mode's deadline. That wait carries a timer, so its state is boxed: only a caller
    /// that waits with a deadline pays for it, and every call's future stays small.
    /// [`BoundMode::Wait`] does not come here: it awaits [`wait`](Self::wait) in place.
    fn wait_for<P>(
        &self,
        name: &'static str,
        limit: usize,
        mode: BoundMode,
        acquire: impl Future<Output = Result<P, AcquireError>>,
    ) -> Result<impl Future<Output = Result<P, Failure>>, Failure> {
        let deadline = match mode {
            BoundMode::WaitFor(deadline) => deadline,
            BoundMode::Reject | BoundMode::Wait => {
                self.rejected.fetch_add(1, Relaxed);
                return Err(overloaded(name, limit));
            }
        };
        Ok(Box::pin(async move {
            if let Ok(acquired) =
                tokio::time::timeout(deadline, self.wait(name, limit, acquire)).await
            {
                acquired
            } else {
                self.rejected.fetch_add(1, Relaxed);
                Err(overloaded(name, limit))
            }
        }))
    }

    /// Waits on `acquire`, counting the caller as waiting and logging a wait longer than the
    /// threshold: the deadline-free wait, as [`wait`](Self::wait) and the callers of
    /// [`BoundMode::Wait`] (inline, through [`start_wait`](Self::start_wait)) do it.
    async fn wait<P>(
        &self,
        name: &'static str,
        limit: usize,
        acquire: impl Future<Output = Result<P, AcquireError>>,
    ) -> Result<P, Failure> {
        let started = self.start_wait();
        let permit = acquire.await.map_err(|_| overloaded(name, limit))?;
        self.end_wait(started, name, limit);
        Ok(permit)
    }

    /// A caller starts waiting: counted as waiting until the returned guard drops, and timed
    /// only while the warnings are on (no clock read otherwise).
    ///
    /// Split from the await so a [`BoundMode::Wait`] caller awaits the semaphore's own future in
    /// place: no allocation and no second copy of that future in the caller's state.
    fn start_wait(&self) -> (Waiting<'_>, Option<Instant>) {
        let waiting = Waiting::enter(&self.waiting);
        (waiting, wait_warning().map(|_| Instant::now()))
    }

    /// The caller got its permit: logs the wait if it was longer than the threshold.
    fn end_wait(&self, (waiting, start): (Waiting<'_>, Option<Instant>), name: &str, limit: usize) {
        drop(waiting);
        let (Some(start), Some(threshold)) = (start, wait_warning()) else {
            return;
        };
        let end = Instant::now();
        let waited = end.saturating_duration_since(start);
        if waited < threshold {
            return;
        }
        if let Some(suppressed) = self.slow_waits.admit(end) {
            tracing::warn!(
                target: "warden::bound",
                bound = name,
                limit,
                waited = ?waited,
                suppressed,
                "`{name}` waited {waited:?} for one of its {limit} permits: the limit sets its \
                 latency"
            );
        }
    }

    fn snapshot(&self, name: &'static str, limit: usize) -> BoundSnapshot {
        BoundSnapshot {
            name,
            limit,
            per_key: false,
            keys: 0,
            in_flight: 0,
            waiting: self.waiting.load(Relaxed),
            rejected: self.rejected.load(Relaxed),
            max_in_flight: self.max_in_flight.load(Relaxed),
        }
    }
}

/// The failure of a caller turned away by a full bound.
fn overloaded(name: &'static str, limit: usize) -> Failure {
    Failure::Overloaded {
        name: Cow::Borrowed(name),
        limit,
    }
}

/// Counts a caller as waiting for as long as it lives, including when its future is dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Relaxed);
        Waiting(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

// ---------------------------------------------------------------------------------------------
// Registry

#[derive(Clone, Copy)]
enum Registered {
    Plain(&'static Bound),
    Keyed(&'static KeyedBound),
}

/// Every bound used so far, in order of first use.
static REGISTRY: Registry<Registered> = Registry::new();

/// Snapshots of every bound used so far, in order of first use.
pub(crate) fn snapshots() -> Vec<BoundSnapshot> {
    REGISTRY
        .entries()
        .into_iter()
        .map(|entry| match entry {
            Registered::Plain(bound) => bound.snapshot(),
            Registered::Keyed(bound) => bound.snapshot(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Bound

/// At most `limit` executions in flight at once across the process: the limiter of one
/// `#[bounded(n)]` fn, living in a `static`.
///
/// The uncontended path is one `try_acquire` on a Tokio semaphore plus three relaxed loads:
/// no allocation, no clock read, no lock (measured on par with a bare `Semaphore::acquire`).
/// Only a caller that finds the limit full takes the slow path (counted as waiting, timed,
/// perhaps logged, the clock read only while warnings are on). A [`BoundMode::Wait`] caller
/// waits in place, allocating nothing; one with a deadline allocates its timed wait once, so
/// that the future of every call is the body's size plus a small constant.
///
/// ```
/// use warden_runtime::bound::{Bound, BoundMode};
/// use warden_runtime::Failure;
///
/// static FETCH: Bound = Bound::new("my_app::fetch", 2);
///
/// async fn fetch(url: &str) -> Result<usize, Failure> {
///     FETCH.run_or_fail(BoundMode::Reject, async { Ok(url.len()) }).await
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(fetch("https://example.com").await.unwrap(), 19);
/// assert_eq!(FETCH.snapshot().in_flight, 0);
/// # }
/// ```
#[derive(Debug)]
pub struct Bound {
    name: &'static str,
    limit: usize,
    semaphore: Semaphore,
    stats: Stats,
}

impl Bound {
    /// A limit of `limit` executions named `name`, for a `static`.
    ///
    /// # Panics
    /// If `limit` is 0 or above [`Semaphore::MAX_PERMITS`]; in a `static` initializer that is a
    /// compile-time error.
    #[must_use]
    pub const fn new(name: &'static str, limit: usize) -> Self {
        assert!(limit > 0, "a bound needs a limit of at least 1");
        Bound {
            name,
            limit,
            semaphore: Semaphore::const_new(limit),
            stats: Stats::new(),
        }
    }

    /// The limited fn's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The limit.
    #[must_use]
    pub const fn limit(&self) -> usize {
        self.limit
    }

    /// Gets a permit as `mode` says; the execution it admits lasts until the permit is dropped.
    ///
    /// # Errors
    /// [`Failure::Overloaded`] when `mode` is [`BoundMode::Reject`] and the limit is full, or
    /// [`BoundMode::WaitFor`] and its deadline passed first. [`BoundMode::Wait`] never fails.
    pub async fn acquire(&'static self, mode: BoundMode) -> Result<BoundPermit, Failure> {
        let permit = if mode == BoundMode::Wait {
            self.wait_permit().await?
        } else {
            self.stats.register(Registered::Plain(self));
            let permit = if let Ok(permit) = self.semaphore.try_acquire() {
                permit
            } else {
                self.stats
                    .wait_for(self.name, self.limit, mode, self.semaphore.acquire())?
                    .await?
            };
            self.stats.saw_in_flight(self.in_flight());
            permit
        };
        Ok(BoundPermit { _permit: permit })
    }

    /// A permit in [`BoundMode::Wait`]: what [`run`](Self::run) awaits. Without a mode to keep
    /// or a timed branch, its state is the semaphore's own future plus a few words.
    async fn wait_permit(&'static self) -> Result<SemaphorePermit<'static>, Failure> {
        self.stats.register(Registered::Plain(self));
        let permit = if let Ok(permit) = self.semaphore.try_acquire() {
            permit
        } else {
            let started = self.stats.start_wait();
            // warden never closes its semaphores; should one be closed, the caller is overloaded.
            let permit =
                (self.semaphore.acquire().await).map_err(|_| overloaded(self.name, self.limit))?;
            self.stats.end_wait(started, self.name, self.limit);
            permit
        };
        self.stats.saw_in_flight(self.in_flight());
        Ok(permit)
    }

    /// Runs `fut` once a permit is free, waiting as long as it takes: what `#[bounded(n)]`
    /// emits for its default mode, `Bound::run(&STATIC, async move { body }).await`.
    ///
    /// The returned future stores `fut` once, in place: its size is `fut`'s plus a constant.
    pub fn run<F: Future>(&'static self, fut: F) -> impl Future<Output = F::Output> {
        // `Wait` only fails if the semaphore were closed, which warden never does; the
        // execution then runs unlimited rather than not at all.
        Limited::new(self.wait_permit(), fut, |_| None)
    }

    /// Runs `fut`, a fallible body, under the limit, failing as `mode` says when it is full.
    ///
    /// What `#[bounded(n, reject)]` and `#[bounded(n, wait = "50ms")]` emit:
    /// `Bound::run_or_fail(&STATIC, mode, async move { body }).await`; the fn's error type
    /// needs `From<Failure>`.
    ///
    /// The returned future stores `fut` once, in place: its size is `fut`'s plus a constant.
    ///
    /// # Errors
    /// `E::from(Failure::Overloaded { .. })` when no permit came, else whatever `fut` returns.
    pub fn run_or_fail<F, T, E>(
        &'static self,
        mode: BoundMode,
        fut: F,
    ) -> impl Future<Output = Result<T, E>>
    where
        F: Future<Output = Result<T, E>>,
        E: From<Failure>,
    {
        Limited::new(self.acquire(mode), fut, |failure| {
            Some(Err(E::from(failure)))
        })
    }

    /// Executions holding a permit now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.limit
            .saturating_sub(self.semaphore.available_permits())
    }

    /// This bound's counters now.
    #[must_use]
    pub fn snapshot(&self) -> BoundSnapshot {
        BoundSnapshot {
            in_flight: self.in_flight(),
            ..self.stats.snapshot(self.name, self.limit)
        }
    }
}

/// One execution's admission under a [`Bound`]; dropping it lets the next caller in.
#[derive(Debug)]
#[must_use = "the execution is admitted only while the permit lives"]
pub struct BoundPermit {
    _permit: SemaphorePermit<'static>,
}

// ---------------------------------------------------------------------------------------------
// KeyedBound

/// A key whose type is forgotten: hashed and compared through its own `Hash` and `Eq`, and never
/// equal to a key of another type.
trait DynKey: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn dyn_eq(&self, other: &dyn DynKey) -> bool;
    fn dyn_hash(&self, state: &mut dyn Hasher);
}

impl<K: Hash + Eq + Send + Sync + 'static> DynKey for K {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn dyn_eq(&self, other: &dyn DynKey) -> bool {
        other.as_any().downcast_ref::<K>() == Some(self)
    }

    fn dyn_hash(&self, mut state: &mut dyn Hasher) {
        self.hash(&mut state);
    }
}

impl PartialEq for dyn DynKey {
    fn eq(&self, other: &Self) -> bool {
        self.dyn_eq(other)
    }
}

impl Eq for dyn DynKey {}

impl Hash for dyn DynKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.dyn_hash(state);
    }
}

/// One key's share: its semaphore and how many callers (running or waiting) hold the entry.
struct Slot {
    semaphore: Arc<Semaphore>,
    holders: usize,
}

/// Keys in flight. `None` until first use, because `RandomState` (randomly seeded, so callers
/// cannot choose colliding keys) cannot be built in a `const fn`.
type KeyMap = Option<HashMap<Box<dyn DynKey>, Slot, RandomState>>;

/// At most `limit` executions in flight per value of a key: the limiter of
/// `#[bounded(n, per = arg)]`, living in a `static`.
///
/// Keys are any `Hash + Eq + Clone + Send + Sync + 'static` value. The map holds only keys with
/// an execution in flight or waiting: an entry goes when its last caller ends, so memory follows
/// the load, not the number of keys ever seen. Each call locks a std mutex twice, briefly and
/// never across `.await` (once to join its key's entry, once to leave it); a call with a key not
/// yet in flight allocates its entry.
///
/// ```
/// use warden_runtime::bound::KeyedBound;
///
/// static PER_CLIENT: KeyedBound = KeyedBound::new("my_app::serve", 2);
///
/// async fn serve(client_id: u64) -> u64 {
///     PER_CLIENT.run(client_id, async move { client_id * 2 }).await
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(serve(21).await, 42);
/// assert_eq!(PER_CLIENT.snapshot().keys, 0);
/// # }
/// ```
pub struct KeyedBound {
    name: &'static str,
    limit: usize,
    keys: Mutex<KeyMap>,
    in_flight: AtomicUsize,
    stats: Stats,
}

impl std::fmt::Debug for KeyedBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedBound")
            .field("name", &self.name)
            .field("limit", &self.limit)
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

impl KeyedBound {
    /// A limit of `limit` executions per key, named `name`, for a `static`.
    ///
    /// # Panics
    /// If `limit` is 0 or above [`Semaphore::MAX_PERMITS`]; in a `static` initializer that is a
    /// compile-time error.
    #[must_use]
    pub const fn new(name: &'static str, limit: usize) -> Self {
        assert!(limit > 0, "a bound needs a limit of at least 1");
        assert!(
            limit <= Semaphore::MAX_PERMITS,
            "a bound's limit is above Semaphore::MAX_PERMITS"
        );
        KeyedBound {
            name,
            limit,
            keys: Mutex::new(None),
            in_flight: AtomicUsize::new(0),
            stats: Stats::new(),
        }
    }

    /// The limited fn's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The limit per key.
    #[must_use]
    pub const fn limit(&self) -> usize {
        self.limit
    }

    /// Gets a permit for `key` as `mode` says; the execution lasts until the permit is dropped.
    ///
    /// # Errors
    /// [`Failure::Overloaded`] when `mode` is [`BoundMode::Reject`] and `key`'s limit is full, or
    /// [`BoundMode::WaitFor`] and its deadline passed first. [`BoundMode::Wait`] never fails.
    pub async fn acquire<K>(
        &'static self,
        mode: BoundMode,
        key: K,
    ) -> Result<KeyedPermit<K>, Failure>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
    {
        self.stats.register(Registered::Keyed(self));
        let semaphore = self.join(&key);
        // From here on the entry is released on every exit, including a dropped future.
        let holder = Holder { bound: self, key };
        let permit = if let Ok(permit) = Arc::clone(&semaphore).try_acquire_owned() {
            permit
        } else if mode == BoundMode::Wait {
            let started = self.stats.start_wait();
            let permit = (Arc::clone(&semaphore).acquire_owned().await)
                .map_err(|_| overloaded(self.name, self.limit))?;
            self.stats.end_wait(started, self.name, self.limit);
            permit
        } else {
            let acquire = Arc::clone(&semaphore).acquire_owned();
            self.stats
                .wait_for(self.name, self.limit, mode, acquire)?
                .await?
        };
        self.in_flight.fetch_add(1, Relaxed);
        self.stats
            .saw_in_flight(self.limit.saturating_sub(semaphore.available_permits()));
        Ok(KeyedPermit {
            _permit: permit,
            holder,
        })
    }

    /// Runs `fut` once `key` has a free permit, waiting as long as it takes: what
    /// `#[bounded(n, per = arg)]` emits,
    /// `KeyedBound::run(&STATIC, Clone::clone(&arg), async move { body }).await`.
    ///
    /// The returned future stores `fut` once, in place: its size is `fut`'s plus a constant.
    pub fn run<K, F>(&'static self, key: K, fut: F) -> impl Future<Output = F::Output>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        F: Future,
    {
        // `Wait` only fails if the semaphore were closed, which warden never does.
        Limited::new(self.acquire(BoundMode::Wait, key), fut, |_| None)
    }

    /// Runs `fut`, a fallible body, under `key`'s limit, failing as `mode` says when it is full.
    ///
    /// The returned future stores `fut` once, in place: its size is `fut`'s plus a constant.
    ///
    /// # Errors
    /// `E::from(Failure::Overloaded { .. })` when no permit came, else whatever `fut` returns.
    pub fn run_or_fail<K, F, T, E>(
        &'static self,
        mode: BoundMode,
        key: K,
        fut: F,
    ) -> impl Future<Output = Result<T, E>>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        F: Future<Output = Result<T, E>>,
        E: From<Failure>,
    {
        Limited::new(self.acquire(mode, key), fut, |failure| {
            Some(Err(E::from(failure)))
        })
    }

    /// This bound's counters now.
    #[must_use]
    pub fn snapshot(&self) -> BoundSnapshot {
        let keys = lock(&self.keys).as_ref().map_or(0, HashMap::len);
        BoundSnapshot {
            per_key: true,
            keys,
            in_flight: self.in_flight.load(Relaxed),
            ..self.stats.snapshot(self.name, self.limit)
        }
    }

    /// Joins `key`'s entry, creating it if no caller holds it, and returns its semaphore.
    fn join<K: Hash + Eq + Clone + Send + Sync + 'static>(&self, key: &K) -> Arc<Semaphore> {
        let mut keys = lock(&self.keys);
        let map = keys.get_or_insert_with(HashMap::default);
        if let Some(slot) = map.get_mut(key as &(dyn DynKey + 'static)) {
            slot.holders += 1;
            return Arc::clone(&slot.semaphore);
        }
        let semaphore = Arc::new(Semaphore::new(self.limit));
        map.insert(
            Box::new(key.clone()),
            Slot {
                semaphore: Arc::clone(&semaphore),
                holders: 1,
            },
        );
        semaphore
    }

    /// Leaves `key`'s entry, removing it when this was its last holder.
    fn leave(&self, key: &(dyn DynKey + 'static)) {
        let mut keys = lock(&self.keys);
        let Some(map) = keys.as_mut() else { return };
        let Some(slot) = map.get_mut(key) else { return };
        slot.holders -= 1;
        if slot.holders == 0 {
            map.remove(key);
            // Give memory back after a burst of many keys, with slack so a steady load does not
            // reallocate.
            if map.capacity() > 64 && map.len() * 4 < map.capacity() {
                map.shrink_to(map.len() * 2);
            }
        }
    }
}

/// Holds a key's entry in a [`KeyedBound`] and leaves it when dropped.
struct Holder<K: Hash + Eq + Send + Sync + 'static> {
    bound: &'static KeyedBound,
    key: K,
}

impl<K: Hash + Eq + Send + Sync + 'static> Drop for Holder<K> {
    fn drop(&mut self) {
        self.bound.leave(&self.key);
    }
}

/// One execution's admission under a [`KeyedBound`] for one key; dropping it lets the key's next
/// caller in and forgets the key if nobody else holds it.
#[must_use = "the execution is admitted only while the permit lives"]
pub struct KeyedPermit<K: Hash + Eq + Send + Sync + 'static> {
    // Fields drop in order: the permit goes back before the key's entry is left.
    _permit: OwnedSemaphorePermit,
    holder: Holder<K>,
}

impl<K: Hash + Eq + Send + Sync + 'static> KeyedPermit<K> {
    /// The key this permit was granted for.
    pub fn key(&self) -> &K {
        &self.holder.key
    }
}

impl<K: Hash + Eq + Send + Sync + 'static> Drop for KeyedPermit<K> {
    fn drop(&mut self) {
        self.holder.bound.in_flight.fetch_sub(1, Relaxed);
    }
}

impl<K: Hash + Eq + Send + Sync + std::fmt::Debug + 'static> std::fmt::Debug for KeyedPermit<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedPermit")
            .field("bound", &self.holder.bound.name)
            .field("key", &self.holder.key)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Running a body under a permit

pin_project_lite::pin_project! {
    /// A body waiting for its permit, then running while it holds it: the future of every `run`
    /// and `run_or_fail` above.
    ///
    /// Hand-written (not an `async fn` taking the body by value) so the body is stored once, in
    /// place, from the call on: an `async fn` keeps it as its argument and again as the awaited
    /// local, which doubled every `#[bounded]` fn's future.
    struct Limited<A, P, F, R> {
        #[pin]
        acquire: futures::future::Fuse<A>,
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
    fn new(acquire: A, body: F, refused: R) -> Self {
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
