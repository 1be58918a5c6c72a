//! The key-value server: wire protocol, shared state and the async handlers.
//!
//! `main.rs` runs it under a `warden::Root` with a demo load; `tests/kv_server.rs` runs the same
//! file in-process. Read it top-down: the sync parts first, then `handlers`, where warden's
//! attributes are.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use warden::Failure;

/// The line protocol: one request a line, one reply a line. Pure and sync, so it is easy to test.
pub mod protocol {
    use std::fmt;
    use std::sync::Arc;

    /// The longest request line accepted, newline included; a longer one closes the connection.
    pub const MAX_LINE: usize = 1 << 20;
    /// Rounds of FNV-1a that `HASH` runs over a value: slow on purpose, like a password hash.
    const ROUNDS: usize = 32;

    /// A parsed request.
    #[derive(Debug, PartialEq, Eq)]
    pub enum Request {
        /// `SET key value`: the value is the rest of the line, spaces included.
        Set { key: String, value: Arc<str> },
        /// `GET key`.
        Get { key: String },
        /// `DEL key`.
        Del { key: String },
        /// `HASH key`: the digest of the value, computed off the executor.
        Hash { key: String },
    }

    /// A reply, written as one line.
    #[derive(Debug)]
    pub enum Reply {
        Ok,
        Value(Arc<str>),
        NotFound,
        Deleted,
        Digest(u64),
        Error(String),
    }

    impl fmt::Display for Reply {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Reply::Ok => f.write_str("OK"),
                Reply::Value(value) => write!(f, "VALUE {value}"),
                Reply::NotFound => f.write_str("NOT_FOUND"),
                Reply::Deleted => f.write_str("DELETED"),
                Reply::Digest(digest) => write!(f, "DIGEST {digest:016x}"),
                Reply::Error(reason) => write!(f, "ERR {reason}"),
            }
        }
    }

    /// Parses one line (without its newline); the error is the reason sent back after `ERR`.
    ///
    /// # Errors
    /// A short, printable reason for any line that is not a well-formed request.
    pub fn parse(line: &[u8]) -> Result<Request, String> {
        let line = std::str::from_utf8(line).map_err(|_| "request is not UTF-8".to_owned())?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        match command.to_ascii_uppercase().as_str() {
            "SET" => {
                let usage = "usage: SET <key> <value>";
                let (key, value) = rest.split_once(' ').ok_or(usage)?;
                Ok(Request::Set {
                    key: single_key(key, usage)?,
                    value: value.into(),
                })
            }
            "GET" => Ok(Request::Get {
                key: single_key(rest, "usage: GET <key>")?,
            }),
            "DEL" => Ok(Request::Del {
                key: single_key(rest, "usage: DEL <key>")?,
            }),
            "HASH" => Ok(Request::Hash {
                key: single_key(rest, "usage: HASH <key>")?,
            }),
            "" => Err("empty request".to_owned()),
            _ => {
                let shown: String = command
                    .chars()
                    .take(20)
                    .flat_map(char::escape_debug)
                    .collect();
                Err(format!(
                    "unknown command `{shown}`: use SET, GET, DEL or HASH"
                ))
            }
        }
    }

    fn single_key(text: &str, usage: &str) -> Result<String, String> {
        if text.is_empty() || text.contains(char::is_whitespace) {
            return Err(usage.to_owned());
        }
        Ok(text.to_owned())
    }

    /// `ROUNDS` of 64-bit FNV-1a over `bytes`: milliseconds of CPU for a large value.
    #[must_use]
    pub fn digest(bytes: &[u8]) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for _ in 0..ROUNDS {
            for &byte in bytes {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        hash
    }
}

/// Counters the report prints; read them through [`Stats::snapshot`].
#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    protocol_errors: AtomicU64,
    connections: AtomicU64,
    connection_errors: AtomicU64,
}

/// [`Stats`] at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Requests answered, `ERR` replies included.
    pub requests: u64,
    /// Malformed requests, answered with `ERR <reason>`.
    pub protocol_errors: u64,
    /// Connections served (not counting the ones refused by the limit).
    pub connections: u64,
    /// Connections that ended on an I/O error or a panic.
    pub connection_errors: u64,
}

impl Stats {
    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.requests.load(Relaxed),
            protocol_errors: self.protocol_errors.load(Relaxed),
            connections: self.connections.load(Relaxed),
            connection_errors: self.connection_errors.load(Relaxed),
        }
    }
}

/// What every connection shares: the store behind a `std::sync::Mutex` (held for a map
/// operation only, never across an `.await`), and the counters.
#[derive(Debug, Default)]
pub struct Shared {
    store: Mutex<HashMap<String, Arc<str>>>,
    stats: Arc<Stats>,
}

/// Why a handler stopped: the connection's I/O, or warden (refused, cancelled, panicked).
#[derive(Debug)]
pub enum ServerError {
    Io(io::Error),
    Failure(Failure),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Io(error) => write!(f, "i/o error: {error}"),
            ServerError::Failure(failure) => write!(f, "{failure}"),
        }
    }
}

impl std::error::Error for ServerError {}

impl From<io::Error> for ServerError {
    fn from(error: io::Error) -> Self {
        ServerError::Io(error)
    }
}

/// What `#[supervised]` and `#[bounded(.., reject)]` need of the error type.
impl From<Failure> for ServerError {
    fn from(failure: Failure) -> Self {
        ServerError::Failure(failure)
    }
}

/// A bound listener with its state, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl Server {
    /// Listens on `addr` (port 0 picks a free port).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(addr: SocketAddr) -> io::Result<Self> {
        Ok(Server {
            listener: TcpListener::bind(addr).await?,
            shared: Arc::default(),
        })
    }

    /// The address clients connect to.
    ///
    /// # Errors
    /// When the socket cannot tell (it always can once bound).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The counters, readable while and after the server runs.
    pub fn stats(&self) -> Arc<Stats> {
        Arc::clone(&self.shared.stats)
    }

    /// Serves until the surrounding scope is cancelled (a `warden::Root` shutting down), then
    /// returns `Ok` once every connection closed.
    ///
    /// # Errors
    /// Any failure of the accept loop other than the shutdown itself.
    pub async fn run(self) -> Result<(), ServerError> {
        match handlers::accept_loop(self.listener, self.shared).await {
            Err(ServerError::Failure(failure)) if failure.is_cancelled() => Ok(()),
            other => other,
        }
    }
}

/// The async code. `#[no_blocking]` on the module checks every fn in it at compile time: a
/// blocking call, or a lock guard alive at an `.await`, fails the build with the fix to apply.
#[warden::no_blocking]
pub mod handlers {
    use std::sync::Arc;
    use std::sync::atomic::Ordering::Relaxed;
    use std::time::Duration;

    use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use warden::{Failure, bounded, supervised};

    use super::protocol::{self, MAX_LINE, Reply, Request};
    use super::{ServerError, Shared};

    /// Connections served at once; the next one gets `ERR busy` (load shedding).
    pub const MAX_CONNECTIONS: usize = 32;

    const POISONED: &str = "a store operation panicked";

    /// Accepts connections and runs each in a child task owned by this scope. `max_children`
    /// caps the tasks: at 256 open connections `warden::spawn` waits, so accepting pauses
    /// (backpressure). On shutdown the scope is cancelled: the loop stops at its `.await`, the
    /// children get `grace` to finish, and the call returns `Failure::Cancelled`.
    #[supervised(max_children = 256, grace = "1s")]
    pub async fn accept_loop(
        listener: TcpListener,
        shared: Arc<Shared>,
    ) -> Result<(), ServerError> {
        loop {
            let Ok((socket, _peer)) = listener.accept().await else {
                // Out of file descriptors or the like: retry soon rather than spin or stop.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let shared = Arc::clone(&shared);
            // A unit child: `connection` handles its own errors, it has nothing to report.
            let task = async move { connection(socket, &shared).await };
            let child = warden::spawn_named("connection", task).await;
            // Dropping the handle leaves the child to the scope, which waits for it on exit.
            drop(child);
        }
    }

    /// One connection from start to end. A connection's problems stay here: a child that
    /// returned an error would cancel the accept loop and every other connection with it.
    async fn connection(mut socket: TcpStream, shared: &Shared) {
        match serve(&mut socket, shared).await {
            Ok(()) => {}
            Err(ServerError::Failure(Failure::Overloaded { .. })) => {
                if hang_up(&mut socket, "ERR busy").await.is_err() {
                    shared.stats.connection_errors.fetch_add(1, Relaxed);
                }
            }
            Err(ServerError::Failure(failure)) if failure.is_cancelled() => {}
            Err(_) => {
                shared.stats.connection_errors.fetch_add(1, Relaxed);
            }
        }
    }

    /// Serves requests until the client closes. At most `MAX_CONNECTIONS` run at once; a call
    /// over the limit fails at once with `Failure::Overloaded` (`reject`). As a supervised
    /// scope it turns a panic into an error and stops at its current `.await` on shutdown;
    /// `max_poll` counts every poll longer than 10 ms (see `warden::metrics::polls()`).
    #[supervised(max_poll = "10ms")]
    #[bounded(MAX_CONNECTIONS, reject)]
    pub async fn serve(socket: &mut TcpStream, shared: &Shared) -> Result<(), ServerError> {
        shared.stats.connections.fetch_add(1, Relaxed);
        let (reader, mut writer) = socket.split();
        let mut reader = tokio::io::BufReader::new(reader);
        let mut line = Vec::new();
        loop {
            let reply = match read_line(&mut reader, &mut line).await? {
                Line::Complete => match protocol::parse(&line[..line.len() - 1]) {
                    Ok(request) => execute(request, shared).await?,
                    Err(reason) => Reply::Error(reason),
                },
                // A client gone mid-line sent no complete request: nothing was executed.
                Line::Closed => return Ok(()),
                Line::TooLong => break,
            };
            if matches!(reply, Reply::Error(_)) {
                shared.stats.protocol_errors.fetch_add(1, Relaxed);
            }
            shared.stats.requests.fetch_add(1, Relaxed);
            writer.write_all(format!("{reply}\n").as_bytes()).await?;
        }
        shared.stats.protocol_errors.fetch_add(1, Relaxed);
        Ok(hang_up(socket, "ERR line too long").await?)
    }

    /// How reading one request line ended.
    enum Line {
        Complete,
        Closed,
        TooLong,
    }

    /// Reads one line into `buf`, never more than `MAX_LINE` bytes.
    async fn read_line<R: AsyncBufRead + Unpin>(
        reader: &mut R,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<Line> {
        buf.clear();
        let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX);
        reader.take(limit).read_until(b'\n', buf).await?;
        Ok(match buf.last() {
            Some(b'\n') => Line::Complete,
            _ if buf.len() >= MAX_LINE => Line::TooLong,
            _ => Line::Closed,
        })
    }

    /// Runs one request. A write is stored before its `OK` is sent, so an acknowledged write is
    /// never lost. Each lock is a temporary that ends with its statement: were a guard bound by
    /// `let` still alive at the `.await` below, `#[no_blocking]` would stop the build.
    async fn execute(request: Request, shared: &Shared) -> Result<Reply, ServerError> {
        let store = &shared.store;
        Ok(match request {
            Request::Set { key, value } => {
                store.lock().expect(POISONED).insert(key, value);
                Reply::Ok
            }
            Request::Get { key } => match store.lock().expect(POISONED).get(&key).cloned() {
                Some(value) => Reply::Value(value),
                None => Reply::NotFound,
            },
            Request::Del { key } => match store.lock().expect(POISONED).remove(&key) {
                Some(_) => Reply::Deleted,
                None => Reply::NotFound,
            },
            Request::Hash { key } => {
                // Not `match store.lock()..`: a scrutinee's temporaries, the guard included,
                // live to the end of the `match`, so across the `.await` below.
                let value = store.lock().expect(POISONED).get(&key).cloned();
                match value {
                    // Milliseconds of CPU: on the blocking pool, not on an executor thread.
                    Some(value) => Reply::Digest(
                        warden::offload(move || protocol::digest(value.as_bytes())).await?,
                    ),
                    None => Reply::NotFound,
                }
            }
        })
    }

    /// Sends a last line and closes. It reads what the client already sent first: closing with
    /// unread input resets the connection, and the reset could destroy the line before the
    /// client reads it.
    async fn hang_up(socket: &mut TcpStream, last_words: &str) -> std::io::Result<()> {
        socket
            .write_all(format!("{last_words}\n").as_bytes())
            .await?;
        socket.shutdown().await?;
        let mut sink = [0u8; 256];
        let drain = async {
            while socket.read(&mut sink).await? > 0 {}
            Ok::<(), std::io::Error>(())
        };
        tokio::time::timeout(Duration::from_millis(250), drain)
            .await
            .unwrap_or(Ok(()))
    }
}
