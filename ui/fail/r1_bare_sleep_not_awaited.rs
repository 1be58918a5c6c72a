// R1: a bare imported `sleep(d);` whose result is dropped, not awaited, is `std::thread::sleep`.
use std::thread::sleep;
use std::time::Duration;

#[warden::no_blocking]
async fn handler() {
    sleep(Duration::from_millis(10));
}

fn main() {
    let _ = handler();
}
