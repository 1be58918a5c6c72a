// A fn that carries its own `#[no_blocking(..)]` inside an annotated module keeps its markers for
// that inner attribute: the outer one neither checks nor strips it (regression: it used to strip
// them, and the inner attribute then reported the accepted statement).
#![deny(warnings)]

#[warden::no_blocking]
mod handlers {
    #[warden::no_blocking(warn)]
    pub async fn startup() {
        #[warden::allow_blocking]
        std::thread::sleep(std::time::Duration::from_millis(1));
        tokio::task::yield_now().await;
    }

    #[warden::allow_blocking]
    pub async fn opted_out() {
        #[warden::allow_blocking]
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

fn main() {
    let _ = (handlers::startup(), handlers::opted_out());
}
