// R1: a sync closure called inline by an iterator adapter runs on the executor thread.
#[warden::no_blocking]
async fn load_all(paths: &[&str]) -> Vec<std::io::Result<Vec<u8>>> {
    paths.iter().map(|p| std::fs::read(p)).collect()
}

fn main() {
    let _ = load_all(&[]);
}
