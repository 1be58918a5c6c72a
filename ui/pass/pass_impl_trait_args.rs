// `impl Trait` arguments and return types.
use std::future::Future;

#[warden::no_blocking]
async fn run(name: impl AsRef<str>, job: impl Future<Output = u8>) -> impl Debug {
    (name.as_ref().len(), job.await)
}

use std::fmt::Debug;

fn main() {
    let _ = run("x", async { 1 });
}
