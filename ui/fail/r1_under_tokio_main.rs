// R1: under `#[tokio::main]` the macro gets a sync fn with an `async` block and still sees it.
#[tokio::main(flavor = "current_thread")]
#[warden::no_blocking]
async fn main() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}
