//! No task outside the tree (issue 12): under a running `Root`, a `warden::spawn` outside any
//! scope and an offloaded closure belong to the root; its shutdown cancels them, drains them
//! within its grace, and names what it leaves behind. Tests here assert the process-wide live
//! count and use the process-wide list of running roots, so they run one at a time.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use support::{Capture, DropFlag, bounded, eventually, flag, is_set, stubborn};
use tokio::time::Instant;
use tracing::Level;
use warden_runtime::metrics::{live_children, scope_stats};
use warden_runtime::{
    Failure, Root, ScopeConfig, cancelled, is_cancelled, offload, offload_with_token, spawn,
    spawn_named, supervise,
};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A root for tests: no signal handlers, a short grace.
fn root(grace: Duration) -> Root {
    Root::new().name("app").grace(grace).signals(false)
}

#[tokio::test(start_paused = true)]
async fn a_spawn_outside_any_scope_is_a_child_of_the_running_root() {
    let _serial = SERIAL.lock().await;
    let (capture, _g) = Capture::install();
    let root = root(Duration::from_millis(200));
    let stop = root.shutdown_handle();
    let (polite_saw, stubborn_dropped) = (flag(), flag());
    let (p, s) = (polite_saw.clone(), stubborn_dropped.clone());
    let started = Instant::now();
    let r = bounded(root.run(async move {
        // A plain task, as a server spawns per connection: outside any scope.
        let plain = tokio::spawn(async move {
            assert!(scope_stats().is_none(), "a plain task is in no scope");
            drop(
                spawn_named("polite", async move {
                    cancelled().await;
                    p.store(is_cancelled(), Ordering::SeqCst);
                })
                .await,
            );
            drop(spawn_named("stubborn", stubborn(s)).await);
        });
        plain.await.expect("the plain task");
        // Both are the root's children: counted in the process and in the root's stats.
        assert_eq!(live_children(), 2);
        let stats = scope_stats().expect("main runs in the root's scope");
        assert_eq!((stats.live, stats.spawned), (2, 2));
        stop.shutdown();
        cancelled().await;
    }))
    .await;
    // `main` saw the shutdown and returned within the grace: its value is the result.
    assert!(r.is_ok(), "{r:?}");
    assert!(is_set(&polite_saw), "the shutdown did not reach the child");
    assert!(
        is_set(&stubborn_dropped),
        "the stubborn child was not aborted"
    );
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(200),
        "drained within the grace"
    );
    assert_eq!(live_children(), 0);
    let aborted = capture.events_with("children", "stubborn");
    assert_eq!(aborted.len(), 1, "{:#?}", capture.events());
    assert_eq!(aborted[0].field("scope"), Some("app"));
}

#[tokio::test(start_paused = true)]
async fn with_no_root_a_spawn_outside_any_scope_joins_the_global_scope() {
    let _serial = SERIAL.lock().await;
    let handle = spawn(async { 7u8.checked_add(1).ok_or("overflow") }).await;
    assert_eq!(handle.await.expect("the child's value"), 8);
    // A root that ended is no longer the owner: the next spawn is global again.
    let r = bounded(root(Duration::from_millis(10)).run(async {})).await;
    assert!(r.is_ok());
    let handle = spawn(async {}).await;
    assert!(!is_cancelled(), "the global scope is never cancelled");
    handle.await.expect("a unit child");
    assert_eq!(live_children(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_scope_stopped_by_a_shutdown_gives_its_children_the_roots_deadline() {
    static INNER: ScopeConfig = ScopeConfig::new("inner");
    let _serial = SERIAL.lock().await;
    let root = root(Duration::from_millis(300));
    let stop = root.shutdown_handle();
    let cleaned = flag();
    let c = cleaned.clone();
    let started = Instant::now();
    let r = bounded(root.run(async move {
        let inner: Result<(), Failure> = supervise(&INNER, move || {
            let c = c.clone();
            async move {
                drop(
                    spawn(async move {
                        cancelled().await;
                        // Cleanup that takes most of the root's grace, not a grace of its own.
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        c.store(true, Ordering::SeqCst);
                    })
                    .await,
                );
                std::future::pending::<()>().await;
                Ok(())
            }
        })
        .await;
        inner
    }));
    let (r, ()) = tokio::join!(r, async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.shutdown();
    });
    assert!(is_set(&cleaned), "the child did not get the root's grace");
    assert!(matches!(r, Ok(Err(Failure::Cancelled { .. }))), "{r:?}");
    assert_eq!(started.elapsed(), Duration::from_millis(350));
    assert_eq!(live_children(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offload_still_running_at_shutdown_is_named_in_the_report() {
    let _serial = SERIAL.lock().await;
    let capture = Capture::global();
    let root = root(Duration::from_millis(100));
    let stop = root.shutdown_handle();
    let release = Arc::new(AtomicBool::new(false));
    let r = release.clone();
    // Set when this test ends, also by a failed assert: the runtime's drop waits for the thread.
    let _release = DropFlag(release.clone());
    let started = Instant::now();
    let outcome = bounded(root.run(async move {
        // The awaiting child is aborted by the shutdown; the thread runs on.
        drop(
            spawn(async move {
                offload(move || {
                    while !r.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                })
                .await
            })
            .await,
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        stop.shutdown();
        cancelled().await;
    }))
    .await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "the root waited {elapsed:?}"
    );
    let left = capture
        .events()
        .into_iter()
        .filter(|e| e.level == Level::WARN && e.message().contains("offloaded closures"))
        .collect::<Vec<_>>();
    assert_eq!(left.len(), 1, "{:#?}", capture.events());
    let sites = left[0].field("closures").unwrap_or_default();
    assert!(
        sites.contains("offload at") && sites.contains("ownership.rs"),
        "{sites}"
    );
    let done = capture
        .events()
        .into_iter()
        .find(|e| e.message() == "warden: shutdown complete" && e.field("scope") == Some("app"))
        .expect("the shutdown report");
    assert_eq!(done.field("offloads_left"), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offloads_token_is_cancelled_with_its_scope_and_the_root_waits_for_it() {
    static WORKER: ScopeConfig = ScopeConfig::new("worker").timeout(Duration::from_millis(50));
    let _serial = SERIAL.lock().await;
    let capture = Capture::global();
    let stopped_after = Arc::new(std::sync::Mutex::new(None));
    let s = stopped_after.clone();
    let root = root(Duration::from_secs(5)).name("tokens");
    let outcome = bounded(root.run(async move {
        let r: Result<(), Failure> = supervise(&WORKER, move || {
            let s = s.clone();
            async move {
                offload_with_token(move |token| {
                    let start = std::time::Instant::now();
                    while !token.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    // Outlives the awaiting future a little: the root must wait for it.
                    std::thread::sleep(Duration::from_millis(50));
                    *s.lock().unwrap() = Some(start.elapsed());
                })
                .await
            }
        })
        .await;
        r
    }))
    .await;
    assert!(
        matches!(outcome, Ok(Err(Failure::TimedOut { .. }))),
        "{outcome:?}"
    );
    let stopped = stopped_after
        .lock()
        .unwrap()
        .expect("the closure ended first");
    assert!(
        stopped < Duration::from_secs(1),
        "the token was not cancelled with its scope: {stopped:?}"
    );
    // The capture is process-wide: only this root's events count.
    let warned = capture
        .events()
        .into_iter()
        .any(|e| e.message().contains("offloaded closures") && e.field("scope") == Some("tokens"));
    assert!(!warned, "{:#?}", capture.events());
}

#[tokio::test(start_paused = true)]
async fn a_root_that_ends_normally_waits_for_out_of_scope_children() {
    let _serial = SERIAL.lock().await;
    let done = flag();
    let d = done.clone();
    let r = bounded(root(Duration::from_secs(1)).run(async move {
        tokio::spawn(async move {
            drop(
                spawn(async move {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    d.store(true, Ordering::SeqCst);
                })
                .await,
            );
        })
        .await
        .expect("the plain task");
        "main is done"
    }))
    .await;
    assert_eq!(r.expect("main's value"), "main is done");
    assert!(is_set(&done), "the root returned before its child finished");
    eventually("the child is gone", || live_children() == 0).await;
}
