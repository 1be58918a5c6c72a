//! [`KeyedBound`]: at most `n` executions in flight per value of a key, for
//! `#[bounded(n, per = arg)]`. Keys of any type share one map through [`DynKey`].

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher, RandomState};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::limited::Limited;
use super::mode::{BoundMode, acquire};
use super::stats::{Listed, Stats};
use super::timer::EveryWaiter;
use crate::failure::Failure;
use crate::registry::lock;
use crate::snapshot::BoundSnapshot;

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

/// One key's share: how many callers (running or waiting) hold the entry and, once the key
/// has been full, its semaphore.
///
/// While a key never had more than `limit` holders, its callers run on admissions counted
/// here, under the map's lock (no semaphore, no allocation but the key's). The caller that
/// finds `limit` holders creates the semaphore with no permit and waits on it; from then on
/// every caller of the key goes through it, and each counted caller that leaves adds the
/// permit it held. So at most `limit` run at once, and waiters are admitted in order.
struct Slot {
    holders: usize,
    semaphore: Option<Arc<Semaphore>>,
}

/// How a caller joined its key: admitted on the spot, or to go through the key's semaphore.
enum Joined {
    Counted { running: usize },
    Queued(Arc<Semaphore>),
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
/// yet in flight allocates its entry. A key's semaphore exists only once the key has been full
/// (see `Slot`): until then a call is admitted by a count under that same lock.
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
    keys: Mutex<KeyMap>,
    in_flight: AtomicUsize,
    stats: Stats,
}

impl std::fmt::Debug for KeyedBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedBound")
            .field("name", &self.stats.name)
            .field("limit", &self.stats.limit)
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
            keys: Mutex::new(None),
            in_flight: AtomicUsize::new(0),
            stats: Stats::new(name, limit),
        }
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
        self.stats.register(self);
        let joined = self.join(&key);
        // From here on the entry is released on every exit, including a dropped future.
        let mut holder = Holder {
            bound: self,
            key,
            counted: false,
        };
        let (permit, running) = match joined {
            Joined::Counted { running } => {
                holder.counted = true;
                (None, running)
            }
            Joined::Queued(semaphore) => {
                let try_now = || Arc::clone(&semaphore).try_acquire_owned().ok();
                let wait = || Arc::clone(&semaphore).acquire_owned();
                let permit = acquire(EveryWaiter(&self.stats), mode, try_now, wait).await?;
                let running = self
                    .stats
                    .limit
                    .saturating_sub(semaphore.available_permits());
                (Some(permit), running)
            }
        };
        self.in_flight.fetch_add(1, Relaxed);
        self.stats.saw_in_flight(running);
        Ok(KeyedPermit {
            _permit: permit,
            holder,
        })
    }

    /// Runs `fut` once `key` has a free permit, waiting as long as it takes.
    ///
    /// The returned future stores `fut` once: its size is `fut`'s or the key's wait's,
    /// whichever is larger, plus a few words.
    pub fn run<K, F>(&'static self, key: K, fut: F) -> impl Future<Output = F::Output>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        F: Future,
    {
        self.run_with(key, move || fut)
    }

    /// Runs the future `make` returns once `key` has a free permit, waiting as long as it
    /// takes: what `#[bounded(n, per = arg)]` emits,
    /// `KeyedBound::run_with(&STATIC, key, move || async move { body }).await`. `make` runs
    /// once, when the permit is held (as for [`BoundAt::run_with`](super::BoundAt::run_with)).
    pub fn run_with<K, M, F>(&'static self, key: K, make: M) -> impl Future<Output = F::Output>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        M: FnOnce() -> F,
        F: Future,
    {
        // `Wait` only fails if the semaphore were closed, which warden never does.
        Limited::new(self.acquire(BoundMode::Wait, key), make, |_| None, || ())
    }

    /// Runs the fallible future `make` returns under `key`'s limit, failing as `mode` says when
    /// it is full: what `#[bounded(n, per = arg, reject)]` emits. `make` runs once, when the
    /// permit is held; `|| fut` runs a future already made.
    ///
    /// # Errors
    /// `E::from(Failure::Overloaded { .. })` when no permit came, else whatever the body returns.
    pub fn run_or_fail_with<K, M, F, T, E>(
        &'static self,
        mode: BoundMode,
        key: K,
        make: M,
    ) -> impl Future<Output = Result<T, E>>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        M: FnOnce() -> F,
        F: Future<Output = Result<T, E>>,
        E: From<Failure>,
    {
        let refused = |failure| Some(Err(E::from(failure)));
        Limited::new(self.acquire(mode, key), make, refused, || ())
    }

    /// This bound's counters now.
    #[must_use]
    pub fn snapshot(&self) -> BoundSnapshot {
        let keys = lock(&self.keys).as_ref().map_or(0, HashMap::len);
        BoundSnapshot {
            per_key: true,
            keys,
            in_flight: self.in_flight.load(Relaxed),
            ..self.stats.snapshot()
        }
    }

    /// Joins `key`'s entry, creating it if no caller holds it: admitted at once while the key
    /// never was full, else sent to the key's semaphore (created, with no permit, by the first
    /// caller that finds the key full).
    fn join<K: Hash + Eq + Clone + Send + Sync + 'static>(&self, key: &K) -> Joined {
        let limit = self.stats.limit;
        let mut keys = lock(&self.keys);
        let map = keys.get_or_insert_with(HashMap::default);
        let Some(slot) = map.get_mut(key as &(dyn DynKey + 'static)) else {
            let slot = Slot {
                holders: 1,
                semaphore: None,
            };
            map.insert(Box::new(key.clone()), slot);
            return Joined::Counted { running: 1 };
        };
        slot.holders += 1;
        match &slot.semaphore {
            None if slot.holders <= limit => Joined::Counted {
                running: slot.holders,
            },
            Some(semaphore) => Joined::Queued(Arc::clone(semaphore)),
            None => {
                let semaphore = Arc::new(Semaphore::new(0));
                slot.semaphore = Some(Arc::clone(&semaphore));
                Joined::Queued(semaphore)
            }
        }
    }

    /// Leaves `key`'s entry (giving the key's semaphore the admission a `counted` caller held),
    /// removing it when this was its last holder.
    fn leave(&self, key: &(dyn DynKey + 'static), counted: bool) {
        let mut keys = lock(&self.keys);
        let Some(map) = keys.as_mut() else { return };
        let Some(slot) = map.get_mut(key) else { return };
        slot.holders -= 1;
        if counted {
            if let Some(semaphore) = &slot.semaphore {
                semaphore.add_permits(1);
            }
        }
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

impl Listed for KeyedBound {
    fn now(&self) -> BoundSnapshot {
        self.snapshot()
    }
}

/// Holds a key's entry in a [`KeyedBound`] and leaves it when dropped.
struct Holder<K: Hash + Eq + Send + Sync + 'static> {
    bound: &'static KeyedBound,
    key: K,
    /// Admitted by the count in the key's entry (not by a permit of its semaphore).
    counted: bool,
}

impl<K: Hash + Eq + Send + Sync + 'static> Drop for Holder<K> {
    fn drop(&mut self) {
        self.bound.leave(&self.key, self.counted);
    }
}

/// One execution's admission under a [`KeyedBound`] for one key; dropping it lets the key's next
/// caller in and forgets the key if nobody else holds it.
#[must_use = "the execution is admitted only while the permit lives"]
pub struct KeyedPermit<K: Hash + Eq + Send + Sync + 'static> {
    // Fields drop in order: the permit goes back before the key's entry is left. `None` for a
    // caller admitted by the count in the key's entry.
    _permit: Option<OwnedSemaphorePermit>,
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
            .field("bound", &self.holder.bound.stats.name)
            .field("key", &self.holder.key)
            .finish_non_exhaustive()
    }
}
