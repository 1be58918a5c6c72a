//! A supervised scope: failure propagation, ownership of failures, panics, cancellation,
//! timeouts and the bound on children.
#![allow(clippy::large_futures)] // test bodies nest several scopes by value

mod support;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use support::{Capture, bounded, cleans_up, flag, is_set, stubborn};
use tokio::time::Instant;
use tracing::Level;
use warden_runtime::metrics::scope_stats;
use warden_runtime::{
    BoxError, ChildOutput, Failure, ScopeConfig, cancelled, current_token, is_cancelled, spawn,
    spawn_named, supervise, supervise_with, try_spawn,
};

/// A child that records whether it saw its scope's cancellation, then stops cleanly.
async fn polite(saw_cancel: Arc<AtomicBool>) -> Result<(), Failure> {
    cancelled().await;
    saw_cancel.store(is_cancelled(), Ordering::SeqCst);
    Ok(())
}

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

#[tokio::test]
async fn spans_are_named_by_the_config() {
    static NAMED: ScopeConfig =
        ScopeConfig::new("named").span(|| tracing::info_span!("my_supervised_fn"));
    static DEFAULT: ScopeConfig = ScopeConfig::new("defaulted");
    let (capture, _g) = Capture::install();
    let r: Result<(), Failure> = supervise(&NAMED, || async { Ok(()) }).await;
    r.expect("ok");
    let r: Result<(), Failure> = supervise(&DEFAULT, || async { Ok(()) }).await;
    r.expect("ok");
    let spans = capture.spans();
    assert!(
        spans.iter().any(|s| s.starts_with("my_supervised_fn")),
        "{spans:?}"
    );
    assert!(
        spans
            .iter()
            .any(|s| s.starts_with("supervised") && s.contains("scope=defaulted")),
        "{spans:?}"
    );
}

#[test]
fn the_supervised_future_stores_the_body_once() {
    // Regression: an `async fn` driver stored the body several times (5× its size per level).
    static CFG: ScopeConfig = ScopeConfig::new("size");
    let big = [0u8; 4096];
    let body = async move {
        tokio::task::yield_now().await;
        Ok::<_, Failure>(big.len())
    };
    let body_size = std::mem::size_of_val(&body);
    let scoped = supervise_with(&CFG, body, |failure| failure);
    let size = std::mem::size_of_val(&scoped);
    assert!(
        size <= body_size + 512,
        "body {body_size} B, supervised {size} B"
    );
    let child = spawn(async move {
        tokio::task::yield_now().await;
        Ok::<_, Failure>(big.len())
    });
    assert!(std::mem::size_of_val(&child) <= body_size + 512);
}

#[tokio::test]
async fn generated_scopes_make_their_span_at_the_first_poll() {
    // `#[supervised]` under another attribute builds its future before the outer layer runs
    // (stored once, not in one more async block): a call that the outer layer turns away, like
    // a rejected `#[bounded(n, reject)]` call, must not cost a span.
    static CFG: ScopeConfig =
        ScopeConfig::new("lazy").span(|| tracing::info_span!("lazy_supervised_fn"));
    let (capture, _g) = Capture::install();
    let convert = |failure: Failure| failure;
    drop(warden_runtime::__private::supervise_with(
        &CFG,
        async { Ok::<(), Failure>(()) },
        convert,
    ));
    assert!(capture.spans().is_empty(), "{:?}", capture.spans());
    let r = warden_runtime::__private::supervise_with(&CFG, async { Ok(()) }, convert).await;
    r.expect("ok");
    let spans = capture.spans();
    assert!(
        spans.iter().any(|s| s.starts_with("lazy_supervised_fn")),
        "{spans:?}"
    );
}
