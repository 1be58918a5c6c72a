// R1: `thread::sleep(d)` after a file-level `use std::thread;` the macro cannot see.
use std::thread;
use std::time::Duration;

#[warden::no_blocking]
async fn handler() {
    thread::sleep(Duration::from_millis(10));
}

fn main() {
    let _ = handler();
}
