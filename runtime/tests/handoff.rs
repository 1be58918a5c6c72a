//! A child's failure goes to exactly one side, its awaited handle or its scope, even when the
//! handle is dropped on one thread just as the child ends on another: the scope returns the
//! failure (never only logs it), and an awaited handle's failure never reaches the scope.
//!
//! Each iteration races the two on a multi-thread runtime, the body spinning a different
//! number of turns before it drops (or awaits) the handle, so that some drops land before the
//! child ends, some after, and some while its task completes.

mod support;

use support::{Capture, bounded};
use tracing::Level;
use warden_runtime::{Failure, ScopeConfig, spawn_named, supervise};

const ROUNDS: u32 = 10_000;

/// Spins `turns` times: a few hundred nanoseconds at most, to move the drop across the end.
fn spin(turns: u32) {
    for _ in 0..turns {
        std::hint::spin_loop();
    }
}

/// Errors logged about scope `scope` (both tests share the process's capture).
fn errors_of(capture: &Capture, scope: &str) -> usize {
    capture
        .at(Level::ERROR)
        .iter()
        .filter(|e| e.field("scope") == Some(scope))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handle_dropped_as_its_child_ends_leaves_the_failure_to_the_scope() {
    static CFG: ScopeConfig = ScopeConfig::new("race");
    let capture = Capture::global();
    for round in 0..ROUNDS {
        let r: Result<(), Failure> = bounded(supervise(&CFG, || async move {
            let h = spawn_named("racer", async { Err::<(), _>("mine") }).await;
            spin(round % 400);
            drop(h);
            Ok(())
        }))
        .await;
        assert!(
            matches!(&r, Err(Failure::Child { child, .. }) if child == "racer"),
            "round {round}: {r:?}"
        );
    }
    assert_eq!(
        errors_of(&capture, "race"),
        0,
        "a failure was logged, not returned"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handle_awaited_as_its_child_ends_takes_the_failure_alone() {
    static CFG: ScopeConfig = ScopeConfig::new("owned");
    let capture = Capture::global();
    for round in 0..ROUNDS {
        let r: Result<(), Failure> = bounded(supervise(&CFG, || async move {
            let h = spawn_named("racer", async { Err::<(), _>("mine") }).await;
            spin(round % 400);
            let owned = h.await;
            assert!(matches!(owned, Err(Failure::Child { .. })), "{owned:?}");
            Ok(())
        }))
        .await;
        assert!(
            r.is_ok(),
            "round {round}: the scope got an owned failure: {r:?}"
        );
    }
    assert_eq!(
        errors_of(&capture, "owned"),
        0,
        "an owned failure was logged"
    );
}
