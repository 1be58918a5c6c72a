// R1: an alias declared in the body (`use std::fs::read as slurp;`) still names `std::fs::read`.
#[warden::no_blocking]
async fn load() -> Vec<u8> {
    use std::fs::read as slurp;
    slurp("data.bin").unwrap_or_default()
}

fn main() {
    let _ = load();
}
