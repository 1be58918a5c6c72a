// R1: `std::fs` functions written in full, wherever the value goes.
#[warden::no_blocking]
async fn load(path: &str) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text)
}

fn main() {
    let _ = load("config.toml");
}
