// tokio channels, Notify and Barrier awaited: method names shared with blocking APIs.
use tokio::sync::{mpsc, oneshot, Barrier, Notify};

#[warden::no_blocking]
async fn handler(tx: mpsc::Sender<u8>, done: oneshot::Receiver<()>, notify: &Notify, barrier: &Barrier) {
    tx.send(1).await.ok();
    notify.notified().await;
    barrier.wait().await;
    let _ = done.await;
    let (handle_tx, handle_rx) = oneshot::channel::<u8>();
    let join = tokio::spawn(async move { handle_rx.await.unwrap_or(0) });
    handle_tx.send(1).ok();
    let _ = join.await;
}

fn main() {
    let _ = handler;
}
