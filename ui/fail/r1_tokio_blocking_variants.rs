// R1: tokio's `blocking_*` methods panic inside async code; each is reported.
use tokio::sync::{mpsc, Mutex, RwLock};

#[warden::no_blocking]
async fn handler(tx: mpsc::Sender<u8>, mut rx: mpsc::Receiver<u8>, m: &Mutex<u8>, rw: &RwLock<u8>) {
    let _ = rx.blocking_recv();
    let _ = tx.blocking_send(1);
    let _m = *m.blocking_lock();
    let _r = *rw.blocking_read();
    let _w = *rw.blocking_write();
}

fn main() {
    let _ = handler;
}
