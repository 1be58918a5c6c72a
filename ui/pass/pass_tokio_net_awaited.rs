// `tokio::net` bind/accept/connect/send_to/recv_from, all awaited.
use tokio::net::{TcpListener, TcpStream, UdpSocket};

#[warden::no_blocking]
async fn serve() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let _client = TcpStream::connect(listener.local_addr()?).await?;
    let (_socket, _peer) = listener.accept().await?;
    let udp = UdpSocket::bind("127.0.0.1:0").await?;
    let mut buf = [0u8; 16];
    udp.send_to(b"hi", udp.local_addr()?).await?;
    let (_n, _from) = udp.recv_from(&mut buf).await?;
    Ok(())
}

fn main() {
    let _ = serve();
}
