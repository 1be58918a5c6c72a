// A temporary guard that ends with its statement is fine.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(counter: &Mutex<u64>) -> u64 {
    *counter.lock().unwrap() += 1;
    let snapshot = *counter.lock().unwrap();
    tokio::task::yield_now().await;
    snapshot
}

fn main() {
    let _ = handler;
}
