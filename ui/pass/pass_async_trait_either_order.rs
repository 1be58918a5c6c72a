// `#[async_trait]` above or below `#[no_blocking]`: both orders compile and are checked.
use async_trait::async_trait;

#[async_trait]
trait Store {
    async fn get(&self, key: &str) -> Option<String>;

    async fn get_or_default(&self, key: &str) -> String {
        self.get(key).await.unwrap_or_default()
    }
}

struct Above;
struct Below;

#[async_trait]
#[warden::no_blocking]
impl Store for Above {
    async fn get(&self, key: &str) -> Option<String> {
        tokio::task::yield_now().await;
        Some(key.to_owned())
    }
}

#[warden::no_blocking]
#[async_trait]
impl Store for Below {
    async fn get(&self, key: &str) -> Option<String> {
        tokio::task::yield_now().await;
        Some(key.to_owned())
    }
}

fn main() {
    let _ = Above.get_or_default("k");
    let _ = Below.get_or_default("k");
}
