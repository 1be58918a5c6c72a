// R1: `std::net::UdpSocket::bind`, `.send_to(..)` and `.recv_from(..)` block.
#[warden::no_blocking]
async fn echo() -> std::io::Result<()> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    let mut buf = [0u8; 512];
    let (n, peer) = socket.recv_from(&mut buf)?;
    socket.send_to(&buf[..n], peer)?;
    Ok(())
}

fn main() {
    let _ = echo();
}
