// R1: `std::net::TcpStream::connect` blocks until the handshake ends.
use std::net::TcpStream;

#[warden::no_blocking]
async fn ping() -> std::io::Result<()> {
    let _stream = TcpStream::connect("127.0.0.1:6379")?;
    Ok(())
}

fn main() {
    let _ = ping();
}
