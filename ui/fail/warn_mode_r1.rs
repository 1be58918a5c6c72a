// warn mode: findings become `deprecated` warnings; `deny(warnings)` shows them here.
#![deny(warnings)]
use std::time::Duration;

#[warden::no_blocking(warn)]
async fn handler() {
    std::thread::sleep(Duration::from_millis(10));
}

fn main() {
    let _ = handler();
}
