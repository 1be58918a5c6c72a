//! Bounds on waiting, so that a broken test fails instead of hanging.

use std::future::Future;
use std::time::Duration;

/// Fails the test instead of hanging it (in paused time, the bound passes instantly).
pub async fn bounded<F: Future>(fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), fut)
        .await
        .expect("the test hung: bound of 30 s reached")
}

/// Waits (bounded) until `cond` holds, polling every millisecond.
pub async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let r = tokio::time::timeout(Duration::from_secs(10), async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert!(r.is_ok(), "never happened: {what}");
}
