// R2: guards taken with `.expect(..)`, `.map_err(..)?` or `.unwrap_or_else(..)` are guards too.
use std::sync::{Mutex, PoisonError};

#[warden::no_blocking]
async fn handler(a: &Mutex<u8>, b: &Mutex<u8>, c: &Mutex<u8>) -> Result<(), String> {
    {
        let _a = a.lock().expect("poisoned");
        tokio::task::yield_now().await;
    }
    {
        let _b = b.lock().map_err(|e| e.to_string())?;
        tokio::task::yield_now().await;
    }
    let _c = c.lock().unwrap_or_else(PoisonError::into_inner);
    tokio::task::yield_now().await;
    Ok(())
}

fn main() {
    let _ = handler;
}
