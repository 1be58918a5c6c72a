// A builder step named like a blocking method (`.wait(d)` in tokio-test's mock builder) is not
// `Condvar::wait`: a method chain step is not judged by name alone.
use std::time::Duration;

#[derive(Default)]
struct Builder {
    waits: Vec<Duration>,
}

impl Builder {
    fn wait(mut self, d: Duration) -> Self {
        self.waits.push(d);
        self
    }

    fn build(self) -> usize {
        self.waits.len()
    }
}

#[warden::no_blocking]
async fn mock() -> usize {
    tokio::task::yield_now().await;
    Builder::default().wait(Duration::from_millis(300)).wait(Duration::ZERO).build()
}

fn main() {
    let _ = mock();
}
