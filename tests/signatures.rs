//! Signatures users write, compiled and run: receivers a restarting scope clones per attempt,
//! `per` naming a binding inside a pattern, and borrowed `per` keys.

#![deny(unused_qualifications, unused_mut)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::Path;
use warden::{BoxError, Failure, bounded, supervised};

/// Fails until its `n`th attempt.
fn attempt(count: &AtomicUsize, succeed_on: usize) -> Result<usize, BoxError> {
    let n = count.fetch_add(1, Ordering::SeqCst) + 1;
    if n < succeed_on {
        Err(format!("attempt {n}").into())
    } else {
        Ok(n)
    }
}

struct Shared {
    attempts: AtomicUsize,
}

impl Shared {
    #[supervised(restart = "on_failure", max_restarts = 5, backoff = "1ms..1ms")]
    async fn arc(self: Arc<Self>, succeed_on: usize) -> Result<usize, BoxError> {
        tokio::task::yield_now().await;
        attempt(&self.attempts, succeed_on)
    }
}

#[tokio::test]
async fn restart_clones_an_arc_receiver_per_attempt() {
    let shared = Arc::new(Shared {
        attempts: AtomicUsize::new(0),
    });
    assert_eq!(shared.clone().arc(3).await.unwrap(), 3);
    assert_eq!(
        Arc::strong_count(&shared),
        1,
        "every attempt's clone is gone"
    );
}

struct Local {
    attempts: Cell<usize>,
}

impl Local {
    #[supervised(restart = "on_failure", max_restarts = 5, backoff = "1ms..1ms")]
    async fn rc(self: Rc<Self>) -> Result<usize, BoxError> {
        let n = self.attempts.get() + 1;
        self.attempts.set(n);
        if n < 2 { Err("first".into()) } else { Ok(n) }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn restart_clones_an_rc_receiver_per_attempt() {
    let local = Rc::new(Local {
        attempts: Cell::new(0),
    });
    assert_eq!(local.clone().rc().await.unwrap(), 2);
    assert_eq!(Rc::strong_count(&local), 1);
}

#[derive(Clone)]
struct Handle {
    attempts: Arc<AtomicUsize>,
    seen: Vec<usize>,
}

impl Handle {
    // `mut self`: each attempt changes its own clone, never the caller's value.
    #[supervised(restart = "on_failure", max_restarts = 5, backoff = "1ms..1ms")]
    async fn by_value(mut self) -> Result<Vec<usize>, BoxError> {
        let n = attempt(&self.attempts, 3)?;
        self.seen.push(n);
        Ok(self.seen)
    }
}

#[tokio::test]
async fn restart_clones_a_clone_receiver_taken_by_value() {
    let handle = Handle {
        attempts: Arc::new(AtomicUsize::new(0)),
        seen: vec![0],
    };
    assert_eq!(handle.by_value().await.unwrap(), [0, 3]);
}

#[supervised(restart = "on_failure", max_restarts = 5, backoff = "1ms..1ms")]
async fn pair((a, mut b): (u64, u64), attempts: Arc<AtomicUsize>) -> Result<u64, BoxError> {
    b += 1;
    attempt(&attempts, 2)?;
    Ok(a + b)
}

#[tokio::test]
async fn restart_clones_every_binding_of_a_pattern() {
    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(pair((1, 2), attempts.clone()).await.unwrap(), 4);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

const HOLD: Duration = Duration::from_millis(20);

#[bounded(1, reject, per = tenant)]
async fn by_tenant(Path(tenant): Path<String>, hold: Duration) -> Result<String, Failure> {
    tokio::time::sleep(hold).await;
    Ok(tenant)
}

#[bounded(1, reject, per = a)]
async fn by_first((a, b): (u64, u64), hold: Duration) -> Result<u64, Failure> {
    tokio::time::sleep(hold).await;
    Ok(a + b)
}

#[bounded(1, reject, per = user)]
async fn by_user(user: &str, hold: Duration) -> Result<usize, Failure> {
    tokio::time::sleep(hold).await;
    Ok(user.len())
}

#[bounded(1, reject, per = bytes)]
async fn by_bytes(bytes: &[u8], hold: Duration) -> Result<usize, Failure> {
    tokio::time::sleep(hold).await;
    Ok(bytes.len())
}

/// `join!` polls in order: the first call takes its key's only slot, the second (same key) is
/// rejected, the third (another key) runs.
fn overloaded<T: std::fmt::Debug>(second: &Result<T, Failure>) -> bool {
    matches!(second, Err(Failure::Overloaded { .. }))
}

#[tokio::test]
async fn per_names_a_binding_inside_a_pattern() {
    let (first, second, other) = tokio::join!(
        by_tenant(Path("acme".into()), HOLD),
        by_tenant(Path("acme".into()), Duration::ZERO),
        by_tenant(Path("globex".into()), Duration::ZERO),
    );
    assert_eq!(first.unwrap(), "acme");
    assert!(overloaded(&second), "{second:?}");
    assert_eq!(other.unwrap(), "globex");

    let (first, second, other) = tokio::join!(
        by_first((1, 1), HOLD),
        by_first((1, 2), Duration::ZERO),
        by_first((2, 1), Duration::ZERO),
    );
    assert_eq!((first.unwrap(), other.unwrap()), (2, 3));
    assert!(overloaded(&second), "{second:?}");
}

#[tokio::test]
async fn a_borrowed_key_is_kept_in_its_owned_form() {
    let (ann, also_ann) = (String::from("ann"), String::from("ann"));
    let (first, second, other) = tokio::join!(
        by_user(&ann, HOLD),
        by_user(&also_ann, Duration::ZERO),
        by_user("bob", Duration::ZERO),
    );
    assert_eq!((first.unwrap(), other.unwrap()), (3, 3));
    assert!(overloaded(&second), "{second:?}");
    drop((ann, also_ann));

    let (first, second) = tokio::join!(by_bytes(b"k", HOLD), by_bytes(b"k", Duration::ZERO));
    assert_eq!(first.unwrap(), 1);
    assert!(overloaded(&second), "{second:?}");
}

#[async_trait::async_trait]
trait Job {
    async fn run(self: Arc<Self>) -> Result<usize, BoxError>;
}

#[async_trait::async_trait]
impl Job for Shared {
    // `#[async_trait]` expands first and leaves `Box::pin(async move { let __self = self; .. })`.
    #[supervised(restart = "on_failure", max_restarts = 5, backoff = "1ms..1ms")]
    #[bounded(1)]
    async fn run(self: Arc<Self>) -> Result<usize, BoxError> {
        attempt(&self.attempts, 2)
    }
}

impl Shared {
    // `#[bounded]` wraps first; the restarting scope then clones `self` around its permit.
    #[bounded(1)]
    #[supervised(restart = "on_failure", max_restarts = 5, backoff = "1ms..1ms")]
    async fn bounded_then_restarted(self: Arc<Self>) -> Result<usize, BoxError> {
        attempt(&self.attempts, 2)
    }
}

#[tokio::test]
async fn an_arc_receiver_restarts_under_async_trait_and_bounded() {
    let shared = Arc::new(Shared {
        attempts: AtomicUsize::new(0),
    });
    assert_eq!(shared.clone().run().await.unwrap(), 2);
    shared.attempts.store(0, Ordering::SeqCst);
    assert_eq!(shared.clone().bounded_then_restarted().await.unwrap(), 2);
    assert_eq!(Arc::strong_count(&shared), 1);
}

/// An application's error type behind its own alias, as in most services.
#[derive(Debug)]
struct AppError(String);

impl From<Failure> for AppError {
    fn from(failure: Failure) -> Self {
        AppError(failure.to_string())
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type AppResult<T> = Result<T, AppError>;

/// Like `anyhow::Result`: one parameter, the error defaulted.
mod anyhowish {
    pub type Result<T, E = warden::BoxError> = core::result::Result<T, E>;
}

#[supervised(timeout = "10ms")]
async fn alias_times_out() -> AppResult<()> {
    tokio::time::sleep(Duration::from_secs(5)).await;
    Ok(())
}

#[supervised(restart = "on_failure", max_restarts = 3, backoff = "1ms..1ms")]
async fn alias_restarts(attempts: Arc<AtomicUsize>) -> AppResult<usize> {
    attempt(&attempts, 2).map_err(|e| AppError(e.to_string()))
}

#[bounded(1, reject)]
async fn alias_rejects(hold: Duration) -> anyhowish::Result<()> {
    tokio::time::sleep(hold).await;
    Ok(())
}

#[tokio::test]
async fn result_aliases_carry_warden_failures() {
    let error = alias_times_out().await.unwrap_err();
    assert!(error.0.contains("timed out after 10ms"), "{error}");

    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(alias_restarts(attempts.clone()).await.unwrap(), 2);

    let (first, second) = tokio::join!(alias_rejects(HOLD), alias_rejects(Duration::ZERO));
    first.unwrap();
    let error = second.unwrap_err();
    assert!(error.to_string().contains("is overloaded"), "{error}");
}
