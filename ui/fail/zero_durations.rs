// A zero duration is rejected where it makes no sense, on the literal, with the fix.
use warden::{Failure, no_blocking, supervised};

#[supervised(timeout = "0s")]
async fn zero_timeout() -> Result<(), Failure> { Ok(()) }

#[supervised(max_poll = "0ms")]
async fn zero_max_poll() -> Result<(), Failure> { Ok(()) }

#[no_blocking(max_poll = "0ns")]
async fn zero_max_poll_unchecked() {}

#[supervised(restart = "on_failure", max_restarts = 3, within = "0m")]
async fn zero_window() -> Result<(), Failure> { Ok(()) }

// Zero is fine where it means "none": no grace, no backoff.
#[supervised(grace = "0s", restart = "always", max_restarts = 1, backoff = "0s..0s")]
async fn no_grace_no_backoff() -> Result<(), Failure> { Ok(()) }

fn main() {}
