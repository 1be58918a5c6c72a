// `reject` and `wait = ".."` fail a call when the limit is full: the return type must carry a
// `warden::Failure`. A `per` key must be hashable. Each is one error on the user's token.
use warden::bounded;

#[bounded(2, reject)]
async fn io_result() -> std::io::Result<()> {
    Ok(())
}

#[bounded(2, wait = "10ms")]
async fn plain() -> u32 {
    1
}

#[bounded(2, per = ratio)]
async fn float_key(ratio: f64) {
    let _ = ratio;
}

struct Tenant;

#[bounded(2, reject, per = tenant)]
async fn unhashable(tenant: &Tenant) -> Result<(), warden::Failure> {
    let _ = tenant;
    Ok(())
}

fn main() {}
