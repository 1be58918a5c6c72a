// `tokio::fs::File::open(..).await` after `use tokio::fs::File;` is the async one.
use tokio::fs::File;
use tokio::io::AsyncReadExt;

#[warden::no_blocking]
async fn load(path: &str) -> std::io::Result<String> {
    let mut file = File::open(path).await?;
    let mut text = String::new();
    file.read_to_string(&mut text).await?;
    Ok(text)
}

fn main() {
    let _ = load("x");
}
