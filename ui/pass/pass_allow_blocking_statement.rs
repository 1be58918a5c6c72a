// `#[warden::allow_blocking]` on a statement accepts that statement on purpose.
#[warden::no_blocking]
async fn startup() -> String {
    #[warden::allow_blocking] // read once at startup, before serving
    let config = std::fs::read_to_string("config.toml").unwrap_or_default();
    #[warden::allow_blocking]
    std::thread::sleep(std::time::Duration::from_millis(1));
    config
}

fn main() {
    let _ = startup();
}
