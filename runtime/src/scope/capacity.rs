//! How many children a scope may hold at once: a count in an atomic and a `Notify` for the
//! spawners that wait. Not a `Semaphore`, whose release takes its waiter lock every time: here
//! taking a free slot is one compare-and-swap, and freeing one notifies only when someone waits.
//!
//! The same count is the scope's live children (a slot is held from before the child's task
//! exists until the task is gone), so a child's start and end each touch one shared counter of
//! its scope, and whoever frees the last slot wakes the code waiting for the scope to be idle.
//!
//! The ordering invariant: every access to `used` and `waiters` is `SeqCst`. A waiting spawner
//! counts itself in `waiters`, then checks `used`; a child that ends lowers `used`, then reads
//! `waiters`. In one total order, either the freeing side sees the waiter (and notifies it), or
//! the waiter's check sees the freed slot: no spawner sleeps next to a free slot.

use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use tokio::sync::Notify;

use super::counts::until_zero;
use crate::waiting::Waiting;

/// The child slots of one scope.
pub(crate) struct Capacity {
    max: usize,
    used: AtomicUsize,
    waiters: AtomicUsize,
    freed: Notify,
    /// Woken when the last slot is freed.
    idle: Notify,
}

impl Capacity {
    /// `max` slots; zero is taken as one.
    pub(crate) fn new(max: usize) -> Self {
        Capacity {
            max: max.max(1),
            used: AtomicUsize::new(0),
            waiters: AtomicUsize::new(0),
            freed: Notify::new(),
            idle: Notify::new(),
        }
    }

    /// How many children may hold a slot at once.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// Takes a free slot, if any: one compare-and-swap.
    pub(crate) fn try_take(&self) -> bool {
        self.used
            .fetch_update(SeqCst, SeqCst, |used| (used < self.max).then_some(used + 1))
            .is_ok()
    }

    /// Waits for a free slot and takes it. Not fair: a spawner that arrives as a slot is freed
    /// may take it before one that waited.
    pub(crate) async fn take(&self) {
        let _waiting = Waiting::enter(&self.waiters);
        loop {
            let mut freed = pin!(self.freed.notified());
            freed.as_mut().enable();
            if self.try_take() {
                return;
            }
            freed.await;
        }
    }

    /// Gives a slot back and wakes a waiting spawner, if there is one, and the code waiting
    /// for the scope to be idle if this was the last slot.
    pub(crate) fn free(&self) {
        if self.used.fetch_sub(1, SeqCst) == 1 {
            self.idle.notify_waiters();
        }
        if self.waiters.load(SeqCst) > 0 {
            self.freed.notify_one();
        }
    }

    /// Slots held: the live children, and spawns between taking a slot and starting a task.
    pub(crate) fn used(&self) -> usize {
        self.used.load(SeqCst)
    }

    /// Resolves once no slot is held.
    pub(crate) async fn idle(&self) {
        until_zero(&self.idle, || self.used()).await;
    }
}
