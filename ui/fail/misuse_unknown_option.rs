// misuse: an unknown option is named, with the valid ones; the fn is still checked with defaults.
#[warden::no_blocking(strict)]
async fn handler() {}

fn main() {
    let _ = handler();
}
