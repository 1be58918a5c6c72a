// misuse: an option given twice is rejected on the second.
#[warden::no_blocking(warn, warn)]
async fn handler() {}

fn main() {
    let _ = handler();
}
