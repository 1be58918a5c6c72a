// `Command::new(..).status()` through a file-level `use tokio::process::Command`, its future passed
// to `timeout`: a guessed `std::process` root is not flagged where the value may be a future.
use std::time::Duration;
use tokio::process::Command;

#[warden::no_blocking]
async fn run() {
    let _ = tokio::time::timeout(Duration::from_secs(1), Command::new("true").status()).await;
    let _ = tokio::join!(Command::new("true").output());
}

fn main() {
    let _ = run();
}
