//! What every benchmark binary shares: one criterion configuration (short, so the whole
//! `cargo bench` stays under ten minutes on two cores) and the runtimes.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use std::hint::black_box;

/// 30 samples over 2 s after a 0.5 s warm-up: medians stable to a few percent on a quiet
/// machine, and every group done in seconds.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// The runtime of the per-call groups: one thread, so a measurement is the call's own cost and
/// not the scheduler's noise.
#[allow(dead_code, reason = "not every benchmark binary uses both runtimes")]
pub fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

/// The runtime of the groups that spawn: the default multi-thread runtime, as a service runs.
#[allow(dead_code, reason = "not every benchmark binary uses both runtimes")]
pub fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a multi-thread runtime")
}

/// Registers `name` in `group`: each iteration awaits `call(1)` on `rt`, the argument through
/// `black_box` so the call cannot be folded away. Every pair of a group goes through here, so
/// both sides are driven the same way.
#[allow(dead_code, reason = "not every benchmark binary times single calls")]
pub fn per_call<F, Fut>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &tokio::runtime::Runtime,
    name: &str,
    call: F,
) where
    F: Fn(u64) -> Fut,
    Fut: Future,
{
    group.bench_function(name, |b| {
        b.to_async(rt).iter(|| call(black_box(1)));
    });
}

/// The floor of the `ready` workload: an async fn with no suspension point.
#[allow(dead_code, reason = "not every benchmark binary has a plain u64 floor")]
#[allow(clippy::unused_async, reason = "no suspension point")]
pub async fn plain_ready(x: u64) -> u64 {
    black_box(x) + 1
}

/// The floor of the `yield` workload: one real suspension point.
#[allow(dead_code, reason = "not every benchmark binary has a plain u64 floor")]
pub async fn plain_yield(x: u64) -> u64 {
    tokio::task::yield_now().await;
    black_box(x) + 1
}
