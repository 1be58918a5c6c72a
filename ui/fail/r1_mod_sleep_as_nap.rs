// R1: `use std::thread::sleep as nap;` in an annotated mod makes `nap(d)` a blocking call.
#[warden::no_blocking]
mod worker {
    use std::thread::sleep as nap;
    use std::time::Duration;

    pub async fn tick() {
        nap(Duration::from_millis(10));
    }
}

fn main() {
    let _ = worker::tick();
}
