// `rx.recv().await` on a tokio channel: a method named like a blocking one, but awaited.
use tokio::sync::mpsc;

#[warden::no_blocking]
async fn drain(mut rx: mpsc::Receiver<u8>) -> u64 {
    let mut sum = 0;
    while let Some(byte) = rx.recv().await {
        sum += u64::from(byte);
    }
    sum
}

fn main() {
    let _ = drain;
}
