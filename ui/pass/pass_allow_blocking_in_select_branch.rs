// A marker inside a `select!` branch (not parsed by the check) is still removed before rustc.
use tokio::sync::mpsc;

#[warden::no_blocking]
async fn pick(mut rx: mpsc::Receiver<u8>) -> Option<u8> {
    tokio::select! {
        v = rx.recv() => {
            #[warden::allow_blocking]
            std::thread::yield_now();
            v
        }
    }
}

fn main() {
    let _ = pick;
}
