// A bare `sleep` that is a local async fn, bound and awaited later, is not a blocking call.
use std::time::Duration;

async fn sleep(_d: Duration) {}

#[warden::no_blocking]
async fn handler() {
    let pause = sleep(Duration::from_millis(1));
    pause.await;
    let pending = [sleep(Duration::ZERO)];
    for p in pending {
        p.await;
    }
}

fn main() {
    let _ = handler();
}
