// R2: a guard mapped to a part of the value, wrapped in a struct literal, or moved into an
// `Option` is still held by the binding that has it.
use std::sync::Mutex;
use tokio::sync::MutexGuard;

struct Stats {
    hits: u64,
}

struct Locked<'a> {
    stats: std::sync::MutexGuard<'a, Stats>,
}

#[warden::no_blocking]
async fn mapped(stats: &tokio::sync::Mutex<Stats>) {
    let mut hits = MutexGuard::map(stats.lock().await, |s| &mut s.hits);
    *hits += 1;
    tokio::task::yield_now().await;
}

#[warden::no_blocking]
async fn wrapped(stats: &Mutex<Stats>) -> u64 {
    let locked = Locked {
        stats: stats.lock().unwrap(),
    };
    tokio::task::yield_now().await;
    locked.stats.hits
}

#[warden::no_blocking]
async fn moved(stats: &Mutex<Stats>) {
    let guard = stats.lock().unwrap();
    let kept = Some(guard);
    tokio::task::yield_now().await;
    drop(kept);
}

fn main() {
    let _ = (mapped, wrapped, moved);
}
