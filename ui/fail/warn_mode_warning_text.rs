// warn mode under `#![allow(deprecated)]`: the findings are still warnings, shown as below. A
// build only prints warnings beside an error, so this case ends with one on purpose (last line).
#![allow(deprecated)]
use std::sync::Mutex;

#[warden::no_blocking(warn)]
async fn handler(counter: &Mutex<u64>) {
    std::thread::sleep(std::time::Duration::from_millis(1));
    let mut count = counter.lock().unwrap();
    *count += 1;
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
    let _: () = "the error that makes the warnings visible here";
}
