// R1: `std::process::Command` `.output()` and `.status()` wait for the child.
use std::process::Command;

#[warden::no_blocking]
async fn run() -> std::io::Result<()> {
    let _out = Command::new("git").arg("status").output()?;
    let _code = std::process::Command::new("true").status()?;
    Ok(())
}

fn main() {
    let _ = run();
}
