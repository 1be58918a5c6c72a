// Awaiting a tokio lock in its own statement, then using the value: no guard spans an `.await`.
use tokio::sync::{Mutex, RwLock};

#[warden::no_blocking]
async fn handler(m: &Mutex<u64>, rw: &RwLock<Vec<u8>>) -> usize {
    *m.lock().await += 1;
    let len = rw.read().await.len();
    let first = rw.read().await.first().copied();
    tokio::task::yield_now().await;
    len + usize::from(first.unwrap_or(0))
}

fn main() {
    let _ = handler;
}
