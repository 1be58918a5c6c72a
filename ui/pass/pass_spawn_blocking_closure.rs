// Closures handed to `spawn_blocking` run on the blocking pool: blocking is what they are for.
use tokio::task::spawn_blocking;

#[warden::no_blocking]
async fn load() -> std::io::Result<Vec<u8>> {
    let a = tokio::task::spawn_blocking(|| std::fs::read("a")).await.expect("panicked")?;
    let _ = spawn_blocking(move || std::thread::sleep(std::time::Duration::from_millis(1))).await;
    let _ = tokio::runtime::Handle::current().spawn_blocking(|| std::fs::read("b")).await;
    Ok(a)
}

fn main() {
    let _ = load();
}
