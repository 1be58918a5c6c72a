// R1: `std::net::TcpListener::bind`, `.accept()` and `.incoming()` all block.
#[warden::no_blocking]
async fn serve() -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let (_socket, _peer) = listener.accept()?;
    for _conn in listener.incoming() {}
    Ok(())
}

fn main() {
    let _ = serve();
}
