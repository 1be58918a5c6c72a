// The returned future stays `Send` (a guard released in time does not leak into it).
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(counter: &Mutex<u64>) -> u64 {
    let value = *counter.lock().unwrap();
    tokio::task::yield_now().await;
    value
}

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let counter = Mutex::new(0);
    assert_send(&handler(&counter));
}
