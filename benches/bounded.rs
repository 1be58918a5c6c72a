//! `#[bounded(n)]` against a raw `tokio::sync::Semaphore`, tower's `ConcurrencyLimit` and a
//! hand-made map of semaphores.
//!
//! - `uncontended`: one caller at a time, so every call finds a free permit.
//! - `contended`: 1,000 spawned callers on the multi-thread runtime through a limit of 8;
//!   one iteration is all 1,000 calls. `warden_quiet` is the same with the slow-wait warning
//!   switched off (no clock read while waiting).
//! - `per_key`: one caller at a time, cycling over 64 keys, limit 8 per key.
//!
//! Two workloads: `ready` (no suspension point) and `yield` (one `yield_now().await` while the
//! permit is held).
#![allow(missing_docs, reason = "criterion_group! output")]

use std::collections::HashMap;
use std::convert::Infallible;
use std::hint::black_box;
use std::sync::{Arc, LazyLock, Mutex};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokio::sync::Semaphore;
use tokio::task::yield_now;
use tower::limit::ConcurrencyLimit;
use tower::{Service as _, ServiceExt as _};
use warden::bounded;

mod common;

const LIMIT: usize = 8;
const CALLERS: u64 = 1_000;
const KEYS: u64 = 64;

use common::{plain_ready, plain_yield};

#[bounded(8)]
async fn warden_ready(x: u64) -> u64 {
    black_box(x) + 1
}

#[bounded(8)]
async fn warden_yield(x: u64) -> u64 {
    yield_now().await;
    black_box(x) + 1
}

static READY: Semaphore = Semaphore::const_new(LIMIT);
static YIELD: Semaphore = Semaphore::const_new(LIMIT);

async fn semaphore_ready(x: u64) -> u64 {
    let _permit = READY.acquire().await.expect("never closed");
    plain_ready(x).await
}

async fn semaphore_yield(x: u64) -> u64 {
    let _permit = YIELD.acquire().await.expect("never closed");
    plain_yield(x).await
}

fn uncontended(c: &mut Criterion) {
    let rt = common::current_thread();
    let mut g = common::group(c, "bounded_uncontended");
    common::per_call(&mut g, &rt, "ready/plain", plain_ready);
    common::per_call(&mut g, &rt, "ready/semaphore", semaphore_ready);
    common::per_call(&mut g, &rt, "ready/warden", warden_ready);
    common::per_call(&mut g, &rt, "yield/plain", plain_yield);
    common::per_call(&mut g, &rt, "yield/semaphore", semaphore_yield);
    common::per_call(&mut g, &rt, "yield/warden", warden_yield);
    g.finish();
}

/// Spawns `CALLERS` tasks, each making one call, and waits for all of them.
async fn callers<F, Fut>(call: F)
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = u64> + Send + 'static,
{
    let tasks: Vec<_> = (0..CALLERS).map(|i| tokio::spawn(call(i))).collect();
    for task in tasks {
        black_box(task.await.expect("caller"));
    }
}

/// The same fn behind tower's `ConcurrencyLimit`, one service clone per caller.
async fn tower_call<F, Fut>(mut svc: ConcurrencyLimit<tower::util::ServiceFn<F>>, x: u64) -> u64
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<u64, Infallible>>,
{
    let ready = svc.ready().await.expect("infallible");
    ready.call(x).await.expect("infallible")
}

/// Runs `f` with warden's slow-wait warnings switched off (`warden_quiet`): a waiting caller
/// then reads no clock, which shows what the default warning costs under contention.
fn quiet(f: impl FnOnce()) {
    let before = warden::settings::wait_warning();
    warden::settings::set_wait_warning(None);
    f();
    warden::settings::set_wait_warning(before);
}

fn contended(c: &mut Criterion) {
    let rt = common::multi_thread();
    let tower_ready = ConcurrencyLimit::new(
        tower::service_fn(|x| async move { Ok::<_, Infallible>(plain_ready(x).await) }),
        LIMIT,
    );
    let tower_yield = ConcurrencyLimit::new(
        tower::service_fn(|x| async move { Ok::<_, Infallible>(plain_yield(x).await) }),
        LIMIT,
    );
    let mut g = common::group(c, "bounded_contended");
    g.throughput(Throughput::Elements(CALLERS));
    g.bench_function("ready/plain", |b| {
        b.to_async(&rt).iter(|| callers(plain_ready));
    });
    g.bench_function("ready/semaphore", |b| {
        b.to_async(&rt).iter(|| callers(semaphore_ready));
    });
    g.bench_function("ready/tower", |b| {
        b.to_async(&rt)
            .iter(|| callers(|x| tower_call(tower_ready.clone(), x)));
    });
    g.bench_function("ready/warden", |b| {
        b.to_async(&rt).iter(|| callers(warden_ready));
    });
    g.bench_function("ready/warden_quiet", |b| {
        quiet(|| b.to_async(&rt).iter(|| callers(warden_ready)));
    });
    g.bench_function("yield/plain", |b| {
        b.to_async(&rt).iter(|| callers(plain_yield));
    });
    g.bench_function("yield/semaphore", |b| {
        b.to_async(&rt).iter(|| callers(semaphore_yield));
    });
    g.bench_function("yield/tower", |b| {
        b.to_async(&rt)
            .iter(|| callers(|x| tower_call(tower_yield.clone(), x)));
    });
    g.bench_function("yield/warden", |b| {
        b.to_async(&rt).iter(|| callers(warden_yield));
    });
    g.bench_function("yield/warden_quiet", |b| {
        quiet(|| b.to_async(&rt).iter(|| callers(warden_yield)));
    });
    g.finish();
}

#[bounded(8, per = key)]
async fn warden_keyed_ready(key: u64) -> u64 {
    black_box(key) + 1
}

#[bounded(8, per = key)]
async fn warden_keyed_yield(key: u64) -> u64 {
    yield_now().await;
    black_box(key) + 1
}

type SemaphoreMap = LazyLock<Mutex<HashMap<u64, Arc<Semaphore>>>>;

static MAP_READY: SemaphoreMap = LazyLock::new(Mutex::default);
static MAP_YIELD: SemaphoreMap = LazyLock::new(Mutex::default);

/// The hand-made per-key limit: a map that keeps every key it has seen.
fn key_semaphore(map: &SemaphoreMap, key: u64) -> Arc<Semaphore> {
    let mut map = map.lock().expect("never poisoned");
    Arc::clone(
        map.entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(LIMIT))),
    )
}

async fn map_ready(key: u64) -> u64 {
    let _permit = key_semaphore(&MAP_READY, key).acquire_owned().await;
    plain_ready(key).await
}

async fn map_yield(key: u64) -> u64 {
    let _permit = key_semaphore(&MAP_YIELD, key).acquire_owned().await;
    plain_yield(key).await
}

fn per_key(c: &mut Criterion) {
    let rt = common::current_thread();
    let mut g = common::group(c, "bounded_per_key");
    let mut key = 0;
    let mut next = move || {
        key = (key + 1) % KEYS;
        key
    };
    g.bench_function("ready/plain", |b| {
        b.to_async(&rt).iter(|| plain_ready(next()));
    });
    g.bench_function("ready/map", |b| b.to_async(&rt).iter(|| map_ready(next())));
    g.bench_function("ready/warden", |b| {
        b.to_async(&rt).iter(|| warden_keyed_ready(next()));
    });
    g.bench_function("yield/plain", |b| {
        b.to_async(&rt).iter(|| plain_yield(next()));
    });
    g.bench_function("yield/map", |b| b.to_async(&rt).iter(|| map_yield(next())));
    g.bench_function("yield/warden", |b| {
        b.to_async(&rt).iter(|| warden_keyed_yield(next()));
    });
    g.finish();
}

/// Every group again, under a tracing subscriber (a registry with a no-op layer): both sides of
/// each pair pay for their spans, as in a service that records them.
fn traced(c: &mut Criterion) {
    common::install_subscriber();
    uncontended(c);
    contended(c);
    per_key(c);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = uncontended, contended, per_key, traced
}
criterion_main!(benches);
