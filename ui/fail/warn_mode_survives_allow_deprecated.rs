// warn mode: an `#![allow(deprecated)]` of the crate (common when migrating an old API) does not
// hide warden's warnings; `deny(warnings)` still turns them into errors, so they show here.
#![allow(deprecated)]
#![deny(warnings)]
use std::sync::Mutex;

#[allow(deprecated)]
#[warden::no_blocking(warn)]
async fn handler(counter: &Mutex<u64>) {
    std::thread::sleep(std::time::Duration::from_millis(1));
    let mut count = counter.lock().unwrap();
    *count += 1;
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
