// R1: the attribute on a mod reaches async fns in nested inline mods and their imports.
#[warden::no_blocking]
mod api {
    use std::time::Duration;

    pub mod v1 {
        use std::thread;

        pub async fn slow() {
            thread::sleep(super::Duration::from_millis(5));
        }
    }
}

fn main() {
    let _ = api::v1::slow();
}
