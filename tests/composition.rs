//! The attributes compose: with each other in both orders, with `#[tracing::instrument]`,
//! `#[async_trait]` (both orders), native async fn in traits, every receiver kind, generics and
//! lifetimes, and `#[tokio::test]` written below them. The user's strictest lints hold.

#![deny(unused_qualifications)]
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use warden::{Failure, bounded, no_blocking, supervised};

fn assert_send<T: Send>(_: &T) {}

// `#[supervised]` first: its scope runs inside the permit, which is held across restarts.
#[supervised(restart = "on_failure", max_restarts = 2, backoff = "1ms..1ms")]
#[bounded(1)]
async fn permit_outside(attempts: Arc<AtomicUsize>) -> Result<usize, Failure> {
    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 3 {
        return Err(Failure::Cancelled {
            scope: "try again".into(),
        });
    }
    Ok(n)
}

// `#[bounded]` first: each attempt takes the permit anew and gives it back during backoff.
#[bounded(1)]
#[supervised(restart = "on_failure", max_restarts = 2, backoff = "1ms..1ms")]
async fn permit_inside(attempts: Arc<AtomicUsize>) -> Result<usize, Failure> {
    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 3 {
        return Err(Failure::Overloaded {
            name: "try again".into(),
            limit: 1,
        });
    }
    Ok(n)
}

#[tokio::test]
async fn bounded_and_supervised_compose_in_both_orders() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let call = permit_outside(attempts.clone());
    assert_send(&call);
    assert_eq!(call.await.unwrap(), 3);
    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(permit_inside(attempts.clone()).await.unwrap(), 3);
}

#[no_blocking]
#[supervised]
#[tracing::instrument(skip(items))]
async fn checked_supervised_traced(items: Vec<u32>) -> Result<u32, Failure> {
    let child = warden::spawn(async move { Ok::<_, Failure>(items.iter().sum::<u32>()) }).await;
    child.await
}

#[tracing::instrument]
#[supervised]
#[no_blocking]
async fn traced_supervised_checked(n: u32) -> Result<u32, Failure> {
    tokio::task::yield_now().await;
    Ok(n * 2)
}

#[tokio::test]
async fn no_blocking_supervised_and_instrument_in_either_order() {
    assert_eq!(checked_supervised_traced(vec![1, 2, 3]).await.unwrap(), 6);
    assert_eq!(traced_supervised_checked(21).await.unwrap(), 42);
}

struct Counter {
    hits: AtomicUsize,
    total: u64,
}

#[supervised]
#[bounded(4)]
impl Counter {
    async fn by_ref(&self) -> Result<usize, Failure> {
        Ok(self.hits.fetch_add(1, Ordering::SeqCst) + 1)
    }

    async fn by_mut(&mut self, add: u64) -> Result<u64, Failure> {
        self.total += add;
        Ok(self.total)
    }

    async fn by_arc(self: Arc<Self>) -> Result<usize, Failure> {
        Ok(self.hits.load(Ordering::SeqCst))
    }

    async fn generic<'a, T>(&self, items: &'a [T]) -> Result<&'a T, Failure>
    where
        T: Sync,
    {
        items.first().ok_or(Failure::Cancelled {
            scope: "empty".into(),
        })
    }

    /// Sync fns in an annotated impl are left alone.
    fn sync_helper(&self) -> u64 {
        self.total
    }
}

#[tokio::test]
async fn every_receiver_kind_in_an_annotated_impl() {
    let mut counter = Counter {
        hits: AtomicUsize::new(0),
        total: 0,
    };
    assert_eq!(counter.by_ref().await.unwrap(), 1);
    assert_eq!(counter.by_mut(5).await.unwrap(), 5);
    assert_eq!(counter.generic(&["a", "b"]).await.unwrap(), &"a");
    assert_eq!(counter.sync_helper(), 5);
    assert_eq!(Arc::new(counter).by_arc().await.unwrap(), 1);
}

trait Store {
    async fn get(&self, key: u32) -> Result<u32, Failure>;
}

struct Native;

impl Store for Native {
    #[supervised]
    #[no_blocking]
    async fn get(&self, key: u32) -> Result<u32, Failure> {
        Ok(key + 1)
    }
}

#[async_trait::async_trait]
trait BoxedStore {
    async fn get(&self, key: u32) -> Result<u32, Failure>;
}

struct TraitFirst;

// `#[async_trait]` expands first and hands warden a sync fn returning `Box::pin(async ..)`.
#[async_trait::async_trait]
impl BoxedStore for TraitFirst {
    #[supervised]
    #[bounded(2)]
    async fn get(&self, key: u32) -> Result<u32, Failure> {
        let child = warden::spawn(async move { Ok::<_, Failure>(key * 10) }).await;
        child.await
    }
}

struct WardenFirst;

// warden expands first, on the still-async fns, then `#[async_trait]` boxes them.
#[supervised]
#[async_trait::async_trait]
impl BoxedStore for WardenFirst {
    async fn get(&self, key: u32) -> Result<u32, Failure> {
        Ok(key * 100)
    }
}

#[tokio::test]
async fn trait_impls_native_and_async_trait_in_both_orders() {
    assert_eq!(Native.get(1).await.unwrap(), 2);
    let boxed = TraitFirst.get(2);
    assert_send(&boxed);
    assert_eq!(boxed.await.unwrap(), 20);
    assert_eq!(WardenFirst.get(3).await.unwrap(), 300);
}

// warden above `#[tokio::test]`: it sees the async fn before tokio makes it sync.
#[supervised]
#[no_blocking]
#[tokio::test]
async fn warden_above_tokio_test() -> Result<(), Failure> {
    let child = warden::spawn(async { Ok::<_, Failure>(()) }).await;
    child.await
}

// `#[no_blocking]` below `#[tokio::test]` checks the async block tokio leaves.
#[tokio::test]
#[no_blocking]
async fn no_blocking_below_tokio_test() {
    tokio::task::yield_now().await;
}

// `#[tokio::test]` above: tokio hands warden a sync fn that binds `let body = async { .. }`, and
// warden wraps that future.
#[tokio::test]
#[supervised(timeout = "5s")]
#[bounded(2)]
async fn tokio_test_above_warden() -> Result<(), Failure> {
    let child = warden::spawn(async { Ok::<_, Failure>(5) }).await;
    assert_eq!(child.await?, 5);
    assert!(
        warden::metrics::scope_stats().is_some(),
        "the test body runs inside a scope"
    );
    Ok(())
}
