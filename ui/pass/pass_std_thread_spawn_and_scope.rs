// Closures for `std::thread::spawn`, `Builder::spawn` and `std::thread::scope` run on threads.
use std::time::Duration;

#[warden::no_blocking]
async fn background() {
    let _handle = std::thread::spawn(|| std::thread::sleep(Duration::from_millis(1)));
    let _named = std::thread::Builder::new()
        .name("worker".into())
        .spawn(|| std::fs::read("a"));
    std::thread::scope(|s| {
        s.spawn(|| std::thread::sleep(Duration::from_millis(1)));
    });
}

fn main() {
    let _ = background();
}
