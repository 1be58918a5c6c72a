// `tokio::time` sleep, interval and timeout, awaited.
use std::time::Duration;
use tokio::time::{interval, sleep, timeout};

#[warden::no_blocking]
async fn tick() {
    let mut every = interval(Duration::from_millis(5));
    every.tick().await;
    sleep(Duration::from_millis(1)).await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    let _ = timeout(Duration::from_millis(1), sleep(Duration::from_millis(2))).await;
}

fn main() {
    let _ = tick();
}
