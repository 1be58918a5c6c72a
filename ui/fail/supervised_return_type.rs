// A supervised fn returns a type a `warden::Failure` converts into: `Result<T, E>` with
// `E: From<warden::Failure>`, under any name. Anything else is one error on the return type.
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

#[supervised(timeout = "1s")]
async fn io_result() -> std::io::Result<()> {
    Ok(())
}

#[supervised]
async fn string_error() -> Result<u8, String> {
    Ok(1)
}

// With `restart`, each failure is logged: the error must also be `Display`.
#[derive(Debug)]
struct Silent;

impl From<warden::Failure> for Silent {
    fn from(_: warden::Failure) -> Self {
        Silent
    }
}

#[supervised(restart = "on_failure")]
async fn restart_without_display() -> Result<(), Silent> {
    Ok(())
}

fn main() {}
