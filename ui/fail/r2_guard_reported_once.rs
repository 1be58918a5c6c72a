// R2: a guard alive at several `.await`s is reported once, at the first, with one note.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(counter: &Mutex<u64>) {
    let mut count = counter.lock().unwrap();
    *count += 1;
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
