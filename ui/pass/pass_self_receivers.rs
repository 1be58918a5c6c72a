// `&self`, `&mut self`, `self` and `self: Arc<Self>` receivers on an annotated impl.
use std::sync::Arc;

struct Service {
    hits: u64,
}

#[warden::no_blocking]
impl Service {
    async fn peek(&self) -> u64 {
        self.hits
    }

    async fn hit(&mut self) {
        self.hits += 1;
    }

    async fn into_hits(self) -> u64 {
        self.hits
    }

    async fn shared(self: Arc<Self>) -> u64 {
        tokio::task::yield_now().await;
        self.hits
    }
}

fn main() {
    let mut s = Service { hits: 0 };
    let _ = s.hit();
    let _ = s.peek();
    let _ = Arc::new(Service { hits: 0 }).shared();
    let _ = s.into_hits();
}
