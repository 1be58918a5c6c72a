//! The key-value server: its state, its deadlines and the async handlers.
//!
//! `main.rs` runs it under a `warden::Root` with a demo load; `tests/kv_server.rs` runs the same
//! file in-process and the built example as a process. Read it top-down: the state first, then
//! `handlers`, where warden's attributes are and where each abuse a client can try is answered.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use warden::Failure;

use super::stats::Stats;
use super::store::Store;

/// How long a client may take, set at start (`--idle`, `--request`); the caps are consts in
/// [`handlers`] and [`super::store`].
#[derive(Clone, Copy, Debug)]
pub struct Deadlines {
    /// To send a whole request line once the previous reply is written (or from connecting):
    /// a client silent or dribbling for longer is told `ERR idle timeout` and closed.
    pub idle: Duration,
    /// To run a request and write its whole reply: a client that does not read its replies
    /// stalls the write, and is closed when this passes.
    pub request: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            idle: Duration::from_secs(10),
            request: Duration::from_secs(5),
        }
    }
}

/// What every connection shares.
#[derive(Debug, Default)]
pub struct Shared {
    pub store: Store,
    pub stats: Arc<Stats>,
    deadlines: Deadlines,
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
    /// The listen backlog is 4,096 connections (Linux caps it at `net.core.somaxconn`), not
    /// the 128 of `TcpListener::bind`: a burst of clients waits a moment to be accepted (and
    /// served, or told `ERR busy`) instead of having its handshakes dropped and retried a
    /// second later.
    ///
    /// # Errors
    /// When the address cannot be bound.
    ///
    /// # Panics
    /// Outside a Tokio runtime.
    pub fn bind(addr: SocketAddr, deadlines: Deadlines) -> io::Result<Self> {
        let socket = match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4()?,
            SocketAddr::V6(_) => TcpSocket::new_v6()?,
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        Ok(Server {
            listener: socket.listen(4096)?,
            shared: Arc::new(Shared {
                deadlines,
                ..Shared::default()
            }),
        })
    }

    /// The address clients connect to.
    ///
    /// # Errors
    /// When the socket cannot tell (it always can once bound).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The store and the counters, readable while and after the server runs.
    pub fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
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

    use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::time::timeout;
    use warden::{Failure, bounded, supervised};

    use super::super::protocol::{self, MAX_LINE, Reply, Request};
    use super::super::stats::Stats;
    use super::super::store::Full;
    use super::{ServerError, Shared};

    /// Connections served at once; the next one is told `ERR busy` and closed (load shedding).
    pub const MAX_CONNECTIONS: usize = 100;
    /// Requests running at once, across connections; one that waited 100 ms is told `ERR busy`.
    pub const MAX_REQUESTS: usize = 32;
    /// `HASH`es on the blocking pool at once; the next is told `ERR busy`. Fewer than the
    /// cores, so a flood of them leaves the executor threads a core for everyone else.
    pub const MAX_HASHES: usize = 1;
    /// How long a refusal or a last `ERR` line may take before the socket is closed anyway.
    const LINGER: Duration = Duration::from_millis(100);
    /// A request buffer grown past this by a big request is given back after it.
    const KEEP_BUFFER: usize = 16 * 1024;

    /// Accepts connections and runs each in a child task owned by this scope. The accept loop
    /// never waits on a client: a connection over `MAX_CONNECTIONS` is refused in its own
    /// child, within `LINGER`, so the 500 children cover the served connections plus 4 s
    /// worth of refusals per second, and keep the sockets open under the usual limit of 1,024
    /// file descriptors. On shutdown the scope is cancelled: the loop stops at its `.await`,
    /// the children get `grace` to finish, and the call returns `Failure::Cancelled`.
    #[supervised(max_children = 500, grace = "1s")]
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

    /// How a served connection ended.
    pub enum Ending {
        /// The client closed (after its last request, answered).
        Closed,
        /// A request line longer than `MAX_LINE`.
        TooLong,
        /// No whole request within the idle deadline.
        Idle,
        /// A request and its reply not done within the request deadline.
        Stalled,
    }

    /// One connection from start to end. A connection's problems stay here: a child that
    /// returned an error would cancel the accept loop and every other connection with it.
    async fn connection(mut socket: TcpStream, shared: &Shared) {
        let stats = &shared.stats;
        let (counter, last_words) = match serve(&mut socket, shared).await {
            Ok(Ending::Closed) => return,
            Ok(Ending::TooLong) => (&stats.protocol_errors, "ERR line too long"),
            Ok(Ending::Idle) => (&stats.idle_closed, "ERR idle timeout"),
            Ok(Ending::Stalled) => (&stats.stalled_closed, "ERR request timeout"),
            Err(ServerError::Failure(Failure::Overloaded { .. })) => (&stats.refused, "ERR busy"),
            Err(ServerError::Failure(failure)) if failure.is_cancelled() => return,
            Err(_) => (&stats.connection_errors, ""),
        };
        counter.fetch_add(1, Relaxed);
        if !last_words.is_empty() {
            // Best effort: the client may be gone or not reading, which is why it ends here.
            let _ = timeout(LINGER, hang_up(&mut socket, last_words)).await;
        }
    }

    /// Serves requests until the client closes or misses a deadline. At most
    /// `MAX_CONNECTIONS` run at once; a call over the limit fails at once with
    /// `Failure::Overloaded` (`reject`). As a supervised scope it turns a panic into an error
    /// and stops at its current `.await` on shutdown; `max_poll` counts every poll longer than
    /// 10 ms (see `warden::metrics::polls()`).
    ///
    /// One request runs at a time: the next line is read only once the reply is written, so
    /// what a client pipelines waits in the socket buffers, flow-controlled by TCP, not in the
    /// server's memory or queues.
    #[supervised(max_poll = "10ms")]
    #[bounded(MAX_CONNECTIONS, reject)]
    pub async fn serve(socket: &mut TcpStream, shared: &Shared) -> Result<Ending, ServerError> {
        shared.stats.connections.fetch_add(1, Relaxed);
        let deadlines = shared.deadlines;
        let (reader, mut writer) = socket.split();
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        loop {
            let last = match timeout(deadlines.idle, read_line(&mut reader, &mut line)).await {
                Err(_elapsed) => return Ok(Ending::Idle),
                Ok(Ok(Line::Request { last })) => last,
                Ok(Ok(Line::End)) => return Ok(Ending::Closed),
                Ok(Ok(Line::TooLong)) => return Ok(Ending::TooLong),
                Ok(Err(error)) => return Err(error.into()),
            };
            let answer = async {
                let reply = match protocol::parse(&line) {
                    Ok(request) => respond(request, shared).await?,
                    Err(reason) => Reply::Error(reason),
                };
                count(&shared.stats, &reply);
                writer.write_all(format!("{reply}\n").as_bytes()).await?;
                Ok::<(), ServerError>(())
            };
            tokio::select! {
                answered = timeout(deadlines.request, answer) => match answered {
                    Err(_elapsed) => return Ok(Ending::Stalled),
                    Ok(written) => written?,
                },
                // Dropping `answer` cancels the token of a `HASH` in progress.
                () = reset(&mut reader) => return Ok(Ending::Closed),
            }
            if last {
                return Ok(Ending::Closed);
            }
            if line.capacity() > KEEP_BUFFER {
                line = Vec::new();
            }
        }
    }

    fn count(stats: &Stats, reply: &Reply) {
        stats.requests.fetch_add(1, Relaxed);
        if matches!(reply, Reply::Error(_)) {
            stats.protocol_errors.fetch_add(1, Relaxed);
        }
    }

    /// Resolves when the client resets the connection. Pipelined bytes and a plain close do
    /// not count: a client may half-close after its last request and still read the reply.
    async fn reset<R: AsyncBufRead + Unpin>(reader: &mut R) {
        if reader.fill_buf().await.is_err() {
            return;
        }
        std::future::pending::<()>().await;
    }

    /// How reading one request line ended.
    enum Line {
        /// A request in the buffer; `last` if the client closed right after it, without a
        /// newline (it is answered all the same).
        Request {
            last: bool,
        },
        /// The client closed between requests.
        End,
        TooLong,
    }

    /// Reads one request into `buf`, never more than `MAX_LINE` bytes, without its line
    /// ending: `\n`, or `\r\n` from a CRLF client (one `\r` is stripped, here only).
    async fn read_line<R: AsyncBufRead + Unpin>(
        reader: &mut R,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<Line> {
        buf.clear();
        let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX);
        reader.take(limit).read_until(b'\n', buf).await?;
        let last = match buf.last() {
            Some(b'\n') => {
                buf.pop();
                false
            }
            _ if buf.len() >= MAX_LINE => return Ok(Line::TooLong),
            Some(_) => true,
            None => return Ok(Line::End),
        };
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        Ok(Line::Request { last })
    }

    /// One request, with a full limit on the way answered `ERR busy`.
    async fn respond(request: Request, shared: &Shared) -> Result<Reply, ServerError> {
        match execute(request, shared).await {
            Err(ServerError::Failure(Failure::Overloaded { .. })) => Ok(Reply::Busy),
            other => other,
        }
    }

    /// Runs one request. A write is stored before its `OK` is sent, so an acknowledged write is
    /// never lost; a write past the store's cap changes nothing and is answered `ERR full`.
    #[bounded(MAX_REQUESTS, wait = "100ms")]
    async fn execute(request: Request, shared: &Shared) -> Result<Reply, ServerError> {
        let store = &shared.store;
        Ok(match request {
            Request::Set { key, value } => match store.set(key, value) {
                Ok(()) => Reply::Ok,
                Err(Full) => Reply::Full,
            },
            Request::Get { key } => store.get(&key).map_or(Reply::NotFound, Reply::Value),
            Request::Del { key } if store.remove(&key) => Reply::Deleted,
            Request::Del { .. } => Reply::NotFound,
            Request::Hash { key } => match store.get(&key) {
                Some(value) => hash(value, &shared.stats).await?,
                None => Reply::NotFound,
            },
            Request::Tree => Reply::Tree(warden::metrics::tree().to_string()),
        })
    }

    /// Milliseconds of CPU: on the blocking pool, not on an executor thread. The token the
    /// closure gets is cancelled when this future is dropped (the client reset, the request
    /// deadline passed, the server is shutting down), and the digest stops within 64 KiB.
    #[bounded(MAX_HASHES, reject)]
    async fn hash(value: Arc<str>, stats: &Arc<Stats>) -> Result<Reply, ServerError> {
        let stats = Arc::clone(stats);
        stats.hashes_started.fetch_add(1, Relaxed);
        let digest = warden::offload_with_token(move |token| {
            let digest = protocol::digest_until(value.as_bytes(), || token.is_cancelled());
            let ended = match digest {
                Some(_) => &stats.hashes_finished,
                None => &stats.hashes_cancelled,
            };
            ended.fetch_add(1, Relaxed);
            digest
        })
        .await?;
        Ok(digest.map_or(Reply::Busy, Reply::Digest))
    }

    /// Sends a last line and closes. It reads what the client already sent first: closing with
    /// unread input resets the connection, and the reset could destroy the line before the
    /// client reads it. The caller bounds the whole with `LINGER`.
    async fn hang_up(socket: &mut TcpStream, last_words: &str) -> std::io::Result<()> {
        socket
            .write_all(format!("{last_words}\n").as_bytes())
            .await?;
        socket.shutdown().await?;
        let mut sink = [0u8; 1024];
        while socket.read(&mut sink).await? > 0 {}
        Ok(())
    }
}
