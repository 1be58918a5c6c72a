//! `#[supervised]` end to end through the macro: children owned, failures propagated, scopes
//! cancellable, timeouts and restarts as configured.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use warden::{Failure, supervised};

#[derive(Debug)]
struct AppError(String);

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AppError {}

impl From<Failure> for AppError {
    fn from(failure: Failure) -> Self {
        // `{:#}`: the failure and its causes (a child's error), each once.
        AppError(format!("{failure:#}"))
    }
}

#[supervised]
async fn sums_children(n: u64) -> Result<u64, Failure> {
    let mut handles = Vec::new();
    for i in 0..n {
        handles.push(warden::spawn(async move { Ok::<_, Failure>(i) }).await);
    }
    let mut total = 0;
    for handle in handles {
        total += handle.await?;
    }
    Ok(total)
}

#[tokio::test]
async fn awaited_children_return_their_values() {
    assert_eq!(sums_children(10).await.unwrap(), 45);
}

/// Counts its drop: a child holding it that is aborted drops it at its current `.await`.
struct CountsDrop(Arc<AtomicUsize>);

impl Drop for CountsDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[supervised]
async fn child_fails(sibling_aborted: Arc<AtomicUsize>) -> Result<(), AppError> {
    let guard = CountsDrop(sibling_aborted);
    // Handles dropped at once: the scope owns both children. The sibling ignores cancellation.
    drop(
        warden::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        })
        .await,
    );
    drop(warden::spawn_named("failing", async { Err::<(), _>(AppError("boom".into())) }).await);
    std::future::pending::<()>().await;
    Ok(())
}

#[tokio::test]
async fn an_unawaited_child_error_cancels_the_scope_and_is_returned() {
    let aborted = Arc::new(AtomicUsize::new(0));
    let result = tokio::time::timeout(Duration::from_secs(5), child_fails(aborted.clone()))
        .await
        .expect("no hang");
    let error = result.unwrap_err();
    assert!(
        error.0.contains("failing") && error.0.contains("boom"),
        "{error}"
    );
    assert_eq!(aborted.load(Ordering::SeqCst), 1, "the sibling was aborted");
}

#[supervised]
async fn body_panics() -> Result<(), anyhow_like::Error> {
    panic!("body went wrong");
}

mod anyhow_like {
    /// What `anyhow::Error` offers: any `std::error::Error + Send + Sync` converts into it.
    pub type Error = Box<dyn std::error::Error + Send + Sync>;
}

#[tokio::test]
async fn a_body_panic_becomes_an_error() {
    let error = body_panics().await.unwrap_err();
    let failure = error.downcast_ref::<Failure>().expect("a Failure");
    assert!(
        matches!(failure, Failure::Panicked { message, .. } if message == "body went wrong"),
        "{failure}"
    );
}

// A fraction, read exactly: 20 ms.
#[supervised(timeout = "0.02s")]
async fn too_slow() -> Result<(), Failure> {
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(())
}

#[tokio::test]
async fn timeout_returns_timed_out() {
    let failure = too_slow().await.unwrap_err();
    assert!(
        matches!(failure, Failure::TimedOut { after, .. } if after == Duration::from_millis(20)),
        "{failure}"
    );
}

#[supervised(
    restart = "on_failure",
    max_restarts = 5,
    within = "10s",
    backoff = "1ms..2ms"
)]
async fn flaky(attempts: Arc<AtomicUsize>, succeed_on: usize) -> Result<usize, AppError> {
    let attempt = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    if attempt < succeed_on {
        Err(AppError(format!("attempt {attempt}")))
    } else {
        Ok(attempt)
    }
}

#[tokio::test]
async fn restarts_until_success_within_the_intensity() {
    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(flaky(attempts.clone(), 3).await.unwrap(), 3);
    let attempts = Arc::new(AtomicUsize::new(0));
    let error = flaky(attempts.clone(), 100).await.unwrap_err();
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        6,
        "one run and five restarts"
    );
    assert_eq!(error.0, "attempt 6", "the last failure is returned");
}

struct Service {
    name: String,
}

impl Service {
    #[supervised(name = "service.handle")]
    async fn handle(&self, input: &str) -> Result<String, Failure> {
        let child = warden::spawn(async { Ok::<_, Failure>(2) }).await;
        Ok(format!("{}:{input}:{}", self.name, child.await?))
    }
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn methods_keep_their_receiver_and_stay_send() {
    let service = Service { name: "svc".into() };
    let call = service.handle("x");
    assert_send(&call);
    assert_eq!(call.await.unwrap(), "svc:x:2");
}

#[supervised]
async fn waits_forever(started: Arc<AtomicUsize>) -> Result<(), Failure> {
    for _ in 0..3 {
        let started = started.clone();
        let _child = warden::spawn(async move {
            started.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
            Ok::<_, Failure>(())
        })
        .await;
    }
    std::future::pending().await
}

#[tokio::test]
async fn dropping_the_call_leaves_no_child_alive() {
    let started = Arc::new(AtomicUsize::new(0));
    let call = waits_forever(started.clone());
    let _ = tokio::time::timeout(Duration::from_millis(20), call).await;
    assert_eq!(started.load(Ordering::SeqCst), 3);
    tokio::time::timeout(Duration::from_secs(5), async {
        while warden::metrics::live_children() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("every child ends once its scope's future is dropped");
}
