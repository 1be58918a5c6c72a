// R2: a sync fn of the crate whose return type is a guard hands its caller the guard, which is
// then held like one from `.lock()`.
use std::sync::{Mutex, MutexGuard};

struct Server {
    state: Mutex<Vec<u8>>,
}

impl Server {
    fn state(&self) -> MutexGuard<'_, Vec<u8>> {
        self.state.lock().unwrap()
    }

    #[warden::no_blocking]
    async fn handle(&self) {
        let mut state = self.state();
        state.push(1);
        tokio::task::yield_now().await;
    }
}

fn main() {
    let _ = Server::handle;
}
