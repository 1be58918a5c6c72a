// R1: `std::sync::mpsc::Receiver::recv` / `recv_timeout` park the executor thread.
use std::sync::mpsc::Receiver;
use std::time::Duration;

#[warden::no_blocking]
async fn drain(rx: Receiver<u8>) -> u8 {
    let first = rx.recv().unwrap();
    let second = rx.recv_timeout(Duration::from_secs(1)).unwrap_or(0);
    first + second
}

fn main() {
    let _ = drain;
}
