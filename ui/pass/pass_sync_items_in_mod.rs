// On a mod, sync fns, structs and consts are left alone; only async code is checked.
#[warden::no_blocking]
mod store {
    pub const PATH: &str = "store.db";

    pub struct Store;

    pub fn load_sync() -> std::io::Result<String> {
        std::fs::read_to_string(PATH)
    }

    impl Store {
        pub fn flush(&self) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }

        pub async fn get(&self) -> u8 {
            tokio::task::yield_now().await;
            0
        }
    }
}

fn main() {
    let _ = store::load_sync();
    store::Store.flush();
    let _ = store::Store.get();
}
