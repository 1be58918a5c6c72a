// R1: `Child::wait()` and `.wait_with_output()` block until the child exits.
#[warden::no_blocking]
async fn run() -> std::io::Result<()> {
    let mut child = std::process::Command::new("sleep").arg("1").spawn()?;
    let _status = child.wait()?;
    let other = std::process::Command::new("true").spawn()?;
    let _output = other.wait_with_output()?;
    Ok(())
}

fn main() {
    let _ = run();
}
