// R3: awaiting a task and throwing its outcome away loses its error or panic, for tokio's
// `JoinHandle` and warden's `ChildHandle` alike; each error names the fix for that handle.
use warden::{Failure, supervised};

async fn work() -> Result<u8, Failure> {
    Ok(1)
}

#[supervised]
async fn loses() -> Result<(), Failure> {
    let task = tokio::spawn(work());
    let _ = task.await;
    let _ = tokio::spawn(work()).await;
    let child = warden::spawn(work()).await;
    drop(child.await);
    Ok(())
}

fn main() {
    let _ = loses;
}
