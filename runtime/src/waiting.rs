//! A count of callers waiting for a scope's child slot, held by a guard so that a wait whose
//! future is dropped is uncounted too. (A bound counts its waiting callers in
//! `bound::stats::Waiter`, which also times them.)
//!
//! `SeqCst` on both sides: a scope's child capacity relies on it (see `scope::capacity`).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

/// Counts one waiter in its counter for as long as it lives.
pub(crate) struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    pub(crate) fn enter(waiters: &'a AtomicUsize) -> Self {
        waiters.fetch_add(1, SeqCst);
        Waiting(waiters)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}
