// R2: a `std::sync::Mutex` guard bound by `let` is still alive at a later `.await`.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(counter: &Mutex<u64>) {
    let mut guard = counter.lock().unwrap();
    *guard += 1;
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
