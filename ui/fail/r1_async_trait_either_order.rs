// R1: a blocking call in an `#[async_trait]` method is found in either attribute order.
use async_trait::async_trait;

#[async_trait]
trait Store {
    async fn get(&self) -> String;
}

struct Above;
struct Below;

#[async_trait]
#[warden::no_blocking]
impl Store for Above {
    async fn get(&self) -> String {
        std::fs::read_to_string("above").unwrap_or_default()
    }
}

#[warden::no_blocking]
#[async_trait]
impl Store for Below {
    async fn get(&self) -> String {
        std::fs::read_to_string("below").unwrap_or_default()
    }
}

fn main() {
    let _ = Above.get();
    let _ = Below.get();
}
