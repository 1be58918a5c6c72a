// Every malformed option is an error on the option itself, listing what is valid.
use warden::{Failure, supervised};

#[supervised(timeout = "soon")]
async fn bad_duration() -> Result<(), Failure> { Ok(()) }

#[supervised(restart = "sometimes")]
async fn bad_policy() -> Result<(), Failure> { Ok(()) }

#[supervised(max_restarts = 3)]
async fn restarts_without_policy() -> Result<(), Failure> { Ok(()) }

#[supervised(restart = "always", backoff = "10s..1s")]
async fn backwards_backoff() -> Result<(), Failure> { Ok(()) }

#[supervised(timeout = "1s", timeout = "2s")]
async fn duplicate() -> Result<(), Failure> { Ok(()) }

#[supervised(retries = 3)]
async fn unknown() -> Result<(), Failure> { Ok(()) }

#[supervised(max_children = 0)]
async fn no_children() -> Result<(), Failure> { Ok(()) }

#[supervised]
fn not_async() -> Result<(), Failure> { Ok(()) }

#[supervised]
enum NotAFn {}

fn main() {}
