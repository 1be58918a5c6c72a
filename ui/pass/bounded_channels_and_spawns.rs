// The bounds rules leave bounded queues and spawns outside loops alone, and a const limit works.
use warden::{Failure, bounded, supervised};

const LIMIT: usize = 8;

#[bounded(LIMIT)]
async fn relay(items: Vec<u32>) -> u32 {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(16);
    let producer = tokio::spawn(async move {
        for item in items {
            if tx.send(item).await.is_err() {
                break;
            }
        }
    });
    let mut total = 0;
    while let Some(item) = rx.recv().await {
        total += item;
    }
    producer.await.expect("producer");
    total
}

#[supervised]
async fn fan_out(n: u32) -> Result<u32, Failure> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<u32>(4);
    drop((tx, rx));
    let mut children = Vec::new();
    for i in 0..n {
        children.push(warden::spawn(async move { Ok::<_, Failure>(i) }).await);
    }
    let mut sum = 0;
    for child in children {
        sum += child.await?;
    }
    Ok(sum)
}

fn main() {
    let _ = (relay(vec![1, 2, 3]), fan_out(3));
}
