// A nested `fn` item is not the async fn's code: it may block.
#[warden::no_blocking]
async fn handler() -> String {
    fn read_config() -> String {
        std::fs::read_to_string("config.toml").unwrap_or_default()
    }
    let _ = read_config;
    String::new()
}

fn main() {
    let _ = handler();
}
