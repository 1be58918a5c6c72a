// R1: a path with a leading `::` is resolved like any other.
#[warden::no_blocking]
async fn handler() {
    ::std::thread::sleep(::std::time::Duration::from_millis(10));
}

fn main() {
    let _ = handler();
}
