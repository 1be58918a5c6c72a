// R2: two guards alive at once is a warning (deadlock risk); `deny(warnings)` makes it show here.
#![deny(warnings)]
use std::sync::Mutex;

#[warden::no_blocking]
async fn transfer(from: &Mutex<u64>, to: &Mutex<u64>) {
    let mut from = from.lock().unwrap();
    let mut to = to.lock().unwrap();
    *from -= 1;
    *to += 1;
}

fn main() {
    let _ = transfer;
}
