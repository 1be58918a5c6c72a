//! The server's counters, for the report and the tests: plain atomics, bumped where things
//! happen in `server.rs` and read all at once.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters the report prints; read them through [`Stats::snapshot`].
#[derive(Debug, Default)]
pub struct Stats {
    pub(crate) requests: AtomicU64,
    pub(crate) protocol_errors: AtomicU64,
    pub(crate) connections: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) idle_closed: AtomicU64,
    pub(crate) stalled_closed: AtomicU64,
    pub(crate) connection_errors: AtomicU64,
    pub(crate) hashes_started: AtomicU64,
    pub(crate) hashes_finished: AtomicU64,
    pub(crate) hashes_cancelled: AtomicU64,
}

/// [`Stats`] at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Requests answered, `ERR` replies included.
    pub requests: u64,
    /// Malformed requests, answered with `ERR <reason>`.
    pub protocol_errors: u64,
    /// Connections served.
    pub connections: u64,
    /// Connections told `ERR busy` at once because `MAX_CONNECTIONS` were being served.
    pub refused: u64,
    /// Connections closed by the idle deadline.
    pub idle_closed: u64,
    /// Connections closed by the request deadline (a client not reading its replies).
    pub stalled_closed: u64,
    /// Connections that ended on an I/O error or a panic.
    pub connection_errors: u64,
    /// `HASH` work handed to the blocking pool.
    pub hashes_started: u64,
    /// Of it, work that ran to its end.
    pub hashes_finished: u64,
    /// Of it, work stopped by its token because nobody waited for it any more.
    pub hashes_cancelled: u64,
}

impl StatsSnapshot {
    /// Offloaded `HASH` work not finished nor stopped yet.
    pub fn hashes_running(&self) -> u64 {
        self.hashes_started - self.hashes_finished - self.hashes_cancelled
    }
}

impl Stats {
    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.requests.load(Relaxed),
            protocol_errors: self.protocol_errors.load(Relaxed),
            connections: self.connections.load(Relaxed),
            refused: self.refused.load(Relaxed),
            idle_closed: self.idle_closed.load(Relaxed),
            stalled_closed: self.stalled_closed.load(Relaxed),
            connection_errors: self.connection_errors.load(Relaxed),
            hashes_started: self.hashes_started.load(Relaxed),
            hashes_finished: self.hashes_finished.load(Relaxed),
            hashes_cancelled: self.hashes_cancelled.load(Relaxed),
        }
    }
}
