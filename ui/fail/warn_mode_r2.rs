// warn mode: a guard across `.await` becomes a warning too; `deny(warnings)` shows it here.
#![deny(warnings)]
use std::sync::Mutex;

#[warden::no_blocking(warn)]
async fn handler(counter: &Mutex<u64>) {
    let mut count = counter.lock().unwrap();
    *count += 1;
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
