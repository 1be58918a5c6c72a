// R1: `.open(path)` on a builder that starts at `std::fs::OpenOptions::new()`.
use std::fs::OpenOptions;

#[warden::no_blocking]
async fn append_log() -> std::io::Result<()> {
    let _log = OpenOptions::new().append(true).create(true).open("app.log")?;
    Ok(())
}

fn main() {
    let _ = append_log();
}
