// R2: a guard made in a `match` scrutinee lives through every arm, so an `.await` there holds it.
use std::collections::HashMap;
use std::sync::Mutex;

#[warden::no_blocking]
async fn get(cache: &Mutex<HashMap<u32, String>>, key: u32) -> String {
    match cache.lock().unwrap().get(&key) {
        Some(hit) => hit.clone(),
        None => {
            tokio::task::yield_now().await;
            String::new()
        }
    }
}

fn main() {
    let _ = get;
}
