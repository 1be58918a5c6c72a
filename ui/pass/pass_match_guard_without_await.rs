// A guard in a `match` scrutinee is fine when no arm awaits.
use std::collections::HashMap;
use std::sync::Mutex;

#[warden::no_blocking]
async fn get(cache: &Mutex<HashMap<u32, String>>, key: u32) -> String {
    let hit = match cache.lock().unwrap().get(&key) {
        Some(hit) => hit.clone(),
        None => String::new(),
    };
    tokio::task::yield_now().await;
    hit
}

fn main() {
    let _ = get;
}
