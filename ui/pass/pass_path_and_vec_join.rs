// `path.join("x")` and `parts.join(",")` take an argument: not `JoinHandle::join()`.
use std::path::Path;

#[warden::no_blocking]
async fn names(root: &Path, parts: &[&str]) -> (std::path::PathBuf, String) {
    (root.join("x"), parts.join(","))
}

fn main() {
    let _ = names;
}
