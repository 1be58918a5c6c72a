//! The children sides `benches/supervised.rs` and `benches/children_ab.rs` both measure: N
//! children that each return their index, spawned by warden in a scope, by a `JoinSet`, and by
//! a `TaskTracker` whose children race a child `CancellationToken` (the nearest hand-written
//! equivalent in guarantees).

use std::hint::black_box;

use tokio::task::{JoinError, JoinSet, yield_now};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use warden::{Failure, supervised};

/// One child's work: its index back, after one yield or none.
async fn child(i: u64, yields: bool) -> Result<u64, Failure> {
    if yields {
        yield_now().await;
    }
    Ok(black_box(i))
}

/// Spawns `n` children into the current scope with `warden::spawn` and sums what their handles
/// give, awaited in order.
async fn spawn_and_sum(n: u64, yields: bool) -> Result<u64, Failure> {
    let mut handles = Vec::new();
    for i in 0..n {
        handles.push(warden::spawn(child(i, yields)).await);
    }
    let mut total = 0;
    for handle in handles {
        total += handle.await?;
    }
    Ok(total)
}

/// `n` warden children in a scope with the default `max_children` (1,024): above it the
/// spawning loop waits for slots.
#[allow(
    dead_code,
    reason = "children_ab compares like for like, with `warden_wide` only"
)]
#[supervised]
pub async fn warden(n: u64, yields: bool) -> Result<u64, Failure> {
    spawn_and_sum(n, yields).await
}

/// `n` warden children in a scope whose limit is above every width: like `JoinSet` and
/// `TaskTracker`, every child may be live at once, so the spawning loop never waits.
#[supervised(max_children = 100_000)]
pub async fn warden_wide(n: u64, yields: bool) -> Result<u64, Failure> {
    spawn_and_sum(n, yields).await
}

fn join_failure(_: JoinError) -> Failure {
    Failure::Cancelled {
        scope: "by_hand".into(),
    }
}

/// `n` children of a `JoinSet`, joined as they end.
pub async fn joinset(n: u64, yields: bool) -> Result<u64, Failure> {
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(child(i, yields));
    }
    let mut total = 0;
    while let Some(joined) = set.join_next().await {
        total += joined.map_err(join_failure)??;
    }
    Ok(total)
}

/// `n` children of a `TaskTracker`, each raced against a child of `shutdown`, handles awaited
/// in order, then the tracker closed and waited for.
pub async fn tracker(n: u64, yields: bool, shutdown: &CancellationToken) -> Result<u64, Failure> {
    let tracker = TaskTracker::new();
    let token = shutdown.child_token();
    let mut handles = Vec::new();
    for i in 0..n {
        let token = token.clone();
        handles.push(tracker.spawn(async move {
            tokio::select! {
                biased;
                () = token.cancelled() => Err(Failure::Cancelled { scope: "by_hand".into() }),
                out = child(i, yields) => out,
            }
        }));
    }
    tracker.close();
    let mut total = 0;
    for handle in handles {
        total += handle.await.map_err(join_failure)??;
    }
    tracker.wait().await;
    Ok(total)
}
