// A restarting fn hands every attempt a clone of its arguments and of `self` taken by value:
// each must be `Clone`, and `&mut self` cannot be lent to several attempts.
use warden::{Failure, supervised};

struct Connection;

#[supervised(restart = "on_failure")]
async fn serve(conn: Connection, port: u16) -> Result<(), Failure> {
    let _ = (conn, port);
    Ok(())
}

struct Worker;

impl Worker {
    #[supervised(restart = "always")]
    async fn run_by_value(self) -> Result<(), Failure> {
        Ok(())
    }

    #[supervised(restart = "always")]
    async fn run_mut(&mut self) -> Result<(), Failure> {
        Ok(())
    }
}

fn main() {}
