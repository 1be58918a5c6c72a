//! `#[no_blocking]`: the static check against the plain fn (same code, ratio 1.00), and slow-poll
//! detection (`max_poll`) against the plain fn and tokio-metrics' `TaskMonitor::instrument`.
//!
//! Two workloads: `ready` (no suspension point) and `yield` (one `yield_now().await`, so the
//! future is polled twice).
#![allow(missing_docs, reason = "criterion_group! output")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::task::yield_now;
use tokio_metrics::TaskMonitor;
use warden::no_blocking;

mod common;

use common::{plain_ready, plain_yield};

#[allow(clippy::unused_async, reason = "no suspension point")]
#[no_blocking]
async fn static_ready(x: u64) -> u64 {
    black_box(x) + 1
}

#[no_blocking]
async fn static_yield(x: u64) -> u64 {
    yield_now().await;
    black_box(x) + 1
}

#[no_blocking(max_poll = "10ms")]
async fn detect_ready(x: u64) -> u64 {
    black_box(x) + 1
}

#[no_blocking(max_poll = "10ms")]
async fn detect_yield(x: u64) -> u64 {
    yield_now().await;
    black_box(x) + 1
}

fn static_check(c: &mut Criterion) {
    let rt = common::current_thread();
    let mut g = common::group(c, "no_blocking_static");
    common::per_call(&mut g, &rt, "ready/plain", plain_ready);
    common::per_call(&mut g, &rt, "ready/warden", static_ready);
    common::per_call(&mut g, &rt, "yield/plain", plain_yield);
    common::per_call(&mut g, &rt, "yield/warden", static_yield);
    g.finish();
}

fn detection(c: &mut Criterion) {
    let rt = common::current_thread();
    let monitor = TaskMonitor::new();
    let mut g = common::group(c, "no_blocking_max_poll");
    common::per_call(&mut g, &rt, "ready/plain", plain_ready);
    g.bench_function("ready/task_monitor", |b| {
        b.to_async(&rt)
            .iter(|| monitor.instrument(plain_ready(black_box(1))));
    });
    common::per_call(&mut g, &rt, "ready/warden", detect_ready);
    common::per_call(&mut g, &rt, "yield/plain", plain_yield);
    g.bench_function("yield/task_monitor", |b| {
        b.to_async(&rt)
            .iter(|| monitor.instrument(plain_yield(black_box(1))));
    });
    common::per_call(&mut g, &rt, "yield/warden", detect_yield);
    g.finish();
}

/// Every group again, under a tracing subscriber (a registry with a no-op layer): both sides of
/// each pair pay for their spans, as in a service that records them.
fn traced(c: &mut Criterion) {
    common::install_subscriber();
    static_check(c);
    detection(c);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = static_check, detection, traced
}
criterion_main!(benches);
