// R2: a `std::sync::RwLock` read guard alive at a later `.await`.
use std::sync::RwLock;

#[warden::no_blocking]
async fn handler(config: &RwLock<String>) -> usize {
    let config = config.read().unwrap();
    tokio::task::yield_now().await;
    config.len()
}

fn main() {
    let _ = handler;
}
