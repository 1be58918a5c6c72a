// R1: `std::thread::JoinHandle::join` waits for the thread on the executor.
#[warden::no_blocking]
async fn compute() -> u64 {
    let worker = std::thread::spawn(|| 6 * 7);
    worker.join().unwrap()
}

fn main() {
    let _ = compute();
}
