// `#[cfg]` on the fn, on statements and on mod items is kept as written.
#[warden::no_blocking]
#[cfg(not(any()))]
async fn handler() {
    #[cfg(any())]
    let unused = 1;
    tokio::task::yield_now().await;
}

#[warden::no_blocking]
mod m {
    #[cfg(any())]
    pub async fn gone() {}

    #[cfg(not(any()))]
    pub async fn here() {}
}

fn main() {
    let _ = handler();
    let _ = m::here();
}
