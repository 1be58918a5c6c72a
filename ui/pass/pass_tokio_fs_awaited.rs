// `tokio::fs` awaited, in full and through a file-level `use tokio::fs;` the macro cannot see.
use tokio::fs;

#[warden::no_blocking]
async fn load(path: &str) -> std::io::Result<String> {
    let bytes = fs::read(path).await?;
    let text = tokio::fs::read_to_string(path).await?;
    fs::create_dir_all("out").await?;
    let _meta = fs::metadata(path).await?;
    Ok(format!("{}{}", bytes.len(), text))
}

fn main() {
    let _ = load("x");
}
