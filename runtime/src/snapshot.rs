//! What [`metrics`](crate::metrics) reports: the counters of a bound, of a watched fn and of a
//! scope at one moment. Plain data, defined once here and listed only through `metrics`.

use std::time::Duration;

/// Counters of one bound at a moment, as [`crate::metrics::bounds`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoundSnapshot {
    /// The limited fn (`module::path::fn_name` in generated code).
    pub name: &'static str,
    /// The limit: executions in flight at once (per key for a per-key bound).
    pub limit: usize,
    /// True for a `KeyedBound`, whose limit holds per key.
    pub per_key: bool,
    /// Keys with an execution in flight or waiting (always 0 for a `Bound`).
    pub keys: usize,
    /// Executions holding a permit now (all keys together for a per-key bound).
    pub in_flight: usize,
    /// Callers waiting for a permit now.
    pub waiting: usize,
    /// Callers turned away with [`Failure::Overloaded`](crate::Failure::Overloaded) so far (rejected or past their deadline).
    pub rejected: u64,
    /// The most executions seen in flight at once (for one key, for a per-key bound), so it never
    /// exceeds `limit`.
    pub max_in_flight: usize,
}

/// Counters of one watched fn at a moment, as [`crate::metrics::polls`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollSnapshot {
    /// The fn's path.
    pub fn_path: &'static str,
    /// The source file of the fn.
    pub file: &'static str,
    /// The line of the fn.
    pub line: u32,
    /// The threshold in force now (the site's own, or the global default).
    pub max_poll: Duration,
    /// Polls of the fn's futures so far.
    pub polls: u64,
    /// Polls longer than the threshold so far (counted only while detection is on).
    pub slow_polls: u64,
    /// The longest poll seen, slow or not (timed only while detection is on).
    pub longest_poll: Duration,
    /// Warnings emitted.
    pub warnings: u64,
    /// Slow polls not yet reported by a warning: the next warning carries their count. So
    /// `warnings` + the `suppressed` counts of the warnings + this = `slow_polls`.
    pub suppressed: u64,
}

/// Counters of one scope, as [`scope_stats`](crate::metrics::scope_stats) reads them.
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
