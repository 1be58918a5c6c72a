// R1: a blocking call inside `println!` arguments.
#[warden::no_blocking]
async fn show() {
    println!("{:?}", std::fs::read_to_string("motd"));
}

fn main() {
    let _ = show();
}
