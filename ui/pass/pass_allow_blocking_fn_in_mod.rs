// `#[warden::allow_blocking]` on a fn inside an annotated mod opts that fn out.
#[warden::no_blocking]
mod handlers {
    pub async fn fast() {
        tokio::task::yield_now().await;
    }

    #[warden::allow_blocking]
    pub async fn legacy() -> String {
        std::fs::read_to_string("legacy.txt").unwrap_or_default()
    }
}

fn main() {
    let _ = handlers::fast();
    let _ = handlers::legacy();
}
