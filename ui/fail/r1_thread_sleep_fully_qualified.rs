// R1: `std::thread::sleep` written in full is rejected on the call.
use std::time::Duration;

#[warden::no_blocking]
async fn handler() {
    std::thread::sleep(Duration::from_millis(10));
}

fn main() {
    let _ = handler();
}
