// custom: `blocking(db::query_sync)` makes the user's own fn a blocking API, however it is named.
mod db {
    pub fn query_sync(_sql: &str) -> u64 {
        0
    }
}

#[warden::no_blocking(blocking(db::query_sync))]
async fn count() -> u64 {
    use db::query_sync;
    db::query_sync("select 1") + query_sync("select 2") + crate::db::query_sync("select 3")
}

fn main() {
    let _ = count();
}
