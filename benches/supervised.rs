//! `#[supervised]` against what a careful user writes by hand for the same guarantees.
//!
//! - `inline`: a scope that spawns no child, against a child `CancellationToken` raced with
//!   `select!`, `catch_unwind` and a span entered with `Instrument`, all run inline.
//! - `children/N`: a scope that spawns N children and sums their values, against `JoinSet` and
//!   against `TaskTracker` + `CancellationToken` (each child raced against the token);
//!   `warden_tree` is `warden` while another thread takes `metrics::tree()` every millisecond;
//!   above 1,024 children (the default `max_children`, where `warden`'s spawning loop waits for
//!   slots) `warden_wide` is `warden` with `max_children = 100_000`.
//!   N runs over 10, 100, 1,000, 10,000 and 100,000.
//! - every group again under a tracing subscriber (`*_traced`).
//!
//! Two workloads: `ready` (no suspension point) and `yield` (one `yield_now().await`), in the
//! body for `inline`, in each child for `children`.
#![allow(missing_docs, reason = "criterion_group! output")]

use std::future::Future;
use std::hint::black_box;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use futures::FutureExt as _;
use tokio::task::yield_now;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;
use warden::{Failure, supervised};

mod children;
mod common;

/// The token a hand-written service cancels on shutdown: every call's token is its child.
static SHUTDOWN: LazyLock<CancellationToken> = LazyLock::new(CancellationToken::new);

#[allow(clippy::unused_async, reason = "no suspension point")]
async fn plain_ready(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

async fn plain_yield(x: u64) -> Result<u64, Failure> {
    yield_now().await;
    Ok(black_box(x) + 1)
}

#[supervised]
async fn warden_ready(x: u64) -> Result<u64, Failure> {
    Ok(black_box(x) + 1)
}

#[supervised]
async fn warden_yield(x: u64) -> Result<u64, Failure> {
    yield_now().await;
    Ok(black_box(x) + 1)
}

/// What `#[supervised]` does for a call without children, written by hand.
async fn by_hand<T>(body: impl Future<Output = Result<T, Failure>>) -> Result<T, Failure> {
    let token = SHUTDOWN.child_token();
    let span = tracing::info_span!("by_hand");
    async move {
        tokio::select! {
            biased;
            () = token.cancelled() => Err(Failure::Cancelled { scope: "by_hand".into() }),
            out = AssertUnwindSafe(body).catch_unwind() => out.unwrap_or_else(|panic| {
                Err(Failure::Panicked { at: "by_hand".into(), message: panic_message(&*panic) })
            }),
        }
    }
    .instrument(span)
    .await
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

fn inline(c: &mut Criterion) {
    let rt = common::current_thread();
    let mut g = common::group(c, "supervised_inline");
    common::per_call(&mut g, &rt, "ready/plain", plain_ready);
    g.bench_function("ready/by_hand", |b| {
        b.to_async(&rt).iter(|| by_hand(plain_ready(black_box(1))));
    });
    common::per_call(&mut g, &rt, "ready/warden", warden_ready);
    common::per_call(&mut g, &rt, "yield/plain", plain_yield);
    g.bench_function("yield/by_hand", |b| {
        b.to_async(&rt).iter(|| by_hand(plain_yield(black_box(1))));
    });
    common::per_call(&mut g, &rt, "yield/warden", warden_yield);
    g.finish();
}

/// Runs `f` while a thread of its own takes the live tree every millisecond: what a monitor
/// taking snapshots costs the code that spawns.
fn while_tree_taken<R>(f: impl FnOnce() -> R) -> R {
    let stop = Arc::new(AtomicBool::new(false));
    let taker = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                black_box(warden::metrics::tree());
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let out = f();
    stop.store(true, Ordering::Relaxed);
    taker.join().expect("the tree taker");
    out
}

/// The widths of the children group: the cost per child should not grow with them.
const WIDTHS: [u64; 5] = [10, 100, 1_000, 10_000, 100_000];

/// A scope's default `max_children`: above it, `warden` waits for slots and `warden_wide`
/// (a limit above every width) is the like-for-like comparison.
const DEFAULT_MAX_CHILDREN: u64 = 1_024;

/// The one width at which the live tree is also taken while spawning.
const TREE_WIDTH: u64 = 1_000;

fn children(c: &mut Criterion) {
    let rt = common::multi_thread();
    let mut g = common::group(c, "supervised_children");
    // Up to 100,000 children an iteration: every sample runs the same number of iterations
    // (criterion's linear sampling would run hundreds of the widest), ten samples.
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for n in WIDTHS {
        g.throughput(Throughput::Elements(n));
        for (workload, yields) in [("ready", false), ("yield", true)] {
            let id = |side: &str| BenchmarkId::new(format!("{workload}/{side}"), n);
            g.bench_function(id("joinset"), |b| {
                b.to_async(&rt).iter(|| children::joinset(n, yields));
            });
            g.bench_function(id("tracker"), |b| {
                b.to_async(&rt)
                    .iter(|| children::tracker(n, yields, &SHUTDOWN));
            });
            g.bench_function(id("warden"), |b| {
                b.to_async(&rt).iter(|| children::warden(n, yields));
            });
            if n > DEFAULT_MAX_CHILDREN {
                g.bench_function(id("warden_wide"), |b| {
                    b.to_async(&rt).iter(|| children::warden_wide(n, yields));
                });
            }
            if n == TREE_WIDTH {
                g.bench_function(id("warden_tree"), |b| {
                    while_tree_taken(|| b.to_async(&rt).iter(|| children::warden(n, yields)));
                });
            }
        }
    }
    g.finish();
}

/// Every group again, under a tracing subscriber (a registry with a no-op layer): both sides of
/// each pair pay for their spans, as in a service that records them.
fn traced(c: &mut Criterion) {
    common::install_subscriber();
    inline(c);
    children(c);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = inline, children, traced
}
criterion_main!(benches);
