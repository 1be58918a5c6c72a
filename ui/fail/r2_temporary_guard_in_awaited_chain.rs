// R2: `m.lock().await.recv().await` holds the temporary guard across the second `.await`.
use tokio::sync::{mpsc, Mutex};

#[warden::no_blocking]
async fn next(shared: &Mutex<mpsc::Receiver<u8>>) -> Option<u8> {
    shared.lock().await.recv().await
}

fn main() {
    let _ = next;
}
