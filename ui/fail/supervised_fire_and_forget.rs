// R3: a task whose handle is dropped, or whose result is thrown away, is an error in a
// `#[supervised]` body; each form points at the spawn and names `warden::spawn`.
use warden::{Failure, supervised};

async fn work() {}

#[supervised]
async fn forgets() -> Result<(), Failure> {
    tokio::spawn(work());
    let _ = tokio::task::spawn(work());
    drop(std::thread::spawn(|| ()));
    let handle = tokio::spawn(work());
    let _ = handle.await;
    Ok(())
}

fn main() {}
