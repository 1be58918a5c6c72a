//! The cost claims that can be counted: a `#[supervised]` call with no children allocates at most
//! once, its children about what a `JoinSet`'s tasks allocate, an uncontended `#[bounded]` call and a timed poll allocate nothing, and the static
//! `#[no_blocking]` check adds nothing at all. Counted with an instrumented global allocator, so
//! this file is its own test binary and runs everything on one thread.

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use warden::{Failure, bounded, no_blocking, supervised};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

async fn plain(x: u64) -> Result<u64, Failure> {
    tokio::task::yield_now().await;
    Ok(x + 1)
}

#[no_blocking]
async fn checked(x: u64) -> Result<u64, Failure> {
    tokio::task::yield_now().await;
    Ok(x + 1)
}

#[supervised]
async fn supervised_no_children(x: u64) -> Result<u64, Failure> {
    tokio::task::yield_now().await;
    Ok(x + 1)
}

#[bounded(4)]
async fn bounded_uncontended(x: u64) -> Result<u64, Failure> {
    tokio::task::yield_now().await;
    Ok(x + 1)
}

#[no_blocking(max_poll = "1s")]
async fn timed(x: u64) -> Result<u64, Failure> {
    tokio::task::yield_now().await;
    Ok(x + 1)
}

/// Allocations made by `calls` runs of `f` on `rt`, minus those of as many plain calls.
fn extra_allocations<F, Fut>(rt: &tokio::runtime::Runtime, calls: u8, f: F) -> isize
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<u64, Failure>>,
{
    let count = |run: &dyn Fn()| {
        let region = Region::new(GLOBAL);
        run();
        isize::try_from(region.change().allocations).expect("a small count")
    };
    // Warm up: statics register themselves and the runtime grows its buffers once.
    for i in 0..8 {
        rt.block_on(f(i)).unwrap();
        rt.block_on(plain(i)).unwrap();
    }
    // Three rounds, the fewest of each side: allocations from outside the measured calls (the
    // harness, a runtime driver woken under a loaded machine) can only add to a count, so the
    // minimum is the calls' own cost.
    let (mut with, mut without) = (isize::MAX, isize::MAX);
    for _ in 0..3 {
        with = with.min(count(&|| {
            for i in 0..calls {
                rt.block_on(f(u64::from(i))).unwrap();
            }
        }));
        without = without.min(count(&|| {
            for i in 0..calls {
                rt.block_on(plain(u64::from(i))).unwrap();
            }
        }));
    }
    with - without
}

/// Children of one scope: each awaited, as `JoinSet` awaits its tasks.
const CHILDREN: u64 = 64;

#[supervised]
async fn supervised_children(x: u64) -> Result<u64, Failure> {
    let mut handles = Vec::with_capacity(64);
    for i in 0..CHILDREN {
        handles.push(warden::spawn(plain(i)).await);
    }
    let mut total = x;
    for h in handles {
        total += h.await?;
    }
    Ok(total)
}

async fn joinset_children(x: u64) -> Result<u64, Failure> {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..CHILDREN {
        set.spawn(plain(i));
    }
    let mut total = x;
    while let Some(r) = set.join_next().await {
        total += r.expect("joined")?;
    }
    Ok(total)
}

#[test]
fn counted_costs() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let calls: u8 = 100;
    assert_eq!(
        extra_allocations(&rt, calls, checked),
        0,
        "static no_blocking is the plain fn"
    );
    assert_eq!(
        extra_allocations(&rt, calls, bounded_uncontended),
        0,
        "uncontended bounded calls"
    );
    assert_eq!(extra_allocations(&rt, calls, timed), 0, "timed polls");
    // A child allocates what a `JoinSet` task does (its task, where `JoinSet` adds its list
    // entry, warden a box that holds the future until it starts), plus the registry's growth
    // (a slab that doubles: a handful of allocations per scope).
    let calls_with_children = 10;
    let warden = extra_allocations(&rt, calls_with_children, supervised_children);
    let joinset = extra_allocations(&rt, calls_with_children, joinset_children);
    let per_call = |n: isize| n / isize::from(calls_with_children);
    assert!(
        per_call(warden) <= per_call(joinset) + 8,
        "{CHILDREN} children: warden {} allocations a call, JoinSet {}",
        per_call(warden),
        per_call(joinset)
    );
    let supervised = extra_allocations(&rt, calls, supervised_no_children);
    assert!(
        supervised <= isize::from(calls),
        "a supervised call without children allocates at most once: {supervised} for {calls} calls"
    );
}
