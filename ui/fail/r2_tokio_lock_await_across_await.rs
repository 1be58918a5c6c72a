// R2: a tokio `.lock().await` guard held across a later, unrelated `.await`.
use tokio::sync::Mutex;

#[warden::no_blocking]
async fn handler(state: &Mutex<Vec<u8>>, rx: &mut tokio::sync::mpsc::Receiver<u8>) {
    let mut state = state.lock().await;
    if let Some(byte) = rx.recv().await {
        state.push(byte);
    }
}

fn main() {
    let _ = handler;
}
