//! `#[bounded]` at run time: limits hold under load in every mode, permits come back on every
//! exit path, per-key limits hold per key and forget idle keys, and snapshots tell the truth.

mod support;

use std::future::pending;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use tokio::sync::Barrier;
use tokio::time::timeout;
use warden_runtime::Failure;
use warden_runtime::bound::{Bound, BoundMode, BoundPermit, KeyedBound};

const CALLERS: usize = 1_000;
const LIMIT: usize = 4;
/// Upper bound on any wait in this file: a hang fails the test instead of the suite.
const PATIENCE: Duration = Duration::from_secs(10);

/// How many are inside the limited section now, and the most seen at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Gauge {
    async fn occupy(&self, hold: Duration) {
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.max.fetch_max(now, SeqCst);
        tokio::time::sleep(hold).await;
        self.now.fetch_sub(1, SeqCst);
    }
}

/// Starts `CALLERS` tasks released together by a barrier, each calling `call` once; returns how
/// many succeeded and how many got `Failure::Overloaded`.
async fn stampede<F, Fut>(call: F) -> (usize, usize)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), Failure>> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(CALLERS));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            let call = call();
            tokio::spawn(async move {
                barrier.wait().await;
                call.await
            })
        })
        .collect();
    let (mut ok, mut overloaded) = (0, 0);
    for task in tasks {
        match timeout(PATIENCE, task)
            .await
            .expect("caller hung")
            .expect("caller panicked")
        {
            Ok(()) => ok += 1,
            Err(Failure::Overloaded { limit, .. }) => {
                assert_eq!(limit, LIMIT);
                overloaded += 1;
            }
            Err(other) => panic!("unexpected failure {other}"),
        }
    }
    (ok, overloaded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wait_mode_admits_everyone_but_never_more_than_the_limit() {
    static BOUND: Bound = Bound::new("tests::wait", LIMIT);
    let gauge = Arc::new(Gauge::default());
    let (ok, overloaded) = stampede(|| {
        let gauge = Arc::clone(&gauge);
        async move {
            BOUND.run(gauge.occupy(Duration::from_micros(200))).await;
            Ok(())
        }
    })
    .await;
    assert_eq!((ok, overloaded), (CALLERS, 0));
    let max = gauge.max.load(SeqCst);
    assert!((2..=LIMIT).contains(&max), "max in flight {max}");
    let snap = BOUND.snapshot();
    assert_eq!((snap.in_flight, snap.waiting, snap.rejected), (0, 0, 0));
    assert!(
        snap.max_in_flight <= LIMIT && snap.max_in_flight >= max,
        "{snap:?}"
    );
}

/// `CALLERS` callers of `bound` at once in `mode`, each holding its permit 2 ms: how many got
/// in and how many were turned away, after the checks every mode shares (the limit held, each
/// refusal counted, nothing left in flight or waiting).
async fn stampede_in(bound: &'static Bound, mode: BoundMode) -> (usize, usize) {
    let gauge = Arc::new(Gauge::default());
    let (ok, overloaded) = stampede(|| {
        let gauge = Arc::clone(&gauge);
        async move {
            bound
                .run_or_fail(mode, async move {
                    gauge.occupy(Duration::from_millis(2)).await;
                    Ok(())
                })
                .await
        }
    })
    .await;
    assert_eq!(ok + overloaded, CALLERS);
    assert!(gauge.max.load(SeqCst) <= LIMIT);
    let snap = bound.snapshot();
    assert_eq!(snap.rejected, overloaded as u64);
    assert_eq!((snap.in_flight, snap.waiting), (0, 0));
    assert!(snap.max_in_flight <= LIMIT);
    (ok, overloaded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reject_mode_turns_away_at_once_and_counts_it() {
    static BOUND: Bound = Bound::new("tests::reject", LIMIT);
    let (ok, overloaded) = stampede_in(&BOUND, BoundMode::Reject).await;
    assert!(
        ok >= LIMIT && overloaded > 0,
        "ok {ok}, overloaded {overloaded}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deadline_mode_waits_then_turns_away() {
    static BOUND: Bound = Bound::new("tests::deadline", LIMIT);
    let mode = BoundMode::WaitFor(Duration::from_millis(20));
    let (ok, overloaded) = stampede_in(&BOUND, mode).await;
    // The first LIMIT get in at once; some more get in by waiting; most time out.
    assert!(
        ok > LIMIT && overloaded > 0,
        "ok {ok}, overloaded {overloaded}"
    );
}

/// Asserts the single permit of `bound` is free again.
fn assert_released(bound: &'static Bound) {
    assert_eq!(bound.in_flight(), 0, "{:?}", bound.snapshot());
    let again = futures::FutureExt::now_or_never(bound.acquire(BoundMode::Reject));
    assert!(
        matches!(again, Some(Ok(_))),
        "permit of {} was not released",
        bound.snapshot().name
    );
}

#[tokio::test]
async fn permit_is_released_on_completion() {
    static BOUND: Bound = Bound::new("tests::release_ok", 1);
    assert_eq!(BOUND.run(async { 5 }).await, 5);
    assert_released(&BOUND);
}

#[tokio::test]
async fn permit_is_released_on_error() {
    static BOUND: Bound = Bound::new("tests::release_err", 1);
    let result: Result<(), Failure> = BOUND
        .run_or_fail(BoundMode::Reject, async {
            Err(Failure::Cancelled {
                scope: "body".into(),
            })
        })
        .await;
    assert!(result.unwrap_err().is_cancelled());
    assert_released(&BOUND);
}

#[tokio::test]
async fn permit_is_released_on_panic() {
    static BOUND: Bound = Bound::new("tests::release_panic", 1);
    let task = tokio::spawn(BOUND.run(async { panic!("body panicked") }));
    let joined: Result<(), _> = timeout(PATIENCE, task).await.unwrap();
    assert!(joined.unwrap_err().is_panic());
    assert_released(&BOUND);
}

#[test]
fn permit_is_released_while_a_panicking_poll_unwinds() {
    // `run` is a hand-written future (it stores the body once): it must still give the permit
    // back during the unwind, as an `async fn` did, even if whoever caught the panic keeps it.
    static BOUND: Bound = Bound::new("tests::release_unwind", 1);
    let mut call = std::pin::pin!(BOUND.run(async { panic!("body panicked") }));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let polled =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call.as_mut().poll(&mut cx)));
    assert!(polled.is_err());
    assert_released(&BOUND);
}

#[tokio::test]
async fn permit_is_released_when_dropped_mid_way() {
    static BOUND: Bound = Bound::new("tests::release_drop", 1);
    // The body holds the permit and never finishes; the caller gives up.
    let gave_up = timeout(Duration::from_millis(10), BOUND.run(pending::<()>())).await;
    assert!(gave_up.is_err());
    assert_released(&BOUND);
}

#[tokio::test]
async fn a_dropped_waiter_is_no_longer_counted_and_does_not_take_a_permit() {
    static BOUND: Bound = Bound::new("tests::drop_waiter", 1);
    let holder = BOUND.acquire(BoundMode::Wait).await.unwrap();
    let waited = timeout(Duration::from_millis(10), BOUND.run(async {})).await;
    assert!(waited.is_err());
    assert_eq!(BOUND.snapshot().waiting, 0);
    drop(holder);
    assert_released(&BOUND);
}

#[tokio::test]
async fn overloaded_names_the_fn_and_its_limit() {
    static BOUND: Bound = Bound::new("tests::overloaded_message", 1);
    let _held = BOUND.acquire(BoundMode::Wait).await.unwrap();
    let failure = BOUND.acquire(BoundMode::Reject).await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "`tests::overloaded_message` is overloaded: its limit of 1 is reached"
    );
}

#[tokio::test]
async fn every_bound_used_is_listed_in_metrics() {
    static LISTED: Bound = Bound::new("tests::listed", 3);
    static LISTED_KEYED: KeyedBound = KeyedBound::new("tests::listed_keyed", 2);
    static NEVER_USED: Bound = Bound::new("tests::never_used", 1);
    LISTED.run(async {}).await;
    LISTED_KEYED.run("k", async {}).await;
    let bounds = warden_runtime::metrics::bounds();
    let find = |name: &str| bounds.iter().find(|b| b.name == name).cloned();
    let listed = find("tests::listed").expect("plain bound listed");
    assert_eq!(
        (listed.limit, listed.per_key, listed.max_in_flight),
        (3, false, 1)
    );
    let keyed = find("tests::listed_keyed").expect("keyed bound listed");
    assert_eq!((keyed.limit, keyed.per_key, keyed.keys), (2, true, 0));
    assert!(find(NEVER_USED.snapshot().name).is_none());
    // Listed once however often it runs.
    LISTED.run(async {}).await;
    let count = warden_runtime::metrics::bounds()
        .iter()
        .filter(|b| b.name == "tests::listed")
        .count();
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn per_key_limits_hold_per_key_and_the_map_empties() {
    const KEYS: usize = 10;
    static BOUND: KeyedBound = KeyedBound::new("tests::per_key", 2);
    let gauges: Arc<Vec<Gauge>> = Arc::new((0..KEYS).map(|_| Gauge::default()).collect());
    let total = Arc::new(Gauge::default());
    let tasks: Vec<_> = (0..CALLERS)
        .map(|i| {
            let (gauges, total) = (Arc::clone(&gauges), Arc::clone(&total));
            let key = format!("client-{}", i % KEYS);
            tokio::spawn(async move {
                BOUND
                    .run(key, async move {
                        let hold = Duration::from_micros(300);
                        tokio::join!(gauges[i % KEYS].occupy(hold), total.occupy(hold));
                    })
                    .await;
            })
        })
        .collect();
    for task in tasks {
        timeout(PATIENCE, task)
            .await
            .expect("caller hung")
            .expect("caller panicked");
    }
    for (key, gauge) in gauges.iter().enumerate() {
        let max = gauge.max.load(SeqCst);
        assert!((1..=2).contains(&max), "key {key} had {max} in flight");
    }
    // Distinct keys do not share one limit.
    assert!(
        total.max.load(SeqCst) > 2,
        "total max {}",
        total.max.load(SeqCst)
    );
    let snap = BOUND.snapshot();
    assert_eq!(
        (snap.keys, snap.in_flight, snap.waiting),
        (0, 0, 0),
        "{snap:?}"
    );
    assert!(snap.max_in_flight <= 2);
}

#[tokio::test]
async fn per_key_reject_counts_and_forgets_the_key() {
    static BOUND: KeyedBound = KeyedBound::new("tests::per_key_reject", 1);
    let held = BOUND.acquire(BoundMode::Wait, 7_u32).await.unwrap();
    assert_eq!(*held.key(), 7);
    assert!(matches!(
        BOUND.acquire(BoundMode::Reject, 7_u32).await,
        Err(Failure::Overloaded { .. })
    ));
    let deadline = BOUND
        .acquire(BoundMode::WaitFor(Duration::from_millis(5)), 7_u32)
        .await;
    assert!(matches!(deadline, Err(Failure::Overloaded { .. })));
    // Another key is not affected.
    let other = BOUND.acquire(BoundMode::Reject, 8_u32).await.unwrap();
    let snap = BOUND.snapshot();
    assert_eq!(
        (snap.keys, snap.in_flight, snap.rejected, snap.waiting),
        (2, 2, 2, 0)
    );
    drop((held, other));
    assert_eq!(BOUND.snapshot().keys, 0);
}

#[tokio::test]
async fn per_key_permit_released_on_panic_and_drop() {
    static BOUND: KeyedBound = KeyedBound::new("tests::per_key_release", 1);
    let task = tokio::spawn(BOUND.run(1_u8, async { panic!("body panicked") }));
    let joined: Result<(), _> = timeout(PATIENCE, task).await.unwrap();
    assert!(joined.unwrap_err().is_panic());
    assert!(
        timeout(Duration::from_millis(10), BOUND.run(1_u8, pending::<()>()))
            .await
            .is_err()
    );
    let snap = BOUND.snapshot();
    assert_eq!((snap.keys, snap.in_flight), (0, 0));
    assert!(BOUND.acquire(BoundMode::Reject, 1_u8).await.is_ok());
}

/// A generic fn has one `static` for all its instantiations: the keys of different types share
/// the bound but never a key.
async fn generic_call<K: std::hash::Hash + Eq + Clone + Send + Sync + 'static>(
    key: K,
) -> Result<(), Failure> {
    static BOUND: KeyedBound = KeyedBound::new("tests::generic", 1);
    BOUND
        .run_or_fail_with(BoundMode::Reject, key, pending)
        .await
}

#[tokio::test]
async fn a_generic_fn_shares_its_bound_but_keys_of_distinct_types_differ() {
    let both = async {
        tokio::join!(
            generic_call(1_u32),
            generic_call(1_u64),
            generic_call(1_u32)
        )
    };
    let (a, b, c) = timeout(Duration::from_millis(20), async {
        let mut both = std::pin::pin!(both);
        std::future::poll_fn(|cx| {
            let _ = both.as_mut().poll(cx);
            std::task::Poll::Ready(())
        })
        .await;
        // First poll: u32 and u64 got in (pending forever), the second u32 was rejected.
        let bounds = warden_runtime::metrics::bounds();
        let snap = bounds.iter().find(|b| b.name == "tests::generic").unwrap();
        (snap.in_flight, snap.keys, snap.rejected)
    })
    .await
    .expect("polling hung");
    assert_eq!((a, b, c), (2, 2, 1));
}

/// Lets a caller of `bound` wait 40 ms (twice the threshold the tests below set) behind `held`,
/// then lets it in and waits for it.
async fn wait_past_the_threshold(bound: &'static Bound, held: BoundPermit) {
    let waiter = tokio::spawn(bound.run(async {}));
    tokio::time::sleep(Duration::from_millis(40)).await;
    drop(held);
    timeout(PATIENCE, waiter).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_long_wait_is_logged_with_the_bound_name() {
    static BOUND: Bound = Bound::new("tests::slow_wait", 1);
    let capture = support::Capture::global();
    warden_runtime::settings::set_wait_warning(Some(Duration::from_millis(20)));
    let held = BOUND.acquire(BoundMode::Wait).await.unwrap();
    wait_past_the_threshold(&BOUND, held).await;
    let events = capture.events_with("bound", "tests::slow_wait");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].level, tracing::Level::WARN);
    assert_eq!(events[0].target, "warden::bound");
    // A quick pass is not logged.
    BOUND.run(async {}).await;
    assert_eq!(capture.events_with("bound", "tests::slow_wait").len(), 1);
}

/// A plain bound times one waiting caller at a time; one whose wait is cancelled must hand the
/// timer on, or no later wait of that bound would ever be warned about.
#[tokio::test]
async fn a_long_wait_is_logged_after_the_timed_caller_was_cancelled() {
    static BOUND: Bound = Bound::new("tests::slow_wait_cancelled", 1);
    let capture = support::Capture::global();
    warden_runtime::settings::set_wait_warning(Some(Duration::from_millis(20)));
    let held = BOUND.acquire(BoundMode::Wait).await.unwrap();
    // The first waiter is the timed one; dropped mid-wait.
    let cancelled = tokio::spawn(BOUND.run(async {}));
    tokio::time::sleep(Duration::from_millis(5)).await;
    cancelled.abort();
    assert!(cancelled.await.unwrap_err().is_cancelled());
    wait_past_the_threshold(&BOUND, held).await;
    let events = capture.events_with("bound", "tests::slow_wait_cancelled");
    assert_eq!(events.len(), 1, "{events:?}");
}

/// A key admits its first callers by a count and, once full, queues the next on a semaphore:
/// the queued ones get in one at a time, in arrival order, as the counted ones leave.
#[tokio::test(flavor = "current_thread")]
async fn a_full_key_admits_its_waiters_in_arrival_order() {
    static BOUND: KeyedBound = KeyedBound::new("tests::per_key_order", 1);
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let first = tokio::spawn(BOUND.run("k", async move {
        released.await.ok();
    }));
    tokio::task::yield_now().await;
    let waiters: Vec<_> = (1..=3)
        .map(|i| {
            let order = Arc::clone(&order);
            tokio::spawn(BOUND.run("k", async move {
                order.lock().unwrap().push(i);
                tokio::task::yield_now().await;
            }))
        })
        .collect();
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    assert!(
        order.lock().unwrap().is_empty(),
        "a waiter ran beside the first"
    );
    assert_eq!(BOUND.snapshot().waiting, 3);
    release.send(()).unwrap();
    first.await.unwrap();
    for w in waiters {
        timeout(PATIENCE, w).await.expect("a waiter hung").unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [1, 2, 3]);
    let snap = BOUND.snapshot();
    assert_eq!((snap.keys, snap.in_flight, snap.max_in_flight), (0, 0, 1));
}
