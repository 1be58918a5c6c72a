// Guards that are not a plain `let`: a `match` or `if let` scrutinee keeps its temporary guard
// alive through the arms, and a poison-tolerant `unwrap_or_else` still yields a guard.
use std::sync::{Mutex, PoisonError};

#[warden::no_blocking]
async fn in_match(m: &Mutex<Vec<u8>>) {
    match m.lock().unwrap().first() {
        Some(_) => tokio::task::yield_now().await,
        None => {}
    }
}

#[warden::no_blocking]
async fn in_if_let(m: &Mutex<Option<u8>>) {
    if let Some(_) = *m.lock().unwrap() {
        tokio::task::yield_now().await;
    }
}

#[warden::no_blocking]
async fn poison_tolerant(m: &Mutex<u64>) {
    let mut g = m.lock().unwrap_or_else(PoisonError::into_inner);
    *g += 1;
    tokio::task::yield_now().await;
}

fn main() {}
