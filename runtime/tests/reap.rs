//! A scope that spawns many short children over its life holds only the live ones.

mod support;

use support::bounded;
use warden_runtime::metrics::{live_children, scope_stats};
use warden_runtime::{Failure, ScopeConfig, spawn, supervise};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_short_children_are_reaped_as_they_finish() {
    static CFG: ScopeConfig = ScopeConfig::new("reaper").max_children(64);
    const N: u64 = 100_000;
    let r: Result<usize, Failure> = bounded(supervise(&CFG, || async {
        let mut peak = 0;
        for i in 0..N {
            drop(spawn(async move { Ok::<_, Failure>(i) }).await);
            let live = scope_stats().expect("in scope").live;
            peak = peak.max(live);
            assert!(live <= 64, "live children exceeded the bound: {live}");
        }
        Ok(peak)
    }))
    .await;
    let peak = r.expect("no child failed");
    assert!(peak <= 64);
    assert_eq!(live_children(), 0, "the scope returned with live children");
}
