// warn mode: findings are warnings, so the crate still builds.
#[warden::no_blocking(warn)]
async fn handler() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}

fn main() {
    let _ = handler();
}
