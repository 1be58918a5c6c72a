// Durations read the one grammar the runtime and `WARDEN_MAX_POLL` read: fractions included.
use warden::{Failure, bounded, no_blocking, supervised};

#[supervised(timeout = "1.5s", grace = "0.5s", max_poll = "2.5ms")]
async fn scope() -> Result<(), Failure> {
    Ok(())
}

#[bounded(2, wait = "0.25ms")]
async fn limited() -> Result<(), Failure> {
    Ok(())
}

#[no_blocking(max_poll = "100 us")]
async fn timed() {}

#[supervised(restart = "on_failure", within = "1.5m", backoff = "0.5ms..1.5s")]
async fn restarted() -> Result<(), Failure> {
    Ok(())
}

fn main() {
    let _ = (scope(), limited(), timed(), restarted());
}
