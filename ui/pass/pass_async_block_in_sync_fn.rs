// A sync fn returning `Box::pin(async move {..})` (what `#[async_trait]` writes) is accepted.
use std::future::Future;
use std::pin::Pin;

#[warden::no_blocking]
fn handler(n: u8) -> Pin<Box<dyn Future<Output = u8> + Send>> {
    let start = std::time::Instant::now(); // sync part, before the future runs
    Box::pin(async move {
        tokio::task::yield_now().await;
        let _ = start;
        n
    })
}

fn main() {
    let _ = handler(1);
}
