// R1: on a trait, default bodies of async fns are checked (native async fn in traits).
#[warden::no_blocking]
trait Loader {
    async fn load(&self) -> std::io::Result<String> {
        std::fs::read_to_string("default.toml")
    }

    async fn required(&self);
}

fn main() {}
