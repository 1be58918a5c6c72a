//! A TCP key-value server built with warden, with a built-in demo load.
//!
//! `cargo run --example kv_server` starts the server on 127.0.0.1, runs concurrent clients
//! against it, shuts it down gracefully and prints a report.
//! `cargo run --example kv_server -- --serve --port 7000` keeps it serving until Ctrl-C: try
//! `nc 127.0.0.1 7000`, then `SET a 1`, `GET a`, `HASH a`, `DEL a`.
//! The server is in `server.rs`; this file is the program around it.

mod server;

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use warden::Root;

/// How long the server may take to close its connections after shutdown starts.
const GRACE: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() -> ExitCode {
    let Some((port, serve_forever)) = parse_args() else {
        eprintln!("usage: kv_server [--port N] [--serve]");
        return ExitCode::FAILURE;
    };
    let server = match server::Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("kv_server: cannot listen on port {port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = server.local_addr().expect("a bound socket has an address");
    let stats = server.stats();
    println!("kv_server: listening on {addr}");

    // The root owns every task of the server; Ctrl-C, SIGTERM or `stop.shutdown()` cancels
    // them all, waits up to GRACE for them to finish, and aborts what is left.
    let root = Root::new().name("kv_server").grace(GRACE);
    let stop = root.shutdown_handle();
    let clients = async {
        let load = if serve_forever {
            let (ip, port) = (addr.ip(), addr.port());
            println!(
                "serving until Ctrl-C: try `nc {ip} {port}`, then `SET a 1`, `GET a`, `HASH a`"
            );
            stop.wait().await;
            None
        } else {
            tokio::select! {
                load = demo::run(addr) => Some(load),
                () = stop.wait() => None,
            }
        };
        stop.shutdown();
        (load, Instant::now())
    };
    let (outcome, (load, shutdown_started)) = tokio::join!(root.run(server.run()), clients);
    let shutdown_time = shutdown_started.elapsed();

    let stats = stats.snapshot();
    let polls = warden::metrics::polls();
    let slow_polls: u64 = polls.iter().map(|p| p.slow_polls).sum();
    let polled: u64 = polls.iter().map(|p| p.polls).sum();
    let longest = polls
        .iter()
        .map(|p| p.longest_poll)
        .max()
        .unwrap_or_default();
    let refused: u64 = warden::metrics::bounds().iter().map(|b| b.rejected).sum();
    let tasks_left = warden::metrics::live_children();

    println!("\nreport");
    if let Some(load) = &load {
        println!("  demo load               {}", load.summary);
        println!("  wrong answers           {}", load.wrong_answers);
    }
    println!("  requests served         {}", stats.requests);
    println!("  connections served      {}", stats.connections);
    println!(
        "  errors                  {} malformed requests answered with ERR, {} broken connections",
        stats.protocol_errors, stats.connection_errors
    );
    print!("  slow polls detected     {slow_polls} of {polled} polls over 10ms");
    if slow_polls > 0 {
        // Polls are timed on the wall clock: on a busy machine, preemption adds a few.
        print!(" (longest {longest:.1?})");
    }
    println!();
    println!("  refused by the limit    {refused} connections answered `ERR busy`");
    println!("  shutdown time           {shutdown_time:.1?} (grace {GRACE:?})");
    println!("  tasks left              {tasks_left}");

    let clean = outcome.is_ok_and(|r| r.is_ok())
        && tasks_left == 0
        && load.is_none_or(|l| l.wrong_answers == 0);
    if clean {
        ExitCode::SUCCESS
    } else {
        eprintln!("kv_server: the run was not clean");
        ExitCode::FAILURE
    }
}

/// `--port N` and `--serve`; `None` for anything else.
fn parse_args() -> Option<(u16, bool)> {
    let mut port = 0;
    let mut serve = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next()?.parse().ok()?,
            "--serve" => serve = true,
            _ => return None,
        }
    }
    Some((port, serve))
}

/// The demo load: ordinary Tokio tasks playing remote clients, outside the server's tree.
mod demo {
    use std::io;
    use std::net::SocketAddr;
    use std::time::Duration;

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpStream;
    use tokio::task::JoinSet;

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
        let too_long = "x".repeat(super::server::protocol::MAX_LINE + 10);
        wrong += usize::from(client.call(&too_long).await? != "ERR line too long");
        Ok(wrong)
    }

    /// A 256 KiB value hashed by several clients at once: the server offloads the work.
    async fn hashes(addr: SocketAddr) -> io::Result<usize> {
        let value = "warden ".repeat(256 * 1024 / 7);
        let expected = super::server::protocol::digest(value.as_bytes());
        let mut wrong =
            usize::from(Client::new(addr).call(&format!("SET big {value}")).await? != "OK");
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
                    // Refused before anything ran: retrying the same request is safe.
                    self.conn = None;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                return Ok(reply.trim_end().to_owned());
            }
        }
    }
}
