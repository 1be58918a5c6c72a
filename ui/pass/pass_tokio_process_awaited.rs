// `tokio::process::Command` `.output()`, `.status()` and `child.wait()`, awaited.
use tokio::process::Command;

#[warden::no_blocking]
async fn run() -> std::io::Result<()> {
    let _out = Command::new("git").arg("status").output().await?;
    let _code = Command::new("true").status().await?;
    let mut child = Command::new("sleep").arg("0").spawn()?;
    let _status = child.wait().await?;
    Ok(())
}

fn main() {
    let _ = run();
}
