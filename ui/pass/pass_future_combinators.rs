// A `recv()` future passed through combinators before `.await` is not `std::sync::mpsc::recv`.
use std::future::Future;
use std::pin::pin;
use tokio::sync::mpsc;

#[warden::no_blocking]
async fn next(rx: &mut mpsc::Receiver<u8>) -> Option<u8> {
    let fut = pin!(rx.recv());
    let fut: std::pin::Pin<&mut dyn Future<Output = Option<u8>>> = fut;
    fut.await
}

fn main() {
    let _ = next;
}
