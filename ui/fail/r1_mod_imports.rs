// R1: on a `mod`, its own `use` items (groups, renames, globs of std modules) are resolved.
#[warden::no_blocking]
mod handlers {
    use std::process::*;
    use std::{fs as files, net::TcpStream};

    pub async fn load() -> std::io::Result<Vec<u8>> {
        files::read("data.bin")
    }

    pub async fn connect() -> std::io::Result<TcpStream> {
        TcpStream::connect("127.0.0.1:80")
    }

    pub async fn list() -> std::io::Result<Output> {
        Command::new("ls").output()
    }
}

fn main() {
    let _ = handlers::load();
    let _ = handlers::connect();
    let _ = handlers::list();
}
