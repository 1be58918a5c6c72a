// misuse: `blocking(..)` takes plain paths, not `key = value`.
#[warden::no_blocking(blocking(db::query = "sync"))]
async fn handler() {}

fn main() {
    let _ = handler();
}
