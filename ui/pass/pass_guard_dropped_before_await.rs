// A guard released with `drop(g)` (or `std::mem::drop(g)`) before the `.await` is fine.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(a: &Mutex<u64>, b: &Mutex<u64>) {
    let mut count = a.lock().unwrap();
    *count += 1;
    drop(count);
    tokio::task::yield_now().await;
    let other = b.lock().unwrap();
    std::mem::drop(other);
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
