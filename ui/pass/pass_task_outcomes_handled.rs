// R3: a task's outcome that is propagated, matched or kept is fine, and so is dropping a
// `ChildHandle` without awaiting it (the scope then owns the child's failure).
use warden::{Failure, supervised};

async fn work() -> Result<u8, Failure> {
    Ok(1)
}

#[supervised]
async fn handled() -> Result<u8, Failure> {
    let task = tokio::spawn(work());
    let first = match task.await {
        Ok(value) => value?,
        Err(error) => {
            eprintln!("task failed: {error}");
            0
        }
    };
    let child = warden::spawn(work()).await;
    let second = child.await?;
    drop(warden::spawn(work()).await);
    Ok(first + second)
}

fn main() {
    let _ = handled;
}
