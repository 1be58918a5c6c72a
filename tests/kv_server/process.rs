//! The built `kv_server` example as a process, abused the way real clients abuse a server:
//! idle and non-reading connections, a connection flood, SIGTERM under load, a closed stdout,
//! a signal the instant the port is printed, a client filling the store.
//!
//! One test at a time (`alone`): they measure response times on a shared machine, and the
//! flood needs most of the file descriptors.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};

use super::alone;
use super::program::Server;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// One request on a fresh connection; the reply line, or what went wrong.
async fn ask(addr: SocketAddr, request: &str) -> io::Result<String> {
    let mut stream = tokio::io::BufReader::new(TcpStream::connect(addr).await?);
    stream
        .get_mut()
        .write_all(format!("{request}\n").as_bytes())
        .await?;
    let mut reply = String::new();
    stream.read_line(&mut reply).await?;
    Ok(reply.trim_end().to_owned())
}

/// The `nth` number on the report line labelled `label`.
fn reported(stdout: &str, label: &str, nth: usize) -> u64 {
    let line = stdout.lines().find(|l| l.trim_start().starts_with(label));
    let line = line.unwrap_or_else(|| panic!("no `{label}` in the report:\n{stdout}"));
    let words = line.trim_start()[label.len()..].split_whitespace();
    let number = words.filter_map(|w| w.parse().ok()).nth(nth);
    number.unwrap_or_else(|| panic!("no number {nth} in {line:?}"))
}

#[test]
fn idle_and_non_reading_clients_lose_their_slots_to_a_fresh_client() {
    const IDLE: Duration = Duration::from_secs(2);
    let _alone = alone();
    let server = Server::start(&["--idle", "2", "--request", "1"]);
    let addr = server.addr;
    let served_after = runtime().block_on(async {
        let big = "b".repeat(1000 * 1024);
        assert_eq!(ask(addr, &format!("SET big {big}")).await.unwrap(), "OK");
        // 64 that connect and say nothing, then 64 that ask for 16 MB and read none of it.
        let mut abusers = Vec::new();
        for _ in 0..64 {
            abusers.push(TcpStream::connect(addr).await.expect("connect"));
        }
        for _ in 0..64 {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream.write_all(&b"GET big\n".repeat(16)).await.unwrap();
            abusers.push(stream);
        }
        let started = Instant::now();
        loop {
            match ask(addr, "GET fresh").await.as_deref() {
                Ok("NOT_FOUND") => break,
                Ok("ERR busy") | Err(_) => sleep(Duration::from_millis(20)).await,
                Ok(other) => panic!("unexpected reply {other:?}"),
            }
            assert!(started.elapsed() < 2 * IDLE, "no slot freed");
        }
        let served_after = started.elapsed();
        // Held open until every deadline passed, so the server is the one closing them.
        sleep((IDLE + Duration::from_millis(500)).saturating_sub(served_after)).await;
        drop(abusers);
        served_after
    });
    let (status, stdout, stderr) = server.stop();
    eprintln!("a fresh client was served after {served_after:?}");
    assert!(status.success(), "{status}\n{stderr}");
    assert!(
        served_after < IDLE + Duration::from_millis(500),
        "served after {served_after:?}"
    );
    let idle = reported(&stdout, "closed by a deadline", 0);
    let stalled = reported(&stdout, "closed by a deadline", 1);
    // Every abuser that got a slot (64 idle, 36 of the non-reading) lost it to a deadline.
    assert!(idle + stalled == 100 && stalled >= 1, "{stdout}");
}

#[test]
fn a_fresh_client_is_answered_within_a_second_under_a_flood() {
    const FLOOD: usize = 2_000;
    let _alone = alone();
    // Each flood connection is a socket here and, for a moment, one in the server.
    let wanted = 2 * FLOOD as u64 + 200;
    let limit = rlimit::increase_nofile_limit(wanted).expect("the file limit");
    assert!(
        limit >= wanted,
        "the file limit is {limit}: raise the hard limit to {wanted}"
    );
    let server = Server::start(&[]);
    let addr = server.addr;
    let answered_after = runtime().block_on(async {
        // All at once; each asks, reads nothing and stays connected until the end.
        let connected = Arc::new(AtomicUsize::new(0));
        let (done, hold) = tokio::sync::watch::channel(());
        let mut flood = tokio::task::JoinSet::new();
        for _ in 0..FLOOD {
            let (connected, mut hold) = (Arc::clone(&connected), hold.clone());
            flood.spawn(async move {
                let mut stream = TcpStream::connect(addr).await?;
                connected.fetch_add(1, Relaxed);
                stream.write_all(b"GET flood\n").await?;
                let _ = hold.changed().await;
                Ok::<_, io::Error>(())
            });
        }
        // The fresh client comes while the flood is at its height.
        while connected.load(Relaxed) < FLOOD / 2 {
            sleep(Duration::from_millis(1)).await;
        }
        let started = Instant::now();
        let reply = timeout(Duration::from_secs(5), ask(addr, "GET fresh")).await;
        let reply = reply.expect("an answer").expect("a reply line");
        assert!(
            matches!(reply.as_str(), "NOT_FOUND" | "ERR busy"),
            "{reply}"
        );
        let answered_after = started.elapsed();
        drop(done);
        while let Some(client) = flood.join_next().await {
            client.expect("flood client").expect("flood connect");
        }
        answered_after
    });
    let (status, stdout, stderr) = server.stop();
    eprintln!("under {FLOOD} connections, a fresh client was answered after {answered_after:?}");
    assert!(status.success(), "{status}\n{stderr}");
    assert!(
        answered_after < Duration::from_secs(1),
        "answered after {answered_after:?}"
    );
    assert!(reported(&stdout, "connections", 1) > 1_000, "{stdout}");
}

#[test]
fn sigterm_under_load_exits_0_with_every_acknowledged_write_readable() {
    let _alone = alone();
    let server = Server::start(&[]);
    let addr = server.addr;
    let rt = runtime();
    let writers: Vec<_> = (0..8)
        .map(|id| rt.spawn(write_and_read_back(addr, id)))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (status, stdout, stderr) = server.stop();
    let mut acknowledged = 0;
    for writer in writers {
        let (acked, wrong) = rt.block_on(writer).expect("writer");
        assert_eq!(wrong, Vec::<String>::new(), "acknowledged but not readable");
        acknowledged += acked;
    }
    assert!(status.success(), "{status}\n{stderr}");
    assert!(acknowledged > 10, "{acknowledged}");
    assert!(stdout.contains("\nreport\n"), "{stdout}");
    assert_eq!(reported(&stdout, "tasks left", 0), 0, "{stdout}");
    assert!(stderr.contains("shutdown complete"), "{stderr}");
}

/// Writes keys until the server goes, reading each back right after its `OK`. Returns the
/// acknowledged count and the keys that were then not readable.
async fn write_and_read_back(addr: SocketAddr, id: usize) -> (usize, Vec<String>) {
    let Ok(stream) = TcpStream::connect(addr).await else {
        return (0, Vec::new());
    };
    let mut stream = tokio::io::BufReader::new(stream);
    let (mut acked, mut wrong) = (0, Vec::new());
    for i in 0.. {
        let key = format!("w{id}:{i}");
        let exchange = format!("SET {key} v{i}\nGET {key}\n");
        if stream
            .get_mut()
            .write_all(exchange.as_bytes())
            .await
            .is_err()
        {
            break;
        }
        let mut replies = String::new();
        let _ = stream.read_line(&mut replies).await;
        if replies != "OK\n" {
            break;
        }
        acked += 1;
        let mut value = String::new();
        let _ = stream.read_line(&mut value).await;
        // Once shutdown starts the connection may close before the GET: only a wrong value
        // is a lost write.
        if !value.is_empty() && value != format!("VALUE v{i}\n") {
            wrong.push(key);
        }
    }
    (acked, wrong)
}

#[test]
fn a_closed_stdout_does_not_crash_it() {
    let _alone = alone();
    let mut server = Server::start(&[]);
    // `kv_server --serve | head -1`: the reader of stdout goes after the first line.
    drop(server.stdout.take());
    let reply = runtime().block_on(ask(server.addr, "GET x"));
    assert_eq!(reply.expect("still serving"), "NOT_FOUND");
    let (status, _, stderr) = server.stop();
    assert!(status.success(), "{status}\n{stderr}");
    assert!(
        stderr.contains("\nreport\n"),
        "the report, on stderr:\n{stderr}"
    );
}

#[test]
fn a_signal_sent_the_instant_the_port_is_printed_shuts_down_gracefully() {
    let _alone = alone();
    for signal in ["TERM", "INT", "TERM", "INT", "TERM"] {
        let server = Server::start_then(&[], Some(signal));
        let (status, stdout, stderr) = server.exit();
        assert!(status.success(), "SIG{signal}: {status}\n{stderr}");
        assert!(stdout.contains("\nreport\n"), "SIG{signal}: {stdout}");
    }
}

#[test]
fn memory_stays_under_the_cap_while_a_client_writes_unique_values() {
    const CAP_KIB: u64 = 64 * 1024;
    let _alone = alone();
    let server = Server::start(&[]);
    let addr = server.addr;
    let before = server.rss_kib();
    let (ok, full, peak) = runtime().block_on(async {
        let mut stream = tokio::io::BufReader::new(TcpStream::connect(addr).await.unwrap());
        let (mut ok, mut full, mut peak) = (0, 0, 0);
        for i in 0..160 {
            // 1000 KiB, unique: the key and the value's first bytes differ every time.
            let value = format!("{i:08}{}", "u".repeat(1000 * 1024));
            let request = format!("SET unique{i} {value}\n");
            stream
                .get_mut()
                .write_all(request.as_bytes())
                .await
                .unwrap();
            let mut reply = String::new();
            stream.read_line(&mut reply).await.unwrap();
            match reply.as_str() {
                "OK\n" => ok += 1,
                "ERR full\n" => full += 1,
                other => panic!("{other:?}"),
            }
            peak = peak.max(server.rss_kib());
        }
        (ok, full, peak)
    });
    let (status, _, stderr) = server.stop();
    eprintln!("{ok} OK then {full} ERR full; RSS {before} KiB at start, {peak} KiB at most");
    assert!(status.success(), "{status}\n{stderr}");
    assert!(
        (60..=65).contains(&ok) && full == 160 - ok,
        "{ok} OK, {full} full"
    );
    assert!(
        peak < before + CAP_KIB + 32 * 1024,
        "peak RSS {peak} KiB, {before} KiB at start"
    );
}
