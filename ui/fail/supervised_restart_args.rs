// A restarting fn hands every attempt a clone of its arguments: each must be `Clone`.
use warden::{Failure, supervised};

struct Connection;

#[supervised(restart = "on_failure")]
async fn serve(conn: Connection, port: u16) -> Result<(), Failure> {
    let _ = (conn, port);
    Ok(())
}

#[supervised(restart = "always")]
async fn destructured((a, b): (u8, u8)) -> Result<(), Failure> {
    let _ = (a, b);
    Ok(())
}

fn main() {}
