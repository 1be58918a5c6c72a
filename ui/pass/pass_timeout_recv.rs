// `timeout(d, rx.recv()).await`: the `recv()` future is passed on, not blocked on.
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::timeout;

#[warden::no_blocking]
async fn next(rx: &mut mpsc::Receiver<u8>) -> Option<u8> {
    timeout(Duration::from_secs(1), rx.recv()).await.ok().flatten()
}

fn main() {
    let _ = next;
}
