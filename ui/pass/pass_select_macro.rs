// `tokio::select!` branches are not parsed (they are not expressions): no false positive.
use tokio::sync::mpsc;

#[warden::no_blocking]
async fn pick(mut a: mpsc::Receiver<u8>, mut b: mpsc::Receiver<u8>) -> Option<u8> {
    tokio::select! {
        v = a.recv() => v,
        v = b.recv() => v,
    }
}

fn main() {
    let _ = pick;
}
