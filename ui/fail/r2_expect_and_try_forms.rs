// R2: guards taken with `.expect(..)` or `?` are guards too.
use std::sync::{Mutex, PoisonError};

#[warden::no_blocking]
async fn handler(a: &Mutex<u8>, b: &Mutex<u8>) -> Result<(), PoisonError<std::sync::MutexGuard<'_, u8>>> {
    {
        let _a = a.lock().expect("poisoned");
        tokio::task::yield_now().await;
    }
    let _b = b.lock()?;
    tokio::task::yield_now().await;
    Ok(())
}

fn main() {
    let _ = handler;
}
