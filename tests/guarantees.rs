//! The README's guarantees, with the numbers of issue 12: a timeout bounds the caller's wait, an
//! unawaited failure returns at once, grace is cooperative only when asked for, children may
//! return `()`, and a failure prints each cause once. Paused time: every number is exact.

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::Instant;
use warden::{Failure, supervised};

/// The tests assert the process-wide live count, so the ones that spawn run one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sets its flag when dropped: proves a child was aborted at its `.await`.
struct Dropped(Arc<AtomicBool>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

/// A slow backend call: a child that sleeps 2 s and ignores cancellation.
#[supervised(timeout = "100ms")]
async fn calls_a_slow_backend(dropped: Arc<AtomicBool>) -> Result<u32, Failure> {
    let guard = Dropped(dropped);
    let backend = warden::spawn(async move {
        let _guard = guard;
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok::<_, Failure>(42)
    })
    .await;
    backend.await
}

#[tokio::test(start_paused = true)]
async fn a_timeout_bounds_the_callers_wait_and_leaves_no_task() {
    let _serial = SERIAL.lock().await;
    let dropped = flag();
    let started = Instant::now();
    let r = calls_a_slow_backend(dropped.clone()).await;
    let waited = started.elapsed();
    assert!(matches!(r, Err(Failure::TimedOut { .. })), "{r:?}");
    assert!(waited < Duration::from_millis(150), "waited {waited:?}");
    assert!(
        dropped.load(Ordering::SeqCst),
        "the backend call was not aborted"
    );
    assert_eq!(
        warden::metrics::live_children(),
        0,
        "a task outlived its scope"
    );
}

#[supervised]
async fn fails_next_to_a_stubborn_sibling(dropped: Arc<AtomicBool>) -> Result<(), Failure> {
    let guard = Dropped(dropped);
    drop(
        warden::spawn(async move {
            let _guard = guard;
            // Ignores cancellation: never calls `warden::cancelled()`.
            tokio::time::sleep(Duration::from_secs(3600)).await;
        })
        .await,
    );
    drop(
        warden::spawn_named("failing", async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            Err::<(), _>("backend refused")
        })
        .await,
    );
    std::future::pending().await
}

#[tokio::test(start_paused = true)]
async fn an_unawaited_failure_returns_at_once_next_to_a_sibling_that_ignores_cancellation() {
    let _serial = SERIAL.lock().await;
    let dropped = flag();
    let started = Instant::now();
    let r = fails_next_to_a_stubborn_sibling(dropped.clone()).await;
    let waited = started.elapsed();
    let Err(failure @ Failure::Child { .. }) = r else {
        panic!("expected the child's failure, got {r:?}");
    };
    assert!(waited < Duration::from_millis(50), "waited {waited:?}");
    assert!(
        dropped.load(Ordering::SeqCst),
        "the stubborn sibling was not aborted"
    );
    assert_eq!(
        failure.to_string(),
        "child `failing` of scope `guarantees::fails_next_to_a_stubborn_sibling` failed"
    );
    assert_eq!(
        failure.source().map(ToString::to_string).as_deref(),
        Some("backend refused")
    );
    assert_eq!(warden::metrics::live_children(), 0);
}

#[supervised(timeout = "100ms", grace = "50ms")]
async fn winds_down_politely(cleaned: Arc<AtomicBool>) -> Result<(), Failure> {
    drop(
        warden::spawn(async move {
            warden::cancelled().await;
            tokio::time::sleep(Duration::from_millis(20)).await; // cleanup
            cleaned.store(true, Ordering::SeqCst);
        })
        .await,
    );
    std::future::pending().await
}

#[tokio::test(start_paused = true)]
async fn grace_is_cooperative_and_the_callers_wait_is_timeout_plus_cleanup() {
    let _serial = SERIAL.lock().await;
    let cleaned = flag();
    let started = Instant::now();
    let r = winds_down_politely(cleaned.clone()).await;
    assert!(matches!(r, Err(Failure::TimedOut { .. })), "{r:?}");
    assert!(cleaned.load(Ordering::SeqCst), "the child got no grace");
    assert_eq!(started.elapsed(), Duration::from_millis(120));
}

#[supervised]
async fn unit_children(log: Arc<std::sync::Mutex<Vec<&'static str>>>) -> Result<usize, Failure> {
    let first = Arc::clone(&log);
    let a = warden::spawn(async move { first.lock().unwrap().push("a") }).await;
    let second = Arc::clone(&log);
    let b = warden::spawn_named("b", async move { second.lock().unwrap().push("b") }).await;
    a.await?;
    b.await?;
    // `try_spawn` takes a unit child as well; a dropped handle leaves it to the scope.
    drop(warden::try_spawn(async {})?);
    let n = log.lock().unwrap().len();
    Ok(n)
}

#[tokio::test]
async fn children_may_return_unit() {
    let _serial = SERIAL.lock().await;
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    assert_eq!(unit_children(log).await.unwrap(), 2);
}

#[supervised]
async fn a_unit_child_panics() -> Result<(), Failure> {
    let child = warden::spawn(async {
        assert!(std::hint::black_box(false), "unit child broke");
    })
    .await;
    child.await
}

#[tokio::test]
async fn a_unit_childs_panic_reaches_its_handle() {
    let _serial = SERIAL.lock().await;
    let failure = a_unit_child_panics().await.unwrap_err();
    assert!(matches!(failure, Failure::Child { .. }), "{failure:?}");
    assert!(
        format!("{failure:#}").contains("unit child broke"),
        "{failure:#}"
    );
}

#[test]
fn a_failure_prints_each_cause_once() {
    let io = std::io::Error::other("connection reset");
    let failure = Failure::Child {
        scope: "fetch".into(),
        child: "page 3".into(),
        error: Box::new(io),
    };
    // A reporter that walks the chain (anyhow's `{:#}`, eyre, tracing's `%err` + sources).
    let mut walked = vec![failure.to_string()];
    let mut source = failure.source();
    while let Some(cause) = source {
        walked.push(cause.to_string());
        source = cause.source();
    }
    assert_eq!(
        walked,
        ["child `page 3` of scope `fetch` failed", "connection reset"]
    );
    assert_eq!(walked.join(": "), format!("{failure:#}"));
}
