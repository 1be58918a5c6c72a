//! The futures warden generates stay about the size of the code they wrap.
//!
//! Regression: each runtime wrapper was an `async fn` taking the body's future by value, so the
//! body was stored twice per layer (as the argument and as the awaited local, rustc#62958), and
//! the macro's own `async move` layers added more copies. A handler holding a 4 KiB buffer made
//! an accept loop's future reach 918 KB and overflow the main thread's stack, and
//! `clippy::large_futures` fired in users' crates.
//!
//! Each body below holds a 1 KiB buffer across an await. The bound for each fn is the plain fn's
//! size plus [`LAYER`] bytes per attribute layer: the layer's own state (a permit, a clock, a
//! scope's handles), never a second copy of the body. Sizes are a compile-time property of the
//! types, so these asserts are deterministic.

#![deny(unused_qualifications)]
#![forbid(unsafe_code)]
// A large by-value argument is the point of some of these fns: it is what the macros copied.
#![allow(clippy::large_types_passed_by_value)]

use std::hash::Hash;
use std::mem::size_of_val;

use warden::{Failure, bounded, no_blocking, supervised};

/// What one attribute layer may add to the body it wraps. A body stored twice would add 1 KiB.
const LAYER: usize = 512;

/// The buffer every body holds across an await.
const BUF: usize = 1024;

async fn plain(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[bounded(4)]
async fn bounded_wait(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[bounded(4, reject)]
async fn bounded_reject(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[bounded(4, wait = "50ms")]
async fn bounded_wait_for(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[bounded(2, per = key)]
async fn bounded_per_key<K: Hash + Eq + Clone + Send + Sync + 'static>(
    key: K,
    n: u8,
) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    drop(key);
    Ok(std::hint::black_box(&buf).len())
}

#[bounded(2, per = key, reject)]
async fn bounded_per_key_reject(key: u64, n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len() + usize::from(key == 0))
}

#[no_blocking(max_poll = "10ms")]
async fn timed(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[supervised]
async fn scoped(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[supervised(restart = "on_failure", backoff = "1ms..1ms")]
async fn restarting(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[supervised(max_poll = "10ms")]
#[bounded(4, reject)]
async fn stacked(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[bounded(4)]
#[supervised(max_poll = "10ms")]
async fn stacked_other_order(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[no_blocking(max_poll = "10ms")]
#[supervised(timeout = "1s")]
#[bounded(4, wait = "50ms")]
async fn three_layers(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

/// The buffer as a by-value argument: an async fn keeps its arguments, and so did every
/// `async move` block the macros added around an inner call.
async fn plain_arg(buf: [u8; BUF]) -> Result<usize, Failure> {
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[supervised]
async fn scoped_arg(buf: [u8; BUF]) -> Result<usize, Failure> {
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[supervised(max_poll = "10ms")]
#[bounded(4, reject)]
async fn stacked_arg(buf: [u8; BUF]) -> Result<usize, Failure> {
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

#[no_blocking(max_poll = "10ms")]
#[bounded(4)]
#[supervised(timeout = "1s")]
async fn three_layers_arg(buf: [u8; BUF]) -> Result<usize, Failure> {
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

async fn child(n: u8) -> Result<usize, Failure> {
    let buf = [n; BUF];
    tokio::task::yield_now().await;
    Ok(std::hint::black_box(&buf).len())
}

/// A caller of `warden::spawn` holds the spawn future while it waits for a slot.
async fn spawner(n: u8) -> Result<usize, Failure> {
    let handle = warden::spawn(child(n)).await;
    handle.await
}

/// Fails with the sizes of every fn, so one failure shows the whole picture.
#[track_caller]
fn check(name: &str, size: usize, layers: usize, base: usize) {
    let bound = base + layers * LAYER;
    assert!(
        size <= bound,
        "`{name}`'s future is {size} B, above the {bound} B allowed ({base} B plain + \
         {layers} × {LAYER} B): a layer stores the body more than once"
    );
}

#[test]
fn attribute_futures_store_the_body_once() {
    let base = size_of_val(&plain(1));
    assert!(base >= BUF, "the plain body holds its buffer: {base} B");
    let sizes = [
        ("bounded(4)", size_of_val(&bounded_wait(1)), 1),
        ("bounded(4, reject)", size_of_val(&bounded_reject(1)), 1),
        (
            "bounded(4, wait = ..)",
            size_of_val(&bounded_wait_for(1)),
            1,
        ),
        (
            "bounded(2, per = key)",
            size_of_val(&bounded_per_key(7u64, 1)),
            1,
        ),
        (
            "bounded(2, per = key, reject)",
            size_of_val(&bounded_per_key_reject(7, 1)),
            1,
        ),
        ("no_blocking(max_poll)", size_of_val(&timed(1)), 1),
        ("supervised", size_of_val(&scoped(1)), 1),
        ("supervised(restart)", size_of_val(&restarting(1)), 1),
        (
            "supervised(max_poll) + bounded(reject)",
            size_of_val(&stacked(1)),
            3,
        ),
        (
            "bounded + supervised(max_poll)",
            size_of_val(&stacked_other_order(1)),
            3,
        ),
        (
            "no_blocking + supervised + bounded",
            size_of_val(&three_layers(1)),
            3,
        ),
    ];
    for (name, size, _) in &sizes {
        eprintln!("{name:<40} {size:>6} B (plain {base} B)");
    }
    for (name, size, layers) in sizes {
        check(name, size, layers, base);
    }
}

/// What a `#[bounded(n)]` layer may add to a body larger than the semaphore's wait: the
/// permit, the stage's tag, a `WaitFor` timer's box, the outer fn's copy of the arguments.
const BOUND_STATE: usize = 64;

/// Every spawn copies a future's bytes: in the contended benchmark (BENCHMARKS.md, issue 13) a
/// raw semaphore's future padded to the size `#[bounded]` had then cost as much as warden. The
/// body is now made once the permit is held, so the semaphore's wait (88 B) and the body share
/// their bytes: before, the bound added the wait and more to every body (136 B to this one).
#[test]
fn a_bounded_layer_shares_the_bodys_bytes_with_its_wait() {
    static SEMAPHORE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let wait = size_of_val(&SEMAPHORE.acquire());
    let base = size_of_val(&plain(1));
    assert!(
        base > wait,
        "the body ({base} B) is larger than the wait ({wait} B)"
    );
    for (name, size) in [
        ("bounded(4)", size_of_val(&bounded_wait(1))),
        ("bounded(4, reject)", size_of_val(&bounded_reject(1))),
        ("bounded(4, wait = ..)", size_of_val(&bounded_wait_for(1))),
    ] {
        let added = size - base;
        assert!(
            added <= BOUND_STATE,
            "`{name}` adds {added} B to its body, above {BOUND_STATE} B: the semaphore's wait \
             ({wait} B) is stored beside the body"
        );
    }
}

/// The benchmark's shape: a small body under `#[bounded(8)]`, and the same body behind a raw
/// semaphore's permit.
mod small {
    use std::hint::black_box;

    use tokio::sync::Semaphore;
    use tokio::task::yield_now;
    use warden::bounded;

    static SEMAPHORE: Semaphore = Semaphore::const_new(8);

    #[bounded(8)]
    pub(super) async fn warden_ready(x: u64) -> u64 {
        black_box(x) + 1
    }

    #[bounded(8)]
    pub(super) async fn warden_yield(x: u64) -> u64 {
        yield_now().await;
        black_box(x) + 1
    }

    #[allow(
        clippy::unused_async,
        reason = "the benchmark's `ready` body: no suspension point"
    )]
    async fn plain_ready(x: u64) -> u64 {
        black_box(x) + 1
    }

    async fn plain_yield(x: u64) -> u64 {
        yield_now().await;
        black_box(x) + 1
    }

    pub(super) async fn semaphore_ready(x: u64) -> u64 {
        let _permit = SEMAPHORE.acquire().await.expect("never closed");
        plain_ready(x).await
    }

    pub(super) async fn semaphore_yield(x: u64) -> u64 {
        let _permit = SEMAPHORE.acquire().await.expect("never closed");
        plain_yield(x).await
    }
}

/// A small `#[bounded(8)]` fn is the raw semaphore fn's size and one word: the fn's arguments,
/// kept by the `async fn` and by the closure that makes the body. Before the body was made
/// lazily it was 176 B where the raw fn is 112 B (160 B for `ready`).
#[test]
fn a_small_bounded_fn_is_a_raw_semaphore_fn_and_a_word() {
    for (name, warden, raw) in [
        (
            "ready",
            size_of_val(&small::warden_ready(1)),
            size_of_val(&small::semaphore_ready(1)),
        ),
        (
            "yield",
            size_of_val(&small::warden_yield(1)),
            size_of_val(&small::semaphore_yield(1)),
        ),
    ] {
        eprintln!("{name}: #[bounded(8)] {warden} B, raw semaphore {raw} B");
        assert!(
            warden <= raw + 8,
            "`#[bounded(8)]` `{name}` is {warden} B where the raw semaphore fn is {raw} B"
        );
    }
}

#[test]
fn attribute_futures_store_the_arguments_once_more_at_most() {
    let buf = [1u8; BUF];
    // A plain async fn already holds a by-value argument twice (argument and local).
    let base = size_of_val(&plain_arg(buf));
    assert!(base >= 2 * BUF, "the plain fn holds its argument: {base} B");
    let sizes = [
        ("supervised", size_of_val(&scoped_arg(buf)), 1),
        (
            "supervised(max_poll) + bounded(reject)",
            size_of_val(&stacked_arg(buf)),
            3,
        ),
        (
            "no_blocking + bounded + supervised",
            size_of_val(&three_layers_arg(buf)),
            3,
        ),
    ];
    for (name, size, _) in &sizes {
        eprintln!("{name:<40} {size:>6} B (plain {base} B, 1 KiB argument)");
    }
    for (name, size, layers) in sizes {
        check(name, size, layers, base);
    }
}

#[test]
fn spawn_stores_the_child_future_once() {
    let body = size_of_val(&child(1));
    let spawn = size_of_val(&warden::spawn(child(1)));
    let named = size_of_val(&warden::spawn_named("named", child(1)));
    let caller = size_of_val(&spawner(1));
    eprintln!("child {body} B, spawn {spawn} B, spawn_named {named} B, caller {caller} B");
    // The child's future is boxed before waiting for a slot: tokio boxes it into its task anyway.
    assert!(spawn < LAYER, "`warden::spawn`'s future is {spawn} B");
    assert!(named < LAYER, "`warden::spawn_named`'s future is {named} B");
    assert!(caller < LAYER, "a caller of `warden::spawn` is {caller} B");
}

#[test]
fn offload_stores_the_closure_once() {
    let buf = [1u8; BUF];
    let work = move || std::hint::black_box(&buf).len();
    let closure = size_of_val(&work);
    let offload = size_of_val(&warden::offload(work));
    let with_token = size_of_val(&warden::offload_with_token(move |_token| {
        std::hint::black_box(&buf).len()
    }));
    eprintln!("closure {closure} B, offload {offload} B, offload_with_token {with_token} B");
    // `offload` already stored its closure once (an `async move` built by a plain fn): the
    // span, the call site, the token and the join handle come on top, nothing the closure's size.
    for (name, size) in [("offload", offload), ("offload_with_token", with_token)] {
        assert!(
            size <= closure + 128,
            "`{name}`'s future is {size} B for a {closure} B closure"
        );
    }
}

#[tokio::test]
async fn the_measured_fns_still_run() {
    assert_eq!(plain(1).await.unwrap(), BUF);
    assert_eq!(bounded_wait(1).await.unwrap(), BUF);
    assert_eq!(small::warden_ready(1).await, 2);
    assert_eq!(tokio::spawn(small::warden_yield(1)).await.unwrap(), 2);
    assert_eq!(small::semaphore_ready(1).await, 2);
    assert_eq!(small::semaphore_yield(1).await, 2);
    assert_eq!(bounded_reject(1).await.unwrap(), BUF);
    assert_eq!(bounded_wait_for(1).await.unwrap(), BUF);
    assert_eq!(bounded_per_key("k", 1).await.unwrap(), BUF);
    assert_eq!(bounded_per_key_reject(7, 1).await.unwrap(), BUF);
    assert_eq!(timed(1).await.unwrap(), BUF);
    assert_eq!(scoped(1).await.unwrap(), BUF);
    assert_eq!(restarting(1).await.unwrap(), BUF);
    assert_eq!(stacked(1).await.unwrap(), BUF);
    assert_eq!(stacked_other_order(1).await.unwrap(), BUF);
    assert_eq!(three_layers(1).await.unwrap(), BUF);
    assert_eq!(plain_arg([1; BUF]).await.unwrap(), BUF);
    assert_eq!(scoped_arg([1; BUF]).await.unwrap(), BUF);
    assert_eq!(stacked_arg([1; BUF]).await.unwrap(), BUF);
    assert_eq!(three_layers_arg([1; BUF]).await.unwrap(), BUF);
    assert_eq!(spawner(1).await.unwrap(), BUF);
    assert_eq!(warden::offload(|| BUF).await.unwrap(), BUF);
}
