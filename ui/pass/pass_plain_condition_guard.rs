// A guard in a plain `if` / `while` condition ends before the body runs: awaiting there is fine.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(queue: &Mutex<Vec<u8>>) {
    if queue.lock().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
    while queue.lock().unwrap().pop().is_some() {
        tokio::task::yield_now().await;
    }
}

fn main() {
    let _ = handler;
}
