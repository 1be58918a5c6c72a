// A const limit is checked by the compiler: zero fails when the limiter is built.
use warden::bounded;

const NONE: usize = 0;

#[bounded(NONE)]
async fn never_runs() {}

fn main() {
    let _ = never_runs();
}
