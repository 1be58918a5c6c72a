// misuse: `crate = ".."` must be a path.
#[warden::no_blocking(crate = "not a path")]
async fn handler() {}

fn main() {
    let _ = handler();
}
