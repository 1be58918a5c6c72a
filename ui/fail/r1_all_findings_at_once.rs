// R1: every finding of a fn is reported in one build, not only the first.
#[warden::no_blocking]
async fn handler() -> std::io::Result<()> {
    std::thread::sleep(std::time::Duration::from_millis(1));
    let _ = std::fs::read("a")?;
    let _ = std::net::TcpStream::connect("127.0.0.1:1")?;
    Ok(())
}

fn main() {
    let _ = handler();
}
