//! The blocking-API table, through every way a call can be written (moved here from the ui
//! suite: none of these needs a real compile to show what the engine decides).

use super::{findings_in, headlines, item_only, lib};

/// The headline of every finding in `handler` of a one-file crate.
fn handler(src: &str) -> Vec<String> {
    headlines(&findings_in(&lib(src), "handler"))
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn paths_written_in_full_or_with_leading_colons() {
    assert_eq!(
        handler(
            "async fn handler(p: &str) -> std::io::Result<String> {
                     ::std::thread::sleep(::std::time::Duration::from_millis(10));
                     let text = std::fs::read_to_string(p)?;
                     Ok(text)
                 }"
        ),
        [
            "`std::thread::sleep` puts the executor thread to sleep",
            "`std::fs::read_to_string` does file-system I/O synchronously",
        ]
    );
}

#[test]
fn file_level_module_imports() {
    assert_eq!(
        handler(
            "use std::{fs, thread}; use std::net::TcpStream;
                 async fn handler(p: &str) -> std::io::Result<()> {
                     let _bytes = fs::read(p)?;
                     thread::sleep(D);
                     let _stream = TcpStream::connect(\"127.0.0.1:6379\")?;
                     Ok(())
                 }"
        ),
        [
            "`fs::read` (`std::fs::read`) does file-system I/O synchronously",
            "`thread::sleep` (`std::thread::sleep`) puts the executor thread to sleep",
            "`TcpStream::connect` (`std::net::TcpStream::connect`) does network I/O synchronously",
        ]
    );
}

#[test]
fn uses_in_the_body_and_in_an_inline_module() {
    let src = "async fn handler() -> Vec<u8> {
                   use std::fs::read as slurp;
                   use std::thread;
                   thread::sleep(D);
                   slurp(\"data.bin\").unwrap_or_default()
               }
               mod worker {
                   use std::thread::sleep as nap;
                   pub async fn tick() { nap(D); }
               }";
    assert_eq!(
        handler(src),
        [
            "`thread::sleep` (`std::thread::sleep`) puts the executor thread to sleep",
            "`slurp` (`std::fs::read`) does file-system I/O synchronously",
        ]
    );
    assert_eq!(
        headlines(&findings_in(&lib(src), "tick")),
        ["`nap` (`std::thread::sleep`) puts the executor thread to sleep"]
    );
}

#[test]
fn sockets_and_processes() {
    assert_eq!(
        handler(
            "use std::process::Command; use std::fs::OpenOptions;
                 async fn handler() -> std::io::Result<()> {
                     let socket = std::net::UdpSocket::bind(\"127.0.0.1:0\")?;
                     let mut buf = [0u8; 512];
                     let (n, peer) = socket.recv_from(&mut buf)?;
                     socket.send_to(&buf[..n], peer)?;
                     let _out = Command::new(\"git\").arg(\"status\").output()?;
                     let _code = std::process::Command::new(\"true\").status()?;
                     let _log = OpenOptions::new().append(true).create(true).open(\"app.log\")?;
                     Ok(())
                 }"
        ),
        [
            "`std::net::UdpSocket::bind` does network I/O synchronously",
            "`.recv_from()` (`std::net::UdpSocket::recv_from`) does network I/O synchronously",
            "`.send_to()` (`std::net::UdpSocket::send_to`) does network I/O synchronously",
            "`.output()` (`std::process::Command::output`) waits for a child process synchronously",
            "`.status()` (`std::process::Command::status`) waits for a child process synchronously",
            "`.open()` (`std::fs::OpenOptions::open`) does file-system I/O synchronously",
        ]
    );
}

#[test]
fn methods_that_only_block_are_flagged_on_any_receiver() {
    let found = handler(
        "use tokio::sync::{mpsc, Mutex, RwLock};
         async fn handler(tx: mpsc::Sender<u8>, mut rx: mpsc::Receiver<u8>, m: &Mutex<u8>, rw: &RwLock<u8>, rt: &Rt) {
             let _m = *m.blocking_lock();
             let _r = *rw.blocking_read();
             let _w = *rw.blocking_write();
             let _ = tx.blocking_send(1);
             let _ = rx.blocking_recv();
             let _ = rt.block_on(async { 2 });
         }",
    );
    assert_eq!(found.len(), 6, "{found:#?}");
    assert!(found[0].starts_with("`.blocking_lock()` is tokio's blocking variant"));
    assert!(found[5].starts_with("`.block_on()` drives a future to completion"));
}

#[test]
fn other_crates_blocking_apis() {
    assert_eq!(
        handler(
            "async fn handler() -> u8 {
                     let _ = reqwest::blocking::get(\"https://example.invalid\");
                     futures::executor::block_on(async { 1 })
                 }"
        ),
        [
            "`reqwest::blocking::get` is reqwest's blocking client, which runs a runtime of its own",
            "`futures::executor::block_on` drives a future to completion by blocking the thread (and panics or deadlocks inside a runtime)",
        ]
    );
}

#[test]
fn macro_arguments_are_checked() {
    let found = item_only(
        "async fn show(path: &str) -> String {
             println!(\"{:?}\", std::fs::read_to_string(\"motd\"));
             format!(\"{path}: {:?}\", std::fs::metadata(path))
         }",
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}
