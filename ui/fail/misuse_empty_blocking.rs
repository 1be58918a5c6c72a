// misuse: `blocking()` with no path.
#[warden::no_blocking(blocking())]
async fn handler() {}

fn main() {
    let _ = handler();
}
