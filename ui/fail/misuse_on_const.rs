// misuse: on a const.
#[warden::no_blocking]
const LIMIT: usize = 8;

fn main() {
    let _ = LIMIT;
}
