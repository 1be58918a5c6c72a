//! Cancellation and deadlines of a supervised scope: an explicit cancel, the timeout (the body
//! dropped, children aborted at once), the grace a fn asks for, a parent's cancellation.
#![allow(clippy::large_futures)] // test bodies nest several scopes by value

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use support::{Capture, bounded, cleans_up, flag, is_set, stubborn};
use tokio::time::Instant;
use tracing::Level;
use warden_runtime::{
    Failure, ScopeConfig, cancelled, current_token, is_cancelled, spawn, spawn_named, supervise,
};

/// A child that records whether it saw its scope's cancellation, then stops cleanly.
async fn polite(saw_cancel: Arc<AtomicBool>) -> Result<(), Failure> {
    cancelled().await;
    saw_cancel.store(is_cancelled(), Ordering::SeqCst);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn token_cancel_in_body_reaches_children_and_returns_cancelled() {
    static CFG: ScopeConfig = ScopeConfig::new("self-cancel");
    let saw = flag();
    let s = saw.clone();
    let r: Result<(), Failure> = bounded(supervise(&CFG, move || {
        let s = s.clone();
        async move {
            assert!(!is_cancelled());
            drop(spawn(polite(s)).await);
            let token = current_token();
            tokio::time::sleep(Duration::from_millis(5)).await;
            token.cancel();
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
    }))
    .await;
    assert!(
        matches!(&r, Err(Failure::Cancelled { scope }) if scope == "self-cancel"),
        "{r:?}"
    );
    assert!(is_set(&saw));
}

#[tokio::test(start_paused = true)]
async fn timeout_drops_the_body_and_aborts_the_children() {
    static CFG: ScopeConfig = ScopeConfig::new("slow").timeout(Duration::from_millis(100));
    let (child_dropped, body_dropped) = (flag(), flag());
    let (c, b) = (child_dropped.clone(), body_dropped.clone());
    let start = Instant::now();
    let r: Result<(), Failure> = bounded(supervise(&CFG, move || {
        let (b, c) = (b.clone(), c.clone());
        async move {
            drop(spawn(stubborn(c)).await);
            stubborn(b).await;
            Ok(())
        }
    }))
    .await;
    match r {
        Err(Failure::TimedOut { scope, after }) => {
            assert_eq!(scope, "slow");
            assert_eq!(after, Duration::from_millis(100));
        }
        other => panic!("expected TimedOut, got {other:?}"),
    }
    assert!(is_set(&child_dropped) && is_set(&body_dropped));
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn timeout_also_covers_the_wait_for_children() {
    static CFG: ScopeConfig = ScopeConfig::new("slow-kids").timeout(Duration::from_millis(100));
    let dropped = flag();
    let d = dropped.clone();
    let start = Instant::now();
    let r: Result<(), Failure> = bounded(supervise(&CFG, move || {
        let d = d.clone();
        async move {
            drop(spawn(stubborn(d)).await);
            Ok(())
        }
    }))
    .await;
    assert!(matches!(r, Err(Failure::TimedOut { .. })), "{r:?}");
    assert!(is_set(&dropped));
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn no_timeout_when_the_body_is_fast() {
    static CFG: ScopeConfig = ScopeConfig::new("fast").timeout(Duration::from_millis(100));
    let r: Result<u8, Failure> = bounded(supervise(&CFG, || async {
        tokio::time::sleep(Duration::from_millis(99)).await;
        Ok(5)
    }))
    .await;
    assert_eq!(r.expect("finished in time"), 5);
}

#[tokio::test(start_paused = true)]
async fn children_that_ignore_cancellation_are_aborted_after_grace() {
    static CFG: ScopeConfig = ScopeConfig::new("graceful").grace(Duration::from_millis(200));
    let (capture, _g) = Capture::install();
    let (polite_done, stubborn_dropped) = (flag(), flag());
    let (p, s) = (polite_done.clone(), stubborn_dropped.clone());
    let start = Instant::now();
    let r: Result<(), Failure> = bounded(supervise(&CFG, move || {
        let (p, s) = (p.clone(), s.clone());
        async move {
            drop(spawn_named("polite", cleans_up(Duration::from_millis(50), p)).await);
            drop(spawn_named("stubborn", stubborn(s)).await);
            current_token().cancel();
            Ok(())
        }
    }))
    .await;
    assert!(matches!(r, Err(Failure::Cancelled { .. })), "{r:?}");
    assert!(
        is_set(&polite_done),
        "the polite child did not get its grace period"
    );
    assert!(
        is_set(&stubborn_dropped),
        "the stubborn child was not aborted"
    );
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_millis(300),
        "{elapsed:?}"
    );
    assert_eq!(
        capture.count(Level::WARN, "stubborn"),
        1,
        "{:#?}",
        capture.events()
    );
    assert_eq!(capture.count(Level::WARN, "polite"), 0);
}

#[tokio::test(start_paused = true)]
async fn parent_cancellation_reaches_a_scope_inside_a_child_task() {
    // With a grace each, the cancellation is cooperative all the way down.
    static OUTER: ScopeConfig = ScopeConfig::new("outer").grace(Duration::from_secs(1));
    static INNER: ScopeConfig = ScopeConfig::new("inner").grace(Duration::from_secs(1));
    let (inner_body_dropped, grandchild_saw) = (flag(), flag());
    let (b, g) = (inner_body_dropped.clone(), grandchild_saw.clone());
    let inner_result = Arc::new(std::sync::Mutex::new(None));
    let ir = inner_result.clone();
    let r: Result<(), Failure> = bounded(supervise(&OUTER, move || {
        let (b, g, ir) = (b.clone(), g.clone(), ir.clone());
        async move {
            drop(
                spawn(async move {
                    let r: Result<(), Failure> = supervise(&INNER, move || {
                        let (b, g) = (b.clone(), g.clone());
                        async move {
                            drop(spawn(polite(g)).await);
                            stubborn(b).await;
                            Ok(())
                        }
                    })
                    .await;
                    let cancelled =
                        matches!(&r, Err(Failure::Cancelled { scope }) if scope == "inner");
                    *ir.lock().unwrap() = Some(cancelled);
                    r
                })
                .await,
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
            current_token().cancel();
            Ok(())
        }
    }))
    .await;
    assert!(
        matches!(&r, Err(Failure::Cancelled { scope }) if scope == "outer"),
        "{r:?}"
    );
    assert_eq!(
        *inner_result.lock().unwrap(),
        Some(true),
        "inner scope did not return Cancelled"
    );
    assert!(is_set(&inner_body_dropped) && is_set(&grandchild_saw));
}
