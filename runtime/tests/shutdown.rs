//! The root: shutdown order (cancel, grace, abort, report), failures under the root, and no
//! task left alive. Tests here assert the process-wide live count, so they run one at a time.

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use support::{Capture, bounded, cleans_up, eventually, flag, is_set, stubborn};
use tokio::time::Instant;
use tracing::Level;
use warden_runtime::metrics::live_children;
use warden_runtime::{
    Failure, Root, ScopeConfig, ShutdownHandle, cancelled, spawn_named, supervise,
};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(start_paused = true)]
async fn shutdown_cancels_gives_grace_then_aborts_and_reports_stragglers() {
    static SERVER: ScopeConfig = ScopeConfig::new("server").grace(Duration::from_secs(60));
    let _serial = SERIAL.lock().await;
    let (capture, _g) = Capture::install();
    let root = Root::new()
        .name("app")
        .grace(Duration::from_millis(300))
        .signals(false);
    let stop = root.shutdown_handle();
    let (polite_done, stubborn_dropped, deep_dropped) = (flag(), flag(), flag());
    let (p, s, d) = (
        polite_done.clone(),
        stubborn_dropped.clone(),
        deep_dropped.clone(),
    );

    let stopper = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stopper.shutdown();
    });
    let started = Instant::now();
    let r = bounded(root.run(async move {
        drop(spawn_named("polite", cleans_up(Duration::from_millis(50), p)).await);
        drop(spawn_named("stubborn", stubborn(s)).await);
        // A supervised scope in `main` with a child that ignores cancellation: its own grace
        // (60 s) is longer than the root's, so the root cuts it off.
        let served: Result<(), Failure> = supervise(&SERVER, move || {
            let d = d.clone();
            async move {
                drop(spawn_named("deep", stubborn(d)).await);
                std::future::pending::<()>().await;
                Ok(())
            }
        })
        .await;
        served
    }))
    .await;

    let elapsed = started.elapsed();
    assert!(stop.is_shutdown());
    assert!(
        matches!(&r, Err(Failure::Cancelled { scope }) if scope == "app"),
        "{r:?}"
    );
    assert!(
        is_set(&polite_done),
        "the polite child did not get its grace"
    );
    assert!(
        is_set(&stubborn_dropped) && is_set(&deep_dropped),
        "stragglers were not aborted"
    );
    // Shutdown at 100 ms, grace 300 ms.
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_millis(500),
        "{elapsed:?}"
    );
    assert_eq!(live_children(), 0);
    // Stragglers are reported by the scope that aborted them.
    assert_eq!(
        capture.count(Level::WARN, "stubborn"),
        1,
        "{:#?}",
        capture.events()
    );
    assert_eq!(
        capture.count(Level::WARN, "scope=server"),
        1,
        "{:#?}",
        capture.events()
    );
    assert_eq!(capture.count(Level::WARN, "deep"), 1);
    assert_eq!(capture.count(Level::WARN, "main future did not finish"), 1);
    assert_eq!(capture.count(Level::INFO, "shutdown complete"), 1);
    assert_eq!(capture.at(Level::ERROR).len(), 0);
}

#[tokio::test(start_paused = true)]
async fn main_that_finishes_during_grace_returns_its_value() {
    let _serial = SERIAL.lock().await;
    let root = Root::new().grace(Duration::from_secs(1)).signals(false);
    let r = bounded(root.run(async {
        let handle = ShutdownHandle::current().expect("inside the root");
        drop(
            spawn_named("worker", async {
                cancelled().await;
                Ok::<_, Failure>(())
            })
            .await,
        );
        handle.shutdown();
        cancelled().await;
        42
    }))
    .await;
    assert_eq!(r.expect("main finished in its grace"), 42);
    assert_eq!(live_children(), 0);
}

#[tokio::test(start_paused = true)]
async fn main_returning_waits_for_root_children() {
    let _serial = SERIAL.lock().await;
    let done = flag();
    let d = done.clone();
    let r = bounded(Root::new().signals(false).run(async move {
        drop(
            spawn_named("background", async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                d.store(true, Ordering::SeqCst);
                Ok::<_, Failure>(())
            })
            .await,
        );
        "main done"
    }))
    .await;
    assert_eq!(r.expect("ok"), "main done");
    assert!(is_set(&done), "the root returned before its child finished");
}

#[tokio::test(start_paused = true)]
async fn an_unowned_child_failure_under_the_root_shuts_the_tree_down() {
    let _serial = SERIAL.lock().await;
    let (capture, _g) = Capture::install();
    let root = Root::new().grace(Duration::from_secs(1)).signals(false);
    let stop = root.shutdown_handle();
    let r = bounded(root.run(async {
        drop(spawn_named("db", async { Err::<(), _>("connection lost") }).await);
        cancelled().await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }))
    .await;
    assert!(
        matches!(&r, Err(Failure::Child { child, .. }) if child == "db"),
        "{r:?}"
    );
    assert!(stop.is_shutdown());
    assert_eq!(
        capture.at(Level::ERROR).len(),
        0,
        "the returned failure was logged too"
    );
    assert_eq!(live_children(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_main_is_a_failure_and_children_still_end() {
    let _serial = SERIAL.lock().await;
    let saw = flag();
    let s = saw.clone();
    let r = bounded(Root::new().signals(false).run(async move {
        drop(
            spawn_named("worker", async move {
                cancelled().await;
                s.store(true, Ordering::SeqCst);
                Ok::<_, Failure>(())
            })
            .await,
        );
        tokio::task::yield_now().await;
        panic!("main broke");
    }))
    .await;
    assert!(
        matches!(&r, Err(Failure::Panicked { message, .. }) if message == "main broke"),
        "{r:?}"
    );
    assert!(is_set(&saw));
    eventually("no task left", || live_children() == 0).await;
}
