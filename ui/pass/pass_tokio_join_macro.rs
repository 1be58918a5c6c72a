// `tokio::join!` / `try_join!` take futures: names like `fs::read` there are futures.
use tokio::fs;

#[warden::no_blocking]
async fn both() -> std::io::Result<()> {
    let (a, b) = tokio::join!(fs::read("a"), fs::read("b"));
    let _ = (a?, b?);
    let _ = tokio::try_join!(fs::read_to_string("c"), fs::read_to_string("d"))?;
    Ok(())
}

fn main() {
    let _ = both();
}
