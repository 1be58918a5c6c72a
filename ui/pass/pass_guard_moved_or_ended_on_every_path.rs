// R2: a guard moved away (passed by value, moved into a value that ends) or ended on every
// path that reaches the `.await` is not held there.
use std::sync::{Mutex, MutexGuard};

fn finish(guard: MutexGuard<'_, Vec<u8>>) -> usize {
    guard.len()
}

#[warden::no_blocking]
async fn handler(m: &Mutex<Vec<u8>>, early: bool) -> usize {
    let guard = m.lock().unwrap();
    let mut total = finish(guard);
    tokio::task::yield_now().await;

    let guard = m.lock().unwrap();
    if early {
        drop(guard);
    } else {
        total += finish(guard);
    }
    tokio::task::yield_now().await;

    let guard = m.lock().unwrap();
    let held = Some(guard);
    drop(held);
    tokio::task::yield_now().await;

    let mut guard = m.lock().unwrap();
    loop {
        if guard.is_empty() {
            drop(guard);
            break;
        }
        guard.pop();
    }
    tokio::task::yield_now().await;
    total
}

fn main() {
    let _ = handler;
}
