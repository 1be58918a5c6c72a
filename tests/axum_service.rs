//! The `axum_service` example over loopback, with an HTTP/1.1 client of a few lines: a 200, a
//! 503 from a full `#[bounded(.., reject)]` handler, and a shutdown that drains the request in
//! flight.
//!
//! One test in phases: the handler's limit is a process-wide `static`.

#[path = "../examples/axum_service/app.rs"]
mod app;

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

use app::handlers::SLOW_LIMIT;

const GRACE: Duration = Duration::from_secs(2);
const PATIENCE: Duration = Duration::from_secs(5);

/// A response as the test reads it.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: String,
}

/// `GET path` on a fresh connection with `Connection: close`, read to the end.
async fn get(addr: SocketAddr, path: &str) -> io::Result<Reply> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        Ok::<_, io::Error>(String::from_utf8_lossy(&raw).into_owned())
    };
    let text = timeout(PATIENCE, exchange)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no response"))??;
    let bad = || io::Error::new(io::ErrorKind::InvalidData, text.clone());
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(bad)?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    Ok(Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

/// Requests of `/slow/{ms}` holding a permit now.
fn slow_in_flight() -> usize {
    warden::metrics::bounds()
        .into_iter()
        .find(|b| b.name.ends_with("::handlers::slow"))
        .map_or(0, |b| b.in_flight)
}

async fn until_slow_in_flight(n: usize) {
    timeout(PATIENCE, async {
        while slow_in_flight() != n {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{n} slow requests in flight"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_sheds_load_and_drains_on_shutdown() {
    timeout(Duration::from_secs(20), scenario())
        .await
        .expect("the scenario finishes");
}

async fn scenario() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let root = warden::Root::new().grace(GRACE).signals(false);
    let stop = root.shutdown_handle();
    let running = tokio::spawn(root.run(app::serve(listener, stop.clone())));

    let hello = get(addr, "/").await.expect("GET /");
    assert_eq!(
        (hello.status, hello.body.as_str()),
        (200, "hello from warden\n")
    );
    let checksum = get(addr, "/checksum/256").await.expect("GET /checksum");
    assert_eq!(checksum.status, 200, "{checksum:?}");
    assert_eq!(checksum.body.trim().len(), 16, "{checksum:?}");
    let too_big = get(addr, "/checksum/999999").await.expect("GET /checksum");
    assert_eq!(too_big.status, 400, "{too_big:?}");

    // Overload: SLOW_LIMIT requests hold every permit, the next one is refused at once.
    let holders: Vec<_> = (0..SLOW_LIMIT)
        .map(|_| tokio::spawn(get(addr, "/slow/300")))
        .collect();
    until_slow_in_flight(SLOW_LIMIT).await;
    let refused = get(addr, "/slow/300").await.expect("GET /slow");
    assert_eq!(refused.status, 503, "{refused:?}");
    assert!(
        refused.head.to_ascii_lowercase().contains("retry-after: 1"),
        "{refused:?}"
    );
    assert!(refused.body.contains("overloaded"), "{refused:?}");
    for holder in holders {
        let served = holder.await.expect("task").expect("GET /slow");
        assert_eq!(served.status, 200, "{served:?}");
    }

    // Drain: a request in flight when the shutdown starts still gets its answer.
    let in_flight = tokio::spawn(get(addr, "/slow/400"));
    until_slow_in_flight(1).await;
    let started = Instant::now();
    stop.shutdown();
    let drained = in_flight.await.expect("task").expect("GET /slow");
    assert_eq!(
        (drained.status, drained.body.as_str()),
        (200, "slept 400 ms\n")
    );
    let outcome = timeout(GRACE + PATIENCE, running)
        .await
        .expect("the root returns")
        .expect("the root's task");
    assert!(matches!(outcome, Ok(Ok(()))), "{outcome:?}");
    assert!(
        started.elapsed() < GRACE,
        "drained in {:?}",
        started.elapsed()
    );
    assert!(
        get(addr, "/").await.is_err(),
        "no new request is served after the shutdown"
    );
    assert_eq!(
        warden::metrics::live_children(),
        0,
        "no task outlives the root"
    );
}
