//! The `kv_server` example in-process: concurrent clients, malformed and abandoned requests, the
//! connection limit, then a shutdown that must lose no acknowledged write, close every
//! connection within the grace period and leave no task alive.
//!
//! One test drives the server through its phases: warden's limits and counters are process-wide,
//! so two servers in one test binary would see each other's load. `process` runs the built
//! example as a program and abuses it the way real clients do.

#[path = "../examples/kv_server/protocol.rs"]
mod protocol;
#[path = "../examples/kv_server/server.rs"]
mod server;
#[path = "../examples/kv_server/stats.rs"]
mod stats;
#[path = "../examples/kv_server/store.rs"]
mod store;

#[cfg(target_os = "linux")]
#[path = "kv_server/process.rs"]
mod process;
#[cfg(target_os = "linux")]
#[path = "kv_server/program.rs"]
mod program;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::timeout;

use protocol::{MAX_LINE, Request};
use server::Shared;
use server::handlers::MAX_CONNECTIONS;
use stats::StatsSnapshot;

const GRACE: Duration = Duration::from_secs(1);
/// Any single wait of the test; the whole test takes well under a second when healthy.
const PATIENCE: Duration = Duration::from_secs(5);

/// Serialises the tests of this binary: some measure response times, one needs most of the
/// file descriptors.
fn alone() -> std::sync::MutexGuard<'static, ()> {
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ALONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One connection, one request at a time.
struct Client(BufReader<TcpStream>);

impl Client {
    async fn connect(addr: SocketAddr) -> io::Result<Self> {
        Ok(Client(BufReader::new(TcpStream::connect(addr).await?)))
    }

    async fn send(&mut self, line: &[u8]) -> io::Result<()> {
        self.0.get_mut().write_all(line).await
    }

    /// The next reply line without its newline; empty once the server closed.
    async fn reply(&mut self) -> io::Result<String> {
        let mut reply = String::new();
        timeout(PATIENCE, self.0.read_line(&mut reply))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no reply"))??;
        Ok(reply.trim_end().to_owned())
    }

    async fn call(&mut self, request: &str) -> io::Result<String> {
        self.send(format!("{request}\n").as_bytes()).await?;
        self.reply().await
    }
}

#[test]
fn the_protocol_parses_requests_and_names_what_is_wrong() {
    assert_eq!(
        protocol::parse(b"SET k a value with spaces"),
        Ok(Request::Set {
            key: "k".into(),
            value: "a value with spaces".into()
        })
    );
    assert_eq!(
        protocol::parse(b"get k"),
        Ok(Request::Get { key: "k".into() })
    );
    for (line, reason) in [
        (&b""[..], "empty request"),
        (b"SET k", "usage: SET <key> <value>"),
        (b"DEL", "usage: DEL <key>"),
        (b"HASH a b", "usage: HASH <key>"),
        (b"\xff\xfe", "request is not UTF-8"),
    ] {
        assert_eq!(protocol::parse(line), Err(reason.to_owned()));
    }
    let unknown = protocol::parse(b"FLY\x07 away").unwrap_err();
    assert_eq!(
        unknown,
        "unknown command `FLY\\u{7}`: use SET, GET, DEL, HASH or TREE"
    );
}

#[test]
fn serves_sheds_load_and_shuts_down_without_losing_a_write() {
    let _alone = alone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        timeout(Duration::from_secs(20), scenario())
            .await
            .expect("the scenario finishes");
    });
}

async fn scenario() {
    // Deadlines longer than any phase: the limit phase holds idle connections on purpose.
    let deadlines = server::Deadlines {
        idle: 2 * PATIENCE,
        request: PATIENCE,
    };
    let server =
        server::Server::bind(SocketAddr::from(([127, 0, 0, 1], 0)), deadlines).expect("bind");
    let addr = server.local_addr().expect("address");
    let shared = server.shared();
    let root = warden::Root::new().grace(GRACE).signals(false);
    let stop = root.shutdown_handle();
    let running = tokio::spawn(root.run(server.run()));

    let acknowledged = concurrent_writers(addr).await;
    assert!(acknowledged.len() >= 16 * 40, "{}", acknowledged.len());
    malformed_input_gets_errors(addr).await;
    hash_is_computed_off_the_executor(addr).await;
    crlf_and_a_last_line_without_newline(addr).await;
    tree_shows_the_servers_supervision_tree(addr).await;
    a_reset_connection_cancels_its_hash(addr, &shared).await;

    // Every write that got its OK is there, abandoned requests notwithstanding.
    let mut reader = Client::connect(addr).await.expect("connect");
    for (key, value) in &acknowledged {
        assert_eq!(
            reader.call(&format!("GET {key}")).await.expect("GET"),
            format!("VALUE {value}"),
            "acknowledged write {key} lost"
        );
    }
    drop(reader);

    let idle = the_limit_refuses_with_err_busy(addr).await;

    // Shutdown: the idle connections hold the whole limit and must be closed by the server.
    stop.shutdown();
    let started = Instant::now();
    let outcome = timeout(GRACE + PATIENCE, running)
        .await
        .expect("the root returns")
        .expect("the root's task");
    let shutdown_took = started.elapsed();
    assert!(
        matches!(outcome, Ok(Ok(()))),
        "a clean shutdown: {outcome:?}"
    );
    assert!(shutdown_took < GRACE, "shutdown took {shutdown_took:?}");
    for mut client in idle {
        let mut rest = Vec::new();
        let read = timeout(GRACE, client.0.read_to_end(&mut rest)).await;
        assert!(
            matches!(read, Ok(Ok(0) | Err(_))),
            "the server closed every connection within the grace period: {read:?}"
        );
    }
    assert_eq!(
        warden::metrics::live_children(),
        0,
        "no task outlives the root"
    );
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
    let stats = shared.stats.snapshot();
    // Only the 8 clients that hung up before their reply can break a connection (the `OK`
    // written to a closed socket).
    assert!(stats.connection_errors <= 8, "{stats:?}");
    assert!(stats.protocol_errors >= 7, "{stats:?}");
}

/// 16 clients write 50 keys each, some of them rude: half of each rude client's connections
/// end mid-line or right after a request without reading the reply. Returns the writes that
/// got their `OK`.
async fn concurrent_writers(addr: SocketAddr) -> HashMap<String, String> {
    let mut clients = JoinSet::new();
    for id in 0..16 {
        clients.spawn(async move {
            let mut acked = Vec::new();
            let mut client = Client::connect(addr).await?;
            for i in 0..50 {
                let (key, value) = (format!("w{id}:{i}"), format!("value {id} {i}"));
                let rude = id % 4 == 0 && i % 10 == 9;
                if rude && i % 20 == 9 {
                    // Disconnects mid-request: half a line, then gone.
                    client.send(format!("SET {key} {value}").as_bytes()).await?;
                } else if rude {
                    // Disconnects before the acknowledgement: the write may or may not be there.
                    client
                        .send(format!("SET {key} {value}\n").as_bytes())
                        .await?;
                } else {
                    let reply = client.call(&format!("SET {key} {value}")).await?;
                    assert_eq!(reply, "OK", "SET {key}");
                    acked.push((key, value));
                    continue;
                }
                client = Client::connect(addr).await?;
            }
            Ok::<_, io::Error>(acked)
        });
    }
    let mut acknowledged = HashMap::new();
    while let Some(done) = clients.join_next().await {
        acknowledged.extend(done.expect("client task").expect("client i/o"));
    }
    acknowledged
}

/// Each malformed line gets `ERR <reason>` and the connection stays usable; a line over the
/// limit gets `ERR line too long` and a closed connection.
async fn malformed_input_gets_errors(addr: SocketAddr) {
    let mut client = Client::connect(addr).await.expect("connect");
    for line in [
        &b"\n"[..],
        b"NOPE\n",
        b"GET\n",
        b"SET onlykey\n",
        b"\xff\xfe\xfd\n",
        b"DEL a b c\n",
        b"\0\0\0\n",
    ] {
        client.send(line).await.expect("send");
        let reply = client.reply().await.expect("reply");
        assert!(reply.starts_with("ERR "), "{line:?} got {reply:?}");
    }
    assert_eq!(client.call("GET nothing").await.expect("GET"), "NOT_FOUND");

    let too_long = vec![b'x'; MAX_LINE + 100];
    client.send(&too_long).await.expect("send");
    assert_eq!(client.reply().await.expect("reply"), "ERR line too long");
    assert_eq!(
        client.reply().await.expect("EOF"),
        "",
        "then the server closes"
    );
}

/// `HASH` replies the digest of the stored value, computed on the blocking pool.
async fn hash_is_computed_off_the_executor(addr: SocketAddr) {
    let value = "0123456789abcdef".repeat(16 * 1024);
    let expected = format!("DIGEST {:016x}", protocol::digest(value.as_bytes()));
    let mut client = Client::connect(addr).await.expect("connect");
    assert_eq!(
        client.call(&format!("SET big {value}")).await.expect("SET"),
        "OK"
    );
    assert_eq!(client.call("HASH big").await.expect("HASH"), expected);
    assert_eq!(
        client.call("HASH missing").await.expect("HASH"),
        "NOT_FOUND"
    );
}

/// Fills the limit with idle connections (each proven served by one request), then one more
/// is told `ERR busy` and counted. Returns the idle connections, still open.
async fn the_limit_refuses_with_err_busy(addr: SocketAddr) -> Vec<Client> {
    // The connections of the earlier phases hold their permits until the server saw them close.
    timeout(PATIENCE, async {
        while serve_bound().in_flight > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("every earlier connection ends");
    let rejected_before = serve_bound().rejected;
    let mut idle = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        let mut client = Client::connect(addr).await.expect("connect");
        assert_eq!(client.call("GET idle").await.expect("GET"), "NOT_FOUND");
        idle.push(client);
    }
    let mut extra = Client::connect(addr).await.expect("connect");
    assert_eq!(extra.call("GET idle").await.expect("reply"), "ERR busy");
    assert_eq!(
        extra.reply().await.expect("EOF"),
        "",
        "then the server closes"
    );
    assert_eq!(serve_bound().rejected, rejected_before + 1);
    idle
}

/// The connection handler's limit, as warden's metrics show it.
fn serve_bound() -> warden::metrics::BoundSnapshot {
    warden::metrics::bounds()
        .into_iter()
        .find(|b| b.name.ends_with("::handlers::serve"))
        .expect("the handler's bound is listed once it was used")
}

/// A CRLF client's `\r` is stripped once, at the framing; a last request without a newline,
/// followed by the client's half-close, is answered before the server closes.
async fn crlf_and_a_last_line_without_newline(addr: SocketAddr) {
    let mut client = Client::connect(addr).await.expect("connect");
    client.send(b"SET crlf a value\r\n").await.expect("send");
    assert_eq!(client.reply().await.expect("reply"), "OK");
    client.send(b"GET crlf\r\n").await.expect("send");
    assert_eq!(client.reply().await.expect("reply"), "VALUE a value");
    client.send(b"SET cr two\r\r\n").await.expect("send");
    client.send(b"GET cr").await.expect("send");
    client.0.get_mut().shutdown().await.expect("half-close");
    assert_eq!(client.reply().await.expect("reply"), "OK");
    let mut rest = String::new();
    timeout(PATIENCE, client.0.read_to_string(&mut rest))
        .await
        .expect("the server closes")
        .expect("read");
    assert_eq!(rest, "VALUE two\r\n", "only one `\\r` is stripped");
}

/// A client that resets its connection while its `HASH` runs: the hash sees its token
/// cancelled and stops, instead of burning a core for nobody.
async fn a_reset_connection_cancels_its_hash(addr: SocketAddr, shared: &Shared) {
    let mut client = Client::connect(addr).await.expect("connect");
    let value = "z".repeat(MAX_LINE - 100);
    let set = client.call(&format!("SET huge {value}")).await;
    assert_eq!(set.expect("SET"), "OK");
    assert!(
        shared.store.bytes() > value.len(),
        "the store counts what it holds"
    );
    let before = shared.stats.snapshot();
    client.send(b"HASH huge\n").await.expect("send");
    let started = |s: &StatsSnapshot| s.hashes_started > before.hashes_started;
    wait_for(shared, started).await;
    // SO_LINGER 0: the close sends a reset, as a killed client's kernel does with unread data.
    client.0.get_ref().set_zero_linger().expect("linger");
    drop(client);
    let cancelled = |s: &StatsSnapshot| s.hashes_cancelled > before.hashes_cancelled;
    wait_for(shared, cancelled).await;
    assert_eq!(shared.stats.snapshot().hashes_running(), 0);
}

/// Waits until the server's counters say `done`.
async fn wait_for(shared: &Shared, done: impl Fn(&StatsSnapshot) -> bool) {
    timeout(PATIENCE, async {
        while !done(&shared.stats.snapshot()) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{:?}", shared.stats.snapshot()));
}

/// `TREE` answers warden's live tree: the accept loop's scope, a task per connection, the
/// asking connection's `serve` scope inside its task, then `END`.
async fn tree_shows_the_servers_supervision_tree(addr: SocketAddr) {
    let mut client = Client::connect(addr).await.expect("connect");
    // A scope is listed once it first waits: here, for the request after this one.
    assert_eq!(
        client.call("GET before-tree").await.expect("GET"),
        "NOT_FOUND"
    );
    client.send(b"TREE\n").await.expect("send");
    let mut lines = Vec::new();
    loop {
        let line = client.reply().await.expect("a tree line");
        if line == "END" {
            break;
        }
        assert!(!line.is_empty(), "the tree ends with END: {lines:#?}");
        lines.push(line);
    }
    let tree = lines.join("\n");
    assert!(tree.contains("handlers::accept_loop running"), "{tree}");
    assert!(tree.contains("── connection (task)"), "{tree}");
    assert!(tree.contains("::handlers::serve running"), "{tree}");
    assert_eq!(
        client.call("GET after-tree").await.expect("GET"),
        "NOT_FOUND"
    );
}
