// R2: a `std::sync::RwLock` write guard alive at a later `.await`.
use std::sync::RwLock;

#[warden::no_blocking]
async fn handler(config: &RwLock<String>) {
    let mut config = config.write().unwrap();
    config.push('!');
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
