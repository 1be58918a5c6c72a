//! Memory follows what is live (issue 13): the heap bytes a live child holds, next to what
//! `JoinSet` holds per task, and a per-key bound's map after a million distinct keys. Counted
//! with the instrumented global allocator `tests/allocations.rs` uses, so this file is its own
//! test binary with one test (the counters are process-wide).
//!
//! What it asserts is behaviour, not a size: the bytes are given back once the children (or
//! the keys' calls) end, and the cost per child stays flat as the width grows. The figures
//! themselves are printed for BENCHMARKS.md: `cargo test --test memory -- --nocapture`.

use std::alloc::System;
use std::sync::atomic::{AtomicU64, Ordering};

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use warden::{Failure, bounded, supervised};

/// The counters are process-wide, and the test harness allocates as it starts each test's
/// thread: one test, whose parts run one after the other.
#[test]
fn memory_follows_what_is_live() {
    a_live_child_holds_a_flat_number_of_bytes_and_gives_them_back();
    a_million_distinct_keys_passing_through_leave_nothing_behind();
}

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Children that reached their await, so far.
static PARKED: AtomicU64 = AtomicU64::new(0);

/// Every child: parked until released, then returns a small value, the same for both sides.
async fn child(release: CancellationToken, i: u64) -> Result<u64, Failure> {
    PARKED.fetch_add(1, Ordering::SeqCst);
    release.cancelled().await;
    Ok(i)
}

/// Bytes allocated and not freed since `region` began.
fn held(region: &Region<'_, System>) -> isize {
    let c = region.change();
    isize::try_from(c.bytes_allocated).expect("small")
        - isize::try_from(c.bytes_deallocated).expect("small")
}

/// Lets every one of the `n` spawned children run to its await.
async fn parked(n: u64) {
    while PARKED.load(Ordering::SeqCst) < n {
        tokio::task::yield_now().await;
    }
    PARKED.store(0, Ordering::SeqCst);
}

/// Lets the runtime drop what the ended tasks left (a few turns).
async fn settle() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

/// Net heap bytes per live `JoinSet` task with `n` tasks parked, and what is left after.
async fn joinset(n: u64) -> (isize, isize) {
    let release = CancellationToken::new();
    let region = Region::new(GLOBAL);
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(child(release.clone(), i));
    }
    parked(n).await;
    let live = held(&region);
    release.cancel();
    while set.join_next().await.is_some() {}
    drop(set);
    settle().await;
    (live / isize::try_from(n).expect("small"), held(&region))
}

/// Net heap bytes per live warden child with `n` children parked (their handles kept in a
/// vector allocated beforehand, as the `JoinSet` keeps its own).
#[supervised]
async fn warden_children(n: u64) -> Result<isize, Failure> {
    let release = CancellationToken::new();
    let mut handles = Vec::with_capacity(usize::try_from(n).expect("small"));
    let region = Region::new(GLOBAL);
    for i in 0..n {
        handles.push(warden::spawn(child(release.clone(), i)).await);
    }
    parked(n).await;
    let live = held(&region);
    release.cancel();
    for h in handles.drain(..) {
        h.await?;
    }
    Ok(live / isize::try_from(n).expect("small"))
}

/// [`warden_children`], and what is left once its scope ended.
async fn warden(n: u64) -> (isize, isize) {
    let region = Region::new(GLOBAL);
    let live = warden_children(n).await.expect("the scope");
    settle().await;
    (live, held(&region))
}

fn a_live_child_holds_a_flat_number_of_bytes_and_gives_them_back() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Warm up: statics, the runtime's queues, the scope's registry at its largest width.
    rt.block_on(joinset(1_000));
    rt.block_on(warden(1_000));
    let mut per_child = Vec::new();
    for n in [100, 1_000] {
        let (set, set_left) = rt.block_on(joinset(n));
        let (warden, warden_left) = rt.block_on(warden(n));
        #[allow(clippy::cast_precision_loss, reason = "small byte counts")]
        let ratio = warden as f64 / set as f64;
        println!(
            "{n} live children: JoinSet {set} B a task, warden {warden} B a child ({ratio:.2}x); \
             left after: {set_left} B, {warden_left} B"
        );
        // Everything a child held is given back once it ended. What may stay is the scope's
        // own allocation (about 500 B): the live tree's list of this thread's scopes holds a
        // weak reference to it until the list is next pruned.
        assert!(
            warden_left <= 1024,
            "{warden_left} B left after {n} warden children ended"
        );
        per_child.push(warden);
    }
    // Flat: ten times the children, about the same bytes each (the registry grows by
    // doubling, so within a factor of 1.5).
    assert!(
        per_child[1] * 2 <= per_child[0] * 3 && per_child[0] * 2 <= per_child[1] * 3,
        "bytes per child {per_child:?} at 100 and 1,000 children"
    );
}

#[bounded(2, per = key)]
async fn per_key(key: u64) -> u64 {
    tokio::task::yield_now().await;
    key
}

fn a_million_distinct_keys_passing_through_leave_nothing_behind() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let batches = |range: std::ops::Range<u64>, region: Option<&Region<'_, System>>| {
        let mut peak = 0;
        rt.block_on(async {
            for batch in range {
                let calls: Vec<_> = (0..1_000).map(|i| per_key(batch * 1_000 + i)).collect();
                let mut set = JoinSet::new();
                for call in calls {
                    set.spawn(call);
                }
                tokio::task::yield_now().await;
                peak = peak.max(region.map_or(0, held));
                while set.join_next().await.is_some() {}
            }
        });
        peak
    };
    // Warm up: the bound registers itself (metrics), the runtime's run queue grows to a
    // thousand tasks.
    batches(1_000..1_001, None);
    let region = Region::new(GLOBAL);
    // A thousand keys in flight at once, a thousand times over: a million distinct keys.
    let peak = batches(0..1_000, Some(&region));
    let left = held(&region);
    println!("1,000,000 distinct keys, 1,000 in flight: peak {peak} B, left after {left} B");
    // The map shrinks once the keys are gone: what is left is its minimum capacity at most.
    assert!(left <= 4 * 1024, "{left} B left after a million keys");
    assert!(peak > 0, "nothing counted while keys were in flight");
}
