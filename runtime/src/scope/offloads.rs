//! The offloaded closures of a root's tree still running on the blocking pool: counted and
//! named by call site, so the root's shutdown waits for them within its grace and names those
//! it leaves behind. A blocking thread cannot be aborted; the report says so instead of
//! pretending nothing is left.

use std::collections::HashMap;
use std::panic::Location;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::Instant;

use super::children::list;
use super::counts::Live;
use crate::registry::lock;

/// The running offloads of one root.
pub(crate) struct Offloads {
    running: Mutex<HashMap<u64, &'static Location<'static>>>,
    next_id: AtomicU64,
    live: Live,
}

impl Offloads {
    pub(crate) fn new() -> Self {
        Offloads {
            running: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            live: Live::new(),
        }
    }

    /// A closure offloaded at `at` starts; returns its id for [`end`](Self::end).
    pub(crate) fn start(&self, at: &'static Location<'static>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lock(&self.running).insert(id, at);
        self.live.up();
        id
    }

    /// The closure `id` returned or panicked.
    pub(crate) fn end(&self, id: u64) {
        lock(&self.running).remove(&id);
        self.live.down();
    }

    /// Waits until no offloaded closure runs, or `deadline`; true if none runs.
    pub(crate) async fn idle_until(&self, deadline: Instant) -> bool {
        tokio::time::timeout_at(deadline, self.live.zero())
            .await
            .is_ok()
    }

    /// Resolves once no offloaded closure runs.
    pub(crate) async fn idle(&self) {
        self.live.zero().await;
    }

    /// How many closures still run.
    pub(crate) fn count(&self) -> usize {
        self.live.get()
    }

    /// How many closures still run, and the first call sites.
    pub(crate) fn running(&self) -> (usize, String) {
        let running = lock(&self.running);
        let sites: Vec<String> = running
            .values()
            .map(|at| format!("offload at {}:{}", at.file(), at.line()))
            .collect();
        (running.len(), list(sites.iter().map(String::as_str)))
    }
}
