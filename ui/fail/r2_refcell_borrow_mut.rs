// R2: a `RefCell::borrow_mut` guard alive at an `.await` (another task may borrow and panic).
use std::cell::RefCell;

#[warden::no_blocking]
async fn handler(cache: &RefCell<Vec<u8>>) {
    let mut cache = cache.borrow_mut();
    cache.push(1);
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
