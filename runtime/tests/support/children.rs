//! Children the tests spawn again and again: one that ignores cancellation, one that cleans up.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::flags::DropFlag;

/// A child that ignores cancellation and never ends on its own; `dropped` tells that it was
/// aborted (set even when it is dropped before its first poll).
pub fn stubborn(dropped: Arc<AtomicBool>) -> impl Future<Output = ()> + Send + 'static {
    let flag = DropFlag(dropped);
    async move {
        let _flag = flag;
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// A child that waits for its scope's cancellation, cleans up for `cleanup`, then sets `done`.
pub async fn cleans_up(cleanup: Duration, done: Arc<AtomicBool>) {
    warden_runtime::cancelled().await;
    tokio::time::sleep(cleanup).await;
    done.store(true, Ordering::SeqCst);
}
