// R1: blocking calls inside `vec![a, b]` and `vec![x; n]`.
#[warden::no_blocking]
async fn load() -> Vec<std::io::Result<String>> {
    let mut all = vec![std::fs::read_to_string("a"), std::fs::read_to_string("b")];
    all.extend(vec![std::fs::read_to_string("c"); 1].into_iter().take(0));
    all
}

fn main() {
    let _ = load();
}
