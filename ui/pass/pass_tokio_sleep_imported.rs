// A bare `sleep` imported from `tokio::time` and awaited is not `std::thread::sleep`.
use std::time::Duration;
use tokio::time::sleep;

#[warden::no_blocking]
async fn handler() {
    sleep(Duration::from_millis(10)).await;
}

fn main() {
    let _ = handler();
}
