// R1: `fs::read(p)` after a file-level `use std::fs;` the macro cannot see: the guess holds
// because the result is unwrapped, which a future never is.
use std::fs;

#[warden::no_blocking]
async fn load(path: &str) -> std::io::Result<Vec<u8>> {
    let bytes = fs::read(path)?;
    Ok(bytes)
}

fn main() {
    let _ = load("data.bin");
}
