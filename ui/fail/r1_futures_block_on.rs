// R1: `futures::executor::block_on` inside async code (a stand-in `futures` module keeps the
// case free of the dependency; the path is what the macro reads).
mod futures {
    pub mod executor {
        pub fn block_on<F: std::future::Future>(_future: F) -> F::Output {
            unimplemented!()
        }
    }
}

#[warden::no_blocking]
async fn handler() -> u8 {
    futures::executor::block_on(async { 1 })
}

fn main() {
    let _ = handler();
}
