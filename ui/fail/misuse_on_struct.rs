// misuse: on a struct, the error names what the attribute goes on; the struct is still emitted.
#[warden::no_blocking]
struct Config {
    path: String,
}

fn main() {
    let c = Config { path: String::new() };
    let _ = c.path;
}
