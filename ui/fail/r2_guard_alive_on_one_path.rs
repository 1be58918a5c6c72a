// R2: a guard ended on some paths only is still alive on the others. The error sits on the
// `.await`, with one note where the guard was taken and one on the path that keeps it.
use std::sync::Mutex;

#[warden::no_blocking]
async fn handler(counter: &Mutex<u64>, early: bool) {
    let mut count = counter.lock().unwrap();
    *count += 1;
    if early {
        drop(count);
    }
    tokio::task::yield_now().await;
}

fn main() {
    let _ = handler;
}
