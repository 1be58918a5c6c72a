// R1: the body of an `async` closure is async code.
#[warden::no_blocking]
async fn handler() {
    let load = async |path: &str| std::fs::read(path);
    let _ = load("x").await;
}

fn main() {
    let _ = handler();
}
