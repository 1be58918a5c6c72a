// R2: the `.await` sits in a nested block (`if`, loop) while the outer guard is alive.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(counter: &Mutex<u64>, flush: bool) {
    let mut count = counter.lock().unwrap();
    *count += 1;
    if flush {
        for _ in 0..2 {
            tokio::task::yield_now().await;
        }
    }
}

fn main() {
    let _ = handler;
}
