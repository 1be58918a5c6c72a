// R1: a `use` inside the body is resolved: `thread::sleep` after `use std::thread;`.
#[warden::no_blocking]
async fn handler() {
    use std::thread;
    use std::time::Duration;
    thread::sleep(Duration::from_millis(10));
}

fn main() {
    let _ = handler();
}
