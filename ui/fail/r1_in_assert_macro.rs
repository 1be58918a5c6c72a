// R1: a blocking call inside `assert!` / `assert_eq!` arguments.
#[warden::no_blocking]
async fn check() {
    assert!(std::fs::metadata("Cargo.toml").is_ok());
    assert_eq!(std::fs::read_to_string("a").ok(), None);
}

fn main() {
    let _ = check();
}
