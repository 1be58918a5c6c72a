// R1: in a sync fn that returns an `async` block, only the block is async code.
use std::future::Future;

#[warden::no_blocking]
fn handler() -> impl Future<Output = ()> {
    std::thread::sleep(std::time::Duration::from_millis(1)); // sync part: allowed
    async {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

fn main() {
    let _ = handler();
}
