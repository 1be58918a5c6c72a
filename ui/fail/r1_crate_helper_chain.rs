// R1: a sync helper of the crate, in another file, that blocks two calls down: the error is on
// the call in async code and names the chain.
#[path = "support/config.rs"]
mod config;

use config::load_config;

#[warden::no_blocking]
async fn handler() -> usize {
    let config = load_config();
    config.text.len()
}

fn main() {
    let _ = handler();
}
