// A child returns `()` or `Result<T, E>`: any other output is one error on the spawn, naming
// what to return instead.
use warden::{Failure, supervised};

#[supervised]
async fn counts() -> Result<u8, Failure> {
    let child = warden::spawn(async { 5u8 }).await;
    drop(child);
    Ok(0)
}

fn main() {}
