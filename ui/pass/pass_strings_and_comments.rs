// Mentions of `std::thread::sleep` in strings and comments are not calls.
#[warden::no_blocking]
async fn handler() -> &'static str {
    // never call std::thread::sleep(d) here
    /* std::fs::read("x") */
    "std::thread::sleep(Duration::from_secs(1))"
}

fn main() {
    let _ = handler();
}
