// A `recv()` future pinned, passed on or adapted before `.await` is not `std::sync::mpsc::recv`.
use std::future::{Future, IntoFuture};
use std::pin::pin;
use tokio::sync::mpsc;

#[warden::no_blocking]
async fn next(rx: &mut mpsc::Receiver<u8>) -> Option<u8> {
    let first = rx.recv().into_future().await;
    let fut = pin!(rx.recv());
    let fut: std::pin::Pin<&mut dyn Future<Output = Option<u8>>> = fut;
    first.or(fut.await)
}

fn main() {
    let _ = next;
}
