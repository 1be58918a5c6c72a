//! `#[bounded]` end to end: the limit holds under load in every mode, per key, and a permit is
//! released on every exit path.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use warden::{Failure, bounded};

/// Tracks how many calls are inside a fn at once, and the most ever seen.
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl InFlight {
    const fn new() -> Self {
        InFlight {
            now: AtomicUsize::new(0),
            max: AtomicUsize::new(0),
        }
    }

    async fn hold(&self, for_: Duration) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(for_).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
    }

    fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

const LIMIT: usize = 4;

static WAITING: InFlight = InFlight::new();
#[bounded(4)]
async fn waiting() -> u32 {
    WAITING.hold(Duration::from_millis(1)).await;
    7
}

static REJECTING: InFlight = InFlight::new();
#[bounded(LIMIT, reject)]
async fn rejecting() -> Result<(), Failure> {
    REJECTING.hold(Duration::from_millis(5)).await;
    Ok(())
}

static DEADLINE: InFlight = InFlight::new();
#[bounded(4, wait = "2ms")]
async fn with_deadline() -> Result<(), Failure> {
    DEADLINE.hold(Duration::from_millis(5)).await;
    Ok(())
}

async fn callers<F, Fut>(n: usize, call: F) -> Vec<Fut::Output>
where
    F: Fn() -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|_| tokio::spawn(call())).collect();
    let mut out = Vec::with_capacity(n);
    for handle in handles {
        out.push(handle.await.expect("caller task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiting_mode_never_exceeds_the_limit_and_serves_everyone() {
    let results = tokio::time::timeout(Duration::from_secs(20), callers(1_000, waiting))
        .await
        .expect("no hang");
    assert_eq!(results.len(), 1_000);
    assert!(results.iter().all(|&v| v == 7));
    assert!(WAITING.max() <= 4, "max in flight {}", WAITING.max());
    assert!(WAITING.max() >= 2, "the load should have overlapped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reject_mode_fails_fast_and_counts_match() {
    let results = tokio::time::timeout(Duration::from_secs(20), callers(1_000, rejecting))
        .await
        .expect("no hang");
    let rejected = results
        .iter()
        .filter(|r| matches!(r, Err(Failure::Overloaded { limit: 4, .. })))
        .count();
    assert!(
        REJECTING.max() <= LIMIT,
        "max in flight {}",
        REJECTING.max()
    );
    assert!(
        rejected > 0,
        "1,000 callers against 4 slots must see rejections"
    );
    let snapshot = warden::metrics::bounds()
        .into_iter()
        .find(|b| b.name.ends_with("::rejecting"))
        .expect("the bound is listed");
    assert_eq!(snapshot.rejected, rejected as u64);
    assert_eq!(snapshot.in_flight, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deadline_mode_waits_then_fails() {
    let results = tokio::time::timeout(Duration::from_secs(20), callers(1_000, with_deadline))
        .await
        .expect("no hang");
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert!(DEADLINE.max() <= 4);
    assert!(ok >= 4, "the first callers get through");
    assert!(
        ok < 1_000,
        "5ms bodies behind 4 slots cannot all make a 2ms deadline"
    );
}

static PER_KEY: [InFlight; 3] = [InFlight::new(), InFlight::new(), InFlight::new()];
static ALL_KEYS: InFlight = InFlight::new();
#[bounded(2, per = client)]
async fn per_client(client: usize) {
    let all = ALL_KEYS.now.fetch_add(1, Ordering::SeqCst) + 1;
    ALL_KEYS.max.fetch_max(all, Ordering::SeqCst);
    PER_KEY[client].hold(Duration::from_millis(2)).await;
    ALL_KEYS.now.fetch_sub(1, Ordering::SeqCst);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn per_key_limits_hold_per_key_and_the_map_empties() {
    let calls: Vec<_> = (0..600).map(|i| tokio::spawn(per_client(i % 3))).collect();
    tokio::time::timeout(Duration::from_secs(20), futures_join(calls.into_iter()))
        .await
        .expect("no hang");
    for (key, seen) in PER_KEY.iter().enumerate() {
        assert!(seen.max() <= 2, "key {key}: max in flight {}", seen.max());
    }
    let snapshot = warden::metrics::bounds()
        .into_iter()
        .find(|b| b.name.ends_with("::per_client"))
        .unwrap();
    assert_eq!(snapshot.keys, 0, "no key is kept once its last call ended");
    assert!(
        ALL_KEYS.max() > 2,
        "different keys ran at the same time: {}",
        ALL_KEYS.max()
    );
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) {
    for handle in handles {
        handle.await.expect("task");
    }
}

#[bounded(1)]
async fn single(behaviour: &'static str) -> Result<(), &'static str> {
    match behaviour {
        "error" => Err("failed"),
        "panic" => panic!("on purpose"),
        "hang" => std::future::pending().await,
        _ => Ok(()),
    }
}

/// The only permit comes back after an error, a panic and a drop mid-way: the next call runs.
#[tokio::test]
async fn the_permit_is_released_on_every_exit_path() {
    let next_call = || tokio::time::timeout(Duration::from_secs(5), single("ok"));
    assert_eq!(single("error").await, Err("failed"));
    assert_eq!(next_call().await, Ok(Ok(())));
    assert!(tokio::spawn(single("panic")).await.is_err());
    assert_eq!(next_call().await, Ok(Ok(())));
    let hung = tokio::time::timeout(Duration::from_millis(10), single("hang")).await;
    assert!(hung.is_err(), "the hanging call was dropped by the timeout");
    assert_eq!(next_call().await, Ok(Ok(())));
}

struct Service {
    prefix: String,
}

impl Service {
    #[bounded(2)]
    async fn greet<T: std::fmt::Display + Send>(&self, who: T) -> String
    where
        Self: Sync,
    {
        tokio::task::yield_now().await;
        format!("{} {who}", self.prefix)
    }
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn methods_generics_and_send_futures() {
    let service = Service {
        prefix: "hello".into(),
    };
    let call = service.greet("warden");
    assert_send(&call);
    assert_eq!(call.await, "hello warden");
}

static BUILT: AtomicUsize = AtomicUsize::new(0);

/// A future built by code the macro cannot see into: building it is counted.
fn counted(n: u32) -> impl Future<Output = u32> + Send {
    BUILT.fetch_add(1, Ordering::SeqCst);
    async move { n }
}

/// A sync fn whose tail is `Box::pin(<expression>)`: the expression is not an `async move`
/// block, so the bound must not defer it (only an `async move` body is made once admitted).
#[bounded(1)]
fn built_by_other_code(n: u32) -> std::pin::Pin<Box<dyn Future<Output = u32> + Send>> {
    Box::pin(counted(n))
}

/// The expression is evaluated at the call, as written, before the future is polled; the call
/// then takes the permit and returns the body's value.
#[tokio::test]
async fn a_future_built_by_other_code_is_built_at_the_call() {
    let before = BUILT.load(Ordering::SeqCst);
    let call = built_by_other_code(7);
    assert_eq!(
        BUILT.load(Ordering::SeqCst),
        before + 1,
        "built at the call"
    );
    assert_eq!(call.await, 7);
    assert_eq!(BUILT.load(Ordering::SeqCst), before + 1, "built once");
}
