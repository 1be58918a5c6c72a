// misuse: a bad option does not hide the findings in the body, checked with the defaults.
#[warden::no_blocking(wran)]
async fn handler() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}

fn main() {
    let _ = handler();
}
