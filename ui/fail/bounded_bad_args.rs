// Every malformed `#[bounded]` option is an error on the option, and the fn still type-checks.
use warden::bounded;

#[bounded(0)]
async fn zero() {}

#[bounded(-1)]
async fn negative() {}

#[bounded(1.5)]
async fn fractional() {}

#[bounded]
async fn missing() {}

#[bounded(4, reject)]
async fn reject_without_result() -> u32 { 1 }

#[bounded(4, per = nobody)]
async fn per_unknown(client: u32) { let _ = client; }

#[bounded(4, wait = "soon")]
async fn bad_deadline() -> Result<(), warden::Failure> { Ok(()) }

#[bounded(4, lanes = 2)]
async fn unknown_option() {}

#[bounded(4)]
struct NotAFn;

#[bounded(4)]
fn not_async() {}

fn main() {}
