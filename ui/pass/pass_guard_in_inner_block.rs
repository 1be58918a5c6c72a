// A guard taken in an inner block that ends before the `.await` is fine.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(counter: &Mutex<u64>) -> u64 {
    let value = {
        let mut count = counter.lock().unwrap();
        *count += 1;
        *count
    };
    tokio::task::yield_now().await;
    value
}

fn main() {
    let _ = handler;
}
