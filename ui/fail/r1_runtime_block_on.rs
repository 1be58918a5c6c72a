// R1: tokio `Handle::block_on` / `Runtime::block_on` inside async code.
#[warden::no_blocking]
async fn handler(runtime: &tokio::runtime::Runtime) -> u8 {
    let a = tokio::runtime::Handle::current().block_on(async { 1 });
    let b = runtime.block_on(async { 2 });
    a + b
}

fn main() {
    let _ = handler;
}
