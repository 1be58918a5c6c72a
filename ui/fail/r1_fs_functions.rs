// R1: every `std::fs` function is one finding each, all reported at once.
use std::path::Path;

#[warden::no_blocking]
async fn tidy(dir: &Path) -> std::io::Result<()> {
    let _entries = std::fs::read_dir(dir)?;
    let _meta = std::fs::metadata(dir)?;
    std::fs::copy(dir.join("a"), dir.join("b"))?;
    std::fs::rename(dir.join("b"), dir.join("c"))?;
    std::fs::remove_file(dir.join("c"))?;
    std::fs::create_dir_all(dir.join("d"))?;
    std::fs::remove_dir_all(dir.join("d"))?;
    let _full = std::fs::canonicalize(dir)?;
    Ok(())
}

fn main() {
    let _ = tidy(Path::new("."));
}
