// R1: calls inside `async` blocks nested in the fn (spawned or awaited) are async code too.
#[warden::no_blocking]
async fn handler() {
    let task = tokio::spawn(async move {
        std::thread::sleep(std::time::Duration::from_millis(10));
    });
    let _ = task.await;
    async {
        let _ = std::fs::read("x");
    }
    .await;
}

fn main() {
    let _ = handler();
}
