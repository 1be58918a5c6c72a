//! R1 and closures: a sync closure runs where it is called. Written in place as an argument it
//! runs in that call (an iterator adapter: on the executor; `spawn_blocking`: off it); bound to a
//! name, it runs where the name is called, and handed on by name its place is not known.

mod support;

use support::{Rules::NoBlocking, clean, findings};

/// A service names its blocking job before handing it to the blocking pool; the job's body was
/// reported as if it ran on the executor where it was written.
#[test]
fn a_named_closure_handed_to_the_blocking_pool_is_not_blocking() {
    clean(
        NoBlocking,
        "async fn f(path: std::path::PathBuf) -> usize {
            let job = move || std::fs::read(&path).map(|v| v.len());
            let a = tokio::task::spawn_blocking(job).await.unwrap().unwrap();
            let path = std::path::PathBuf::from(\"x\");
            let job = move || std::fs::read(&path).map(|v| v.len());
            let b = warden::offload(job).await.unwrap().unwrap();
            a + b
        }
        fn start(path: std::path::PathBuf) -> tokio::task::JoinHandle<bool> {
            let job = move || path.exists();
            tokio::task::spawn_blocking(job)
        }
        async fn g() -> bool {
            start(std::path::PathBuf::from(\"y\")).await.unwrap()
        }",
    );
}

#[test]
fn a_named_closure_called_by_name_blocks_where_it_is_called() {
    let found = findings(
        NoBlocking,
        "async fn f() -> usize {
            let read = || std::fs::read(\"a\").map_or(0, |v| v.len());
            tokio::task::yield_now().await;
            read()
        }
        async fn g() -> usize {
            let read = || std::fs::read(\"a\").map_or(0, |v| v.len());
            let read = || 0;
            read()
        }",
    );
    assert_eq!(
        found,
        ["error R1 2:27 `std::fs::read` does file-system I/O synchronously"]
    );
}
