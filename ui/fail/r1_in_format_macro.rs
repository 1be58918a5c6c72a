// R1: a blocking call inside `format!` arguments.
#[warden::no_blocking]
async fn describe(path: &str) -> String {
    format!("{path}: {:?}", std::fs::metadata(path))
}

fn main() {
    let _ = describe("x");
}
