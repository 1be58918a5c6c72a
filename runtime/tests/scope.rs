//! A supervised scope: failure propagation, ownership of failures, panics, cancellation,
//! timeouts and the bound on children.
#![allow(clippy::large_futures)] // test bodies nest several scopes by value

mod support;

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;

use support::{Capture, bounded, flag, is_set, stubborn};
use tokio::time::Instant;
use tracing::Level;
use warden_runtime::metrics::scope_stats;
use warden_runtime::{
    BoxError, ChildOutput, Failure, ScopeConfig, is_cancelled, spawn, spawn_named, supervise,
    try_spawn,
};

/// Runs the scope `parent` whose body waits forever next to a sibling that never ends and the
/// child `name` (`failing`). Returns the scope's result, and whether the sibling and the body
/// were dropped.
async fn next_to_a_failing_child<F>(name: &'static str, failing: F) -> (Result<(), Failure>, bool)
where
    F: Future<Output: ChildOutput<Ok: Send>> + Send + 'static,
{
    static CFG: ScopeConfig = ScopeConfig::new("parent");
    let (sibling, body) = (flag(), flag());
    let (s, b) = (sibling.clone(), body.clone());
    let mut failing = Some(failing);
    let r = bounded(supervise(&CFG, move || {
        let (b, s, failing) = (b.clone(), s.clone(), failing.take());
        async move {
            drop(spawn_named("sibling", stubborn(s)).await);
            if let Some(failing) = failing {
                drop(spawn_named(name, failing).await);
            }
            stubborn(b).await;
            Ok(())
        }
    }))
    .await;
    (r, is_set(&sibling) && is_set(&body))
}

#[tokio::test(start_paused = true)]
async fn unowned_child_error_aborts_sibling_and_body_and_is_returned() {
    let (capture, _g) = Capture::install();
    let (r, dropped) = next_to_a_failing_child("bad", async {
        tokio::time::sleep(Duration::from_millis(10)).await;
        Err::<(), _>("boom")
    })
    .await;
    match r {
        Err(Failure::Child {
            scope,
            child,
            error,
        }) => {
            assert_eq!(scope, "parent");
            assert_eq!(child, "bad");
            assert_eq!(error.to_string(), "boom");
        }
        other => panic!("expected Failure::Child, got {other:?}"),
    }
    assert!(dropped, "the sibling and the body were not dropped");
    assert_eq!(
        capture.at(Level::ERROR).len(),
        0,
        "a returned failure must not be logged too"
    );
}

#[tokio::test(start_paused = true)]
async fn unowned_child_panic_is_returned_as_child_panicked() {
    let (r, dropped) = next_to_a_failing_child("crasher", async {
        tokio::time::sleep(Duration::from_millis(10)).await;
        // Not the block's last expression, or its output would be `!`, not a child's output.
        if std::hint::black_box(true) {
            std::panic::panic_any::<&str>("kaboom");
        }
    })
    .await;
    let Err(Failure::Child {
        scope,
        child,
        error,
    }) = r
    else {
        panic!("expected Failure::Child, got {r:?}");
    };
    assert_eq!((&*scope, &*child), ("parent", "crasher"));
    match error.downcast_ref::<Failure>() {
        Some(Failure::Panicked { at, message }) => {
            assert_eq!(at, "crasher");
            assert_eq!(message, "kaboom");
        }
        other => panic!("expected Failure::Panicked inside, got {other:?}"),
    }
    assert!(dropped);
}

#[tokio::test(start_paused = true)]
async fn awaited_handle_owns_the_error_and_the_scope_does_not_report_it() {
    static CFG: ScopeConfig = ScopeConfig::new("owner");
    let (capture, _g) = Capture::install();
    let r: Result<&str, Failure> = bounded(supervise(&CFG, || async {
        let h = spawn_named("fails", async { Err::<(), _>("mine") }).await;
        // Let it fail before we await: the result waits in the handle.
        tokio::time::sleep(Duration::from_millis(10)).await;
        let err = h.await.expect_err("the child failed");
        assert!(
            matches!(&err, Failure::Child { child, .. } if child == "fails"),
            "{err:?}"
        );
        assert!(
            !is_cancelled(),
            "an owned failure must not cancel the scope"
        );
        let stats = scope_stats().expect("inside a scope");
        assert_eq!((stats.spawned, stats.failed, stats.live), (1, 1, 0));
        Ok("handled")
    }))
    .await;
    assert_eq!(r.expect("the body handled the failure"), "handled");
    assert_eq!(capture.at(Level::ERROR).len(), 0);
}

#[tokio::test(start_paused = true)]
async fn dropped_handle_after_failure_gives_it_back_to_the_scope() {
    static CFG: ScopeConfig = ScopeConfig::new("giver");
    let (capture, _g) = Capture::install();
    let r: Result<(), Failure> = bounded(supervise(&CFG, || async {
        let h = spawn_named("late", async { Err::<(), _>("nobody took me") }).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(h); // the failure sits in the handle: dropping it must not lose it
        std::future::pending::<()>().await;
        Ok(())
    }))
    .await;
    assert!(
        matches!(&r, Err(Failure::Child { child, .. }) if child == "late"),
        "{r:?}"
    );
    assert_eq!(capture.at(Level::ERROR).len(), 0);
}

#[tokio::test(start_paused = true)]
async fn later_failures_are_logged_once_each() {
    static CFG: ScopeConfig = ScopeConfig::new("many").grace(Duration::from_secs(1));
    let (capture, _g) = Capture::install();
    let r: Result<(), Failure> = bounded(supervise(&CFG, || async {
        for i in 1..=3u64 {
            // They ignore cancellation, so all three fail (within the grace period).
            drop(
                spawn_named(format!("f{i}"), async move {
                    tokio::time::sleep(Duration::from_millis(10 * i)).await;
                    Err::<(), BoxError>(format!("err{i}").into())
                })
                .await,
            );
        }
        Ok(())
    }))
    .await;
    assert!(
        matches!(&r, Err(Failure::Child { child, .. }) if child == "f1"),
        "{r:?}"
    );
    let errors = capture.at(Level::ERROR);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for i in 2..=3 {
        let needle = format!("child `f{i}` of scope `many` failed: err{i}");
        assert_eq!(
            capture.count(Level::ERROR, &needle),
            1,
            "{needle} in {errors:#?}"
        );
    }
    assert_eq!(
        capture.count(Level::ERROR, "f1"),
        0,
        "the returned failure was logged too"
    );
}

#[tokio::test]
async fn body_panic_becomes_panicked_and_does_not_unwind() {
    static CFG: ScopeConfig = ScopeConfig::new("fragile");
    let r: Result<(), Failure> = bounded(supervise(&CFG, || async {
        std::panic::panic_any(format!("body broke: {}", 7));
        #[allow(unreachable_code)]
        Ok(())
    }))
    .await;
    match r {
        Err(Failure::Panicked { at, message }) => {
            assert_eq!(at, "fragile");
            assert_eq!(message, "body broke: 7");
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
}

#[derive(Debug, PartialEq)]
enum MyError {
    Mine(&'static str),
    Warden(String),
}

impl From<Failure> for MyError {
    fn from(f: Failure) -> Self {
        MyError::Warden(f.to_string())
    }
}

impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

#[tokio::test(start_paused = true)]
async fn body_error_is_returned_as_is_after_children_are_aborted() {
    static CFG: ScopeConfig = ScopeConfig::new("typed");
    let dropped = flag();
    let d = dropped.clone();
    let start = Instant::now();
    let r: Result<(), MyError> = bounded(supervise(&CFG, move || {
        let d = d.clone();
        async move {
            drop(spawn(stubborn(d)).await);
            Err(MyError::Mine("nope"))
        }
    }))
    .await;
    assert_eq!(r, Err(MyError::Mine("nope")));
    assert!(
        is_set(&dropped),
        "the child was not aborted when the body failed"
    );
    assert_eq!(start.elapsed(), Duration::ZERO, "no grace without `grace`");
}

#[tokio::test(start_paused = true)]
async fn ok_body_returns_only_after_its_children_finished() {
    static CFG: ScopeConfig = ScopeConfig::new("waits");
    let done = flag();
    let d = done.clone();
    let start = Instant::now();
    let r: Result<u8, MyError> = bounded(supervise(&CFG, move || {
        let d = d.clone();
        async move {
            drop(
                spawn(async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    d.store(true, Ordering::SeqCst);
                    Ok::<_, Failure>(())
                })
                .await,
            );
            Ok(1)
        }
    }))
    .await;
    assert_eq!(r, Ok(1));
    assert!(
        is_set(&done),
        "the scope returned before its child finished"
    );
    assert!(start.elapsed() >= Duration::from_millis(50));
}

#[tokio::test(start_paused = true)]
async fn nested_inline_scope_failure_propagates_as_a_value() {
    static OUTER: ScopeConfig = ScopeConfig::new("outer");
    static INNER: ScopeConfig = ScopeConfig::new("inner");
    let r: Result<bool, Failure> = bounded(supervise(&OUTER, || async {
        let inner: Result<(), Failure> = supervise(&INNER, || async {
            drop(spawn(async { Err::<(), _>("inner child") }).await);
            Ok(())
        })
        .await;
        // The inner failure is a value here; the outer scope is not cancelled by it.
        Ok(
            matches!(inner, Err(Failure::Child { scope, .. }) if scope == "inner")
                && !is_cancelled(),
        )
    }))
    .await;
    assert!(r.expect("outer succeeded"));
}

#[tokio::test(start_paused = true)]
async fn max_children_gives_backpressure_and_try_spawn_overloads() {
    static CFG: ScopeConfig = ScopeConfig::new("bounded").max_children(2);
    let r: Result<(), Failure> = bounded(supervise(&CFG, || async {
        let (tx, rx) = tokio::sync::watch::channel(false);
        for _ in 0..2 {
            let mut rx = rx.clone();
            drop(
                spawn(async move {
                    rx.wait_for(|go| *go)
                        .await
                        .map(|_| ())
                        .map_err(|e| Box::new(e) as BoxError)
                })
                .await,
            );
        }
        assert_eq!(scope_stats().map(|s| s.live), Some(2));
        // Full: `spawn` waits, `try_spawn` refuses.
        let third = tokio::time::timeout(
            Duration::from_millis(50),
            spawn(async { Ok::<_, Failure>(3) }),
        )
        .await;
        assert!(third.is_err(), "spawn did not wait for a free slot");
        match try_spawn(async { Ok::<_, Failure>(()) }) {
            Err(Failure::Overloaded { name, limit }) => {
                assert_eq!((&*name, limit), ("bounded", 2));
            }
            other => panic!("expected Overloaded, got {other:?}"),
        }
        // Free the slots: the waiting spawn goes through.
        let waiting = spawn(async { Ok::<_, Failure>(3) });
        tx.send(true).expect("children listen");
        let h = tokio::time::timeout(Duration::from_millis(50), waiting)
            .await
            .expect("a slot was freed");
        assert_eq!(h.await?, 3);
        Ok(())
    }))
    .await;
    r.expect("the scope succeeded");
}

#[tokio::test]
async fn a_scope_without_children_is_cheap_and_returns_the_value() {
    static CFG: ScopeConfig = ScopeConfig::new("plain");
    for i in 0..1000u32 {
        let r: Result<u32, Failure> = supervise(&CFG, || async move { Ok(i) }).await;
        assert_eq!(r.expect("ok"), i);
    }
}
