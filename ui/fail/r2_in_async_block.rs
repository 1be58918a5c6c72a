// R2: inside a nested `async` block, the block's own guards are tracked.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(state: &Mutex<u64>) -> u64 {
    let work = async {
        let guard = state.lock().unwrap();
        tokio::task::yield_now().await;
        *guard
    };
    work.await
}

fn main() {
    let _ = handler;
}
