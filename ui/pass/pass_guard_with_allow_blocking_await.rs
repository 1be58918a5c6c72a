// `#[warden::allow_blocking]` on an `.await` statement accepts holding a guard there on purpose.
use tokio::sync::Mutex;

#[warden::no_blocking]
async fn handler(state: &Mutex<Vec<u8>>) {
    let mut state = state.lock().await;
    #[warden::allow_blocking] // the tokio mutex serialises writers on purpose
    tokio::task::yield_now().await;
    state.push(1);
}

fn main() {
    let _ = handler;
}
