// `#[tokio::test]` above `#[no_blocking]`: tokio hands it a sync fn with an `async` block.
#[tokio::test]
#[warden::no_blocking]
async fn reads_nothing() {
    tokio::task::yield_now().await;
}

#[tokio::main(flavor = "current_thread")]
#[warden::no_blocking]
async fn main() {
    tokio::task::yield_now().await;
}
