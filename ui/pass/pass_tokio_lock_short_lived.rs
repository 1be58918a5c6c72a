// tokio locks awaited and released before the next `.await`.
use tokio::sync::{Mutex, RwLock};

#[warden::no_blocking]
async fn handler(m: &Mutex<u64>, rw: &RwLock<u64>) -> u64 {
    {
        let mut value = m.lock().await;
        *value += 1;
    }
    let read = *rw.read().await;
    *rw.write().await += read;
    tokio::task::yield_now().await;
    read
}

fn main() {
    let _ = handler;
}
