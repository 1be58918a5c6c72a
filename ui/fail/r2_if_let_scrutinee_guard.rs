// R2: a guard made in an `if let` scrutinee lives through the `if` body and its `.await`.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(queue: &Mutex<Vec<u8>>) {
    if let Some(last) = queue.lock().unwrap().last() {
        let _ = last;
        tokio::task::yield_now().await;
    }
}

fn main() {
    let _ = handler;
}
