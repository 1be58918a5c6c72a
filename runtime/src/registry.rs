//! The two helpers `bound`, `detect` and `scope` share: a poison-tolerant lock for the std
//! mutexes warden holds for a few instructions, and a list that each `static` joins once, on
//! first use, so `metrics` can list every limit and every watched fn.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a std mutex that warden only holds for a few instructions, never across `.await`; a
/// panic under it (in a user's `Hash`/`Eq`, say) leaves data still worth reading, so poison is
/// ignored.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Every `static` of one kind used so far, in order of first use. Grows by one entry per
/// `static`, once.
pub(crate) struct Registry<T>(Mutex<Vec<T>>);

impl<T: Clone> Registry<T> {
    pub(crate) const fn new() -> Self {
        Registry(Mutex::new(Vec::new()))
    }

    /// Adds `entry` unless `listed` (the entry's own flag) says it already is: after the first
    /// call, one relaxed load.
    pub(crate) fn join_once(&self, listed: &AtomicBool, entry: T) {
        if !listed.load(Relaxed) && !listed.swap(true, Relaxed) {
            lock(&self.0).push(entry);
        }
    }

    /// The entries so far, copied out so the lock is released before they are read.
    pub(crate) fn entries(&self) -> Vec<T> {
        lock(&self.0).clone()
    }
}
