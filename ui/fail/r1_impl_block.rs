// R1: on an `impl` block, every async method is checked; sync methods may block.
struct Store;

#[warden::no_blocking]
impl Store {
    fn load_sync(&self) -> std::io::Result<String> {
        std::fs::read_to_string("store.db")
    }

    async fn load(&self) -> std::io::Result<String> {
        std::fs::read_to_string("store.db")
    }
}

fn main() {
    let _ = Store.load_sync();
    let _ = Store.load();
}
