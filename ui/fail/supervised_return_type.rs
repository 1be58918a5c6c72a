// A supervised fn must return `Result<T, E>` with `E: From<warden::Failure>`.
use warden::supervised;

#[supervised]
async fn no_result() -> u32 {
    1
}

#[supervised]
async fn nothing() {}

#[derive(Debug)]
struct MyError;

#[supervised]
async fn error_without_from() -> Result<(), MyError> {
    Ok(())
}

fn main() {}
