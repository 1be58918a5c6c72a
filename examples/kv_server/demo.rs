//! The demo load: ordinary Tokio tasks playing remote clients, outside the server's tree.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::protocol::{MAX_LINE, digest};

const CLIENTS: usize = 50;
const REQUESTS: usize = 100;
const MALFORMED: &[&str] = &[
    "",
    "FLY me to the moon",
    "GET",
    "SET lonely",
    "GET a b",
    "\u{7f}",
];
const HASHES: usize = 4;

/// What the demo saw.
pub struct Load {
    pub summary: String,
    pub wrong_answers: usize,
}

/// Runs every client at once and counts replies that were not the expected one.
pub async fn run(addr: SocketAddr) -> Load {
    let mut clients = JoinSet::new();
    for id in 0..CLIENTS {
        clients.spawn(regular(addr, id));
    }
    clients.spawn(malformed(addr));
    clients.spawn(hashes(addr));
    let mut wrong_answers = 0;
    while let Some(done) = clients.join_next().await {
        wrong_answers += match done {
            Ok(Ok(wrong)) => wrong,
            Ok(Err(_)) | Err(_) => 1,
        };
    }
    Load {
        summary: format!(
            "{CLIENTS} clients x {REQUESTS} requests, {} malformed lines, {HASHES} HASHes of a 256 KiB value",
            MALFORMED.len() + 1
        ),
        wrong_answers,
    }
}

/// SET, GET, DEL, GET on keys of its own, so every reply is predictable.
async fn regular(addr: SocketAddr, id: usize) -> io::Result<usize> {
    let mut client = Client::new(addr);
    let mut wrong = 0;
    for i in 0..REQUESTS {
        let (key, value) = (format!("c{id}:k{}", i / 4), format!("v{i}"));
        let (request, expected) = match i % 4 {
            0 => (format!("SET {key} {value}"), "OK".to_owned()),
            1 => (format!("GET {key}"), format!("VALUE v{}", i - 1)),
            2 => (format!("DEL {key}"), "DELETED".to_owned()),
            _ => (format!("GET {key}"), "NOT_FOUND".to_owned()),
        };
        wrong += usize::from(client.call(&request).await? != expected);
    }
    Ok(wrong)
}

/// Broken requests get `ERR`, then a line longer than the server accepts closes the
/// connection; the server stays up.
async fn malformed(addr: SocketAddr) -> io::Result<usize> {
    let mut client = Client::new(addr);
    let mut wrong = 0;
    for line in MALFORMED {
        wrong += usize::from(!client.call(line).await?.starts_with("ERR "));
    }
    let too_long = "x".repeat(MAX_LINE + 10);
    wrong += usize::from(client.call(&too_long).await? != "ERR line too long");
    Ok(wrong)
}

/// A 256 KiB value hashed by several clients at once: the server offloads the work, one
/// `HASH` at a time, and tells the others `ERR busy` (they retry).
async fn hashes(addr: SocketAddr) -> io::Result<usize> {
    let value = "warden ".repeat(256 * 1024 / 7);
    let expected = digest(value.as_bytes());
    let mut wrong = usize::from(Client::new(addr).call(&format!("SET big {value}")).await? != "OK");
    let mut hashing = JoinSet::new();
    for _ in 0..HASHES {
        hashing.spawn(async move { Client::new(addr).call("HASH big").await });
    }
    while let Some(reply) = hashing.join_next().await {
        let ok = matches!(reply, Ok(Ok(r)) if r == format!("DIGEST {expected:016x}"));
        wrong += usize::from(!ok);
    }
    Ok(wrong)
}

/// A connection that reconnects, after a pause, when the server says `ERR busy`.
struct Client {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

impl Client {
    fn new(addr: SocketAddr) -> Self {
        Client { addr, conn: None }
    }

    async fn call(&mut self, request: &str) -> io::Result<String> {
        loop {
            let conn = match &mut self.conn {
                Some(conn) => conn,
                None => self
                    .conn
                    .insert(BufReader::new(TcpStream::connect(self.addr).await?)),
            };
            conn.get_mut()
                .write_all(format!("{request}\n").as_bytes())
                .await?;
            let mut reply = String::new();
            conn.read_line(&mut reply).await?;
            if reply == "ERR busy\n" {
                // Refused before anything ran: retrying the same request is safe. The server
                // may have closed the connection (the connection limit) or not (a request
                // limit); a new one works either way.
                self.conn = None;
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            return Ok(reply.trim_end().to_owned());
        }
    }
}
