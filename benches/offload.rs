//! `warden::offload` against `tokio::task::spawn_blocking`, on the multi-thread runtime, with a
//! closure that returns at once (so the numbers are the hand-off's cost), and the closure called
//! inline as the floor. A sync closure has no suspension point, so there is one workload.
#![allow(missing_docs, reason = "criterion_group! output")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

mod common;

fn work(x: u64) -> u64 {
    black_box(x) + 1
}

fn offload(c: &mut Criterion) {
    let rt = common::multi_thread();
    let mut g = common::group(c, "offload");
    g.bench_function("ready/plain", |b| {
        b.to_async(&rt).iter(|| async { work(black_box(1)) });
    });
    g.bench_function("ready/spawn_blocking", |b| {
        b.to_async(&rt).iter(|| async {
            tokio::task::spawn_blocking(|| work(black_box(1)))
                .await
                .expect("no panic")
        });
    });
    g.bench_function("ready/warden", |b| {
        b.to_async(&rt).iter(|| async {
            warden::offload(|| work(black_box(1)))
                .await
                .expect("no panic")
        });
    });
    g.finish();
}

/// Every group again, under a tracing subscriber (a registry with a no-op layer): both sides of
/// each pair pay for their spans, as in a service that records them.
fn traced(c: &mut Criterion) {
    common::install_subscriber();
    offload(c);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = offload, traced
}
criterion_main!(benches);
