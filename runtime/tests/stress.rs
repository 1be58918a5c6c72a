//! 10,000 children under a root, some failing, then a shutdown: every child ends within the
//! grace period, none is left alive, and every failure is returned or logged exactly once.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{Capture, bounded, eventually};
use tokio::time::Instant;
use tracing::Level;
use warden_runtime::{
    BoxError, Failure, Root, ScopeConfig, cancelled, live_children, spawn_named, supervise,
};

const GROUPS: usize = 100;
const PER_GROUP: usize = 100;
const GRACE: Duration = Duration::from_secs(2);

/// Group `g` child `c` fails when both are multiples of these: 10 groups × 4 = 40 failures.
fn fails(g: usize, c: usize) -> bool {
    g.is_multiple_of(10) && c.is_multiple_of(25)
}

/// Child `c` of group `g`: counts its start, then fails (if chosen) or waits for cancellation.
async fn child(
    g: usize,
    c: usize,
    started: Arc<AtomicUsize>,
    failures_done: Arc<AtomicUsize>,
    mut go: tokio::sync::watch::Receiver<bool>,
) -> Result<(), BoxError> {
    started.fetch_add(1, Ordering::SeqCst);
    if fails(g, c) {
        // Ignores cancellation: fails even after its group was cancelled.
        go.wait_for(|go| *go).await?;
        tokio::time::sleep(Duration::from_millis(1 + c as u64 / 5)).await;
        failures_done.fetch_add(1, Ordering::SeqCst);
        return Err(format!("g{g}c{c}").into());
    }
    cancelled().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[allow(clippy::too_many_lines)] // one scenario, read top to bottom
async fn ten_thousand_children_some_failing_then_shutdown() {
    static GROUP: ScopeConfig = ScopeConfig::new("group")
        .max_children(PER_GROUP)
        .grace(GRACE);
    let capture = Capture::global();
    let started = Arc::new(AtomicUsize::new(0));
    let failures_done = Arc::new(AtomicUsize::new(0));
    let returned = Arc::new(Mutex::new(Vec::<String>::new()));
    let groups_done = Arc::new(AtomicUsize::new(0));
    let (go_tx, go_rx) = tokio::sync::watch::channel(false);

    let root = Root::new()
        .name("stress")
        .grace(GRACE)
        .max_children(GROUPS)
        .signals(false);
    let stop = root.shutdown_handle();
    let shutdown_at = Arc::new(Mutex::new(None));
    let (st, fd, ret, gd, sa) = (
        started.clone(),
        failures_done.clone(),
        returned.clone(),
        groups_done.clone(),
        shutdown_at.clone(),
    );

    let r = bounded(root.run(async move {
        for g in 0..GROUPS {
            let (st, fd, ret, gd, go) = (
                st.clone(),
                fd.clone(),
                ret.clone(),
                gd.clone(),
                go_rx.clone(),
            );
            let group = async move {
                let r: Result<(), Failure> = supervise(&GROUP, async move {
                    for c in 0..PER_GROUP {
                        let child = child(g, c, st.clone(), fd.clone(), go.clone());
                        drop(spawn_named(format!("g{g}c{c}"), child).await);
                    }
                    cancelled().await;
                    Ok(())
                })
                .await;
                match r {
                    Err(Failure::Child { error, .. }) => {
                        ret.lock().unwrap().push(error.to_string());
                    }
                    Err(Failure::Cancelled { .. }) => {}
                    other => panic!("group {g} ended with {other:?}"),
                }
                gd.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Failure>(())
            };
            drop(spawn_named(format!("group{g}"), group).await);
        }
        eventually("all children started", || {
            st.load(Ordering::SeqCst) == GROUPS * PER_GROUP
        })
        .await;
        assert_eq!(live_children(), GROUPS + GROUPS * PER_GROUP);
        go_tx.send(true).expect("failing children listen");
        eventually("all failures happened", || fd.load(Ordering::SeqCst) == 40).await;
        eventually("failing groups returned", || {
            gd.load(Ordering::SeqCst) == 10
        })
        .await;
        *sa.lock().unwrap() = Some(Instant::now());
        stop.shutdown();
        cancelled().await;
    }))
    .await;

    let shutdown_took = shutdown_at
        .lock()
        .unwrap()
        .expect("main reached the shutdown")
        .elapsed();
    r.expect("main finished within the grace period");
    assert!(
        shutdown_took < GRACE,
        "the tree took {shutdown_took:?} to stop"
    );
    assert_eq!(live_children(), 0, "a task outlived the root");
    assert_eq!(groups_done.load(Ordering::SeqCst), GROUPS);

    // Every failure exactly once: either returned by its group or logged at error level.
    let returned = returned.lock().unwrap().clone();
    assert_eq!(returned.len(), 10, "one returned failure per failing group");
    let errors = capture.at(Level::ERROR);
    assert_eq!(errors.len(), 30, "{errors:#?}");
    for g in (0..GROUPS).step_by(10) {
        for c in (0..PER_GROUP).step_by(25) {
            let name = format!("g{g}c{c}");
            let in_returned = returned.iter().filter(|e| **e == name).count();
            let in_logs = errors
                .iter()
                .filter(|e| e.text().contains(&format!("failed: {name}")))
                .count();
            assert_eq!(
                in_returned + in_logs,
                1,
                "failure {name}: returned {in_returned}, logged {in_logs}"
            );
        }
    }
    assert_eq!(
        capture.count(Level::WARN, "aborted"),
        0,
        "no child needed aborting"
    );
}
