// R2: inside a spawned `async` block, the block's own guards are tracked.
use std::sync::{Arc, Mutex};

#[warden::no_blocking]
async fn handler(state: Arc<Mutex<u64>>) {
    let _ = tokio::spawn(async move {
        let guard = state.lock().unwrap();
        tokio::task::yield_now().await;
        *guard
    })
    .await;
}

fn main() {
    let _ = handler;
}
