// Closures handed to `block_in_place` may block.
#[warden::no_blocking]
async fn load() -> std::io::Result<Vec<u8>> {
    tokio::task::block_in_place(|| std::fs::read("a"))
}

fn main() {
    let _ = load();
}
