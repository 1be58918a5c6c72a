//! What every benchmark binary shares: one criterion configuration (short, so the whole
//! `cargo bench` stays under ten minutes on two cores) and the runtimes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use std::hint::black_box;
use tracing_subscriber::layer::{Layer, SubscriberExt as _};

/// Set once the tracing subscriber is installed: the groups that run after it carry `_traced`.
static TRACED: AtomicBool = AtomicBool::new(false);

/// A layer that does nothing: with the registry under it, spans are created, entered and
/// closed as in a service that records them, but nothing is written.
struct Noop;

impl<S: tracing::Subscriber> Layer<S> for Noop {}

/// Installs the process-wide tracing subscriber (a registry with a no-op layer), for the rest
/// of the run: a bench binary runs its quiet groups first, then calls this and runs them again.
#[allow(
    dead_code,
    reason = "not every benchmark binary reruns its groups traced"
)]
pub fn install_subscriber() {
    if !TRACED.swap(true, Ordering::SeqCst) {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Noop))
            .expect("no other subscriber in a bench binary");
    }
}

/// A group named `name`, or `name_traced` once the subscriber is installed, so both runs stand
/// side by side in `target/criterion` and in `benches/report.py`'s tables.
pub fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    if TRACED.load(Ordering::SeqCst) {
        c.benchmark_group(format!("{name}_traced"))
    } else {
        c.benchmark_group(name)
    }
}

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
