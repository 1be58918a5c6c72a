// `#[bounded]` rejects queues without a capacity and raw spawns in a loop.
use warden::bounded;

#[bounded(8)]
async fn relay(items: Vec<u32>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    for item in items {
        let tx = tx.clone();
        tokio::spawn(async move { tx.send(item) });
    }
    drop(tx);
    while rx.recv().await.is_some() {}
}

fn main() {}
