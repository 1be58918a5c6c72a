// The expansion is clean under a user crate's strict lint levels.
#![forbid(unsafe_code)]
#![deny(clippy::pedantic, unused_qualifications, warnings)]

use std::sync::Mutex;

/// A documented handler.
#[warden::no_blocking]
pub async fn handler(counter: &Mutex<u64>) -> u64 {
    let value = {
        let mut count = counter.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *count += 1;
        *count
    };
    #[warden::allow_blocking]
    std::thread::yield_now();
    tokio::task::yield_now().await;
    value
}

fn main() {
    let _ = handler;
}
