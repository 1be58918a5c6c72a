// With the file and the crate readable nothing is guessed: `fs` is tokio's here, user types
// named like blocking APIs are not those APIs, and helpers of the crate that block are fine
// when offloaded or marked.
#[path = "support/fs_helpers.rs"]
mod fs_helpers;

use std::collections::HashMap;
use tokio::fs;

struct Pool;

impl Pool {
    fn join(&self) -> usize {
        0
    }
    fn wait(&self) {}
    fn recv(&self) -> Option<u8> {
        None
    }
}

pub struct SyncClient;

impl SyncClient {
    pub fn get(&self, _key: &str) -> Option<String> {
        None
    }
}

#[warden::no_blocking(blocking(SyncClient::get))]
async fn handler(p: &str, a: &str, pool: &Pool, cache: &HashMap<String, String>) -> std::io::Result<usize> {
    let _meta = fs::metadata(p).await?;
    let f = fs::read(a);
    let bytes = f.await?;
    pool.wait();
    let _ = pool.recv();
    let _ = cache.get("k");
    let owned = a.to_owned();
    let text = tokio::task::spawn_blocking(move || fs_helpers::read_now(&owned))
        .await
        .unwrap_or_default();
    let more = fs_helpers::read_on_pool(p);
    Ok(bytes.len() + pool.join() + fs_helpers::len_of(&text) + more.len())
}

fn main() {
    let _ = handler;
}
