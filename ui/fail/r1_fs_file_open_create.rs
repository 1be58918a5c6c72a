// R1: `File::open` / `File::create` after a file-level `use std::fs::File`.
use std::fs::File;
use std::io::Write;

#[warden::no_blocking]
async fn copy_config() -> std::io::Result<()> {
    let _input = File::open("in.toml")?;
    let mut output = File::create("out.toml")?;
    output.write_all(b"x = 1\n")?;
    Ok(())
}

fn main() {
    let _ = copy_config();
}
