// misuse: a sync fn with no `async` block has no async code to check.
#[warden::no_blocking]
fn compute() -> u64 {
    42
}

fn main() {
    let _ = compute();
}
