// R1: `Condvar::wait` and `Barrier::wait` park the executor thread.
use std::sync::{Barrier, Condvar, Mutex};

#[warden::no_blocking]
async fn rendezvous(ready: &Mutex<bool>, cvar: &Condvar, barrier: &Barrier) {
    let started = cvar.wait(ready.lock().unwrap()).unwrap();
    drop(started);
    barrier.wait();
}

fn main() {
    let _ = rendezvous;
}
