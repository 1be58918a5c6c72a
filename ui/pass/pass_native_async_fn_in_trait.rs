// Native `async fn` in traits and their impls, attribute on the trait and on the impl.
#[warden::no_blocking]
trait Store {
    async fn get(&self, key: &str) -> Option<String>;

    async fn get_or_default(&self, key: &str) -> String {
        self.get(key).await.unwrap_or_default()
    }
}

struct Memory;

#[warden::no_blocking]
impl Store for Memory {
    async fn get(&self, key: &str) -> Option<String> {
        tokio::task::yield_now().await;
        Some(key.to_owned())
    }
}

fn main() {
    let _ = Memory.get_or_default("k");
}
