//! Section 4: a method judged by its name is an error only on a receiver known to be the
//! blocking type.

use super::{findings_in, findings_with, headlines, item_only, lib};

#[test]
fn user_types_with_blocking_names_are_fine() {
    let src = "struct Pool; struct Latch;
               impl Pool { fn join(&self) -> u8 { 0 } fn recv(&self) -> u8 { 0 } }
               impl Latch { fn wait(&self) {} }
               async fn handler(pool: &Pool, latch: Latch) {
                   pool.join();
                   let _ = pool.recv();
                   latch.wait();
                   let p = Pool;
                   p.join();
               }";
    let found = findings_in(&lib(src), "handler");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn unknown_receivers_are_not_errors() {
    let found = item_only(
        "async fn handler(items: Vec<Job>) {
             for rx in items { rx.recv(); }
             let f = |h| h.join();
             make().wait();
         }",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn std_types_from_parameters_lets_and_constructors() {
    let src = "use std::sync::mpsc::{self, Receiver};
               use std::sync::{Barrier, Condvar, Mutex};
               async fn handler(rx: Receiver<u8>, cv: &Condvar, m: &Mutex<bool>) {
                   let _ = rx.recv();
                   let (_tx, rx2) = mpsc::channel::<u8>();
                   let _ = rx2.recv_timeout(D);
                   let t = std::thread::spawn(|| 1);
                   let _ = t.join();
                   let b: std::sync::Arc<Barrier> = std::sync::Arc::new(Barrier::new(2));
                   b.wait();
                   let _ = cv.wait(m.lock().unwrap());
               }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(
        headlines(&found),
        [
            "`.recv()` (`std::sync::mpsc::Receiver::recv`) parks the thread until another thread acts",
            "`.recv_timeout()` (`std::sync::mpsc::Receiver::recv_timeout`) parks the thread until another thread acts",
            "`.join()` (`std::thread::JoinHandle::join`) parks the thread until another thread acts",
            "`.wait()` (`std::sync::Barrier::wait`) parks the thread until another thread acts",
            "`.wait()` (`std::sync::Condvar::wait`) parks the thread until another thread acts",
        ]
    );
}

#[test]
fn struct_fields_and_self() {
    let src = "use std::sync::mpsc::Receiver;
               struct Worker { jobs: Receiver<u32>, other: Other }
               struct Other { jobs: Vec<u32> }
               impl Worker {
                   async fn next(&self) -> Option<u32> { self.jobs.recv().ok() }
                   async fn fine(&self) -> usize { self.other.jobs.len() }
               }";
    assert_eq!(findings_in(&lib(src), "next").len(), 1);
    assert!(findings_in(&lib(src), "fine").is_empty());
}

#[test]
fn command_kept_in_a_variable() {
    let src = "use std::process::Command;
               async fn handler() {
                   let mut cmd = Command::new(\"ls\");
                   cmd.arg(\"-l\");
                   let _ = cmd.output();
                   let child = Command::new(\"sleep\").arg(\"1\").spawn().unwrap();
                   let _ = child.wait_with_output();
               }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(
        headlines(&found),
        [
            "`.output()` (`std::process::Command::output`) waits for a child process synchronously",
            "`.wait_with_output()` (`std::process::Child::wait_with_output`) waits for a child process synchronously",
        ]
    );
}

#[test]
fn path_queries_hit_the_file_system() {
    let src = "use std::path::{Path, PathBuf};
               async fn handler(p: &Path, dir: PathBuf) -> bool {
                   let cfg = dir.join(\"app.toml\");
                   p.exists() || cfg.is_file() || Path::new(\"x\").metadata().is_ok()
               }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with(
            "`.exists()` (`std::path::Path::exists`) asks the file system synchronously"
        )
    );
}

#[test]
fn user_blocking_methods_only_on_their_type() {
    let src = "use std::collections::HashMap;
               pub struct SyncClient;
               impl SyncClient { pub fn get(&self, _k: &str) -> Option<String> { None } }
               async fn handler(client: &SyncClient, cache: &HashMap<String, String>) {
                   let _ = cache.get(\"a\");
                   let _ = client.get(\"a\");
               }";
    let found = findings_with(&lib(src), "handler", &["SyncClient::get"]);
    assert_eq!(
        headlines(&found),
        ["`.get()` is listed as blocking in this attribute's `blocking(..)`"]
    );
}

#[test]
fn lock_methods_make_guards_only_on_locks() {
    let src = "use std::sync::{Arc, Mutex};
               struct Config { path: String }
               impl Config { fn read(&self) -> String { self.path.clone() } }
               struct State { hits: Arc<Mutex<u64>> }
               async fn handler(config: &Config, state: &State, shared: Arc<Mutex<u8>>) {
                   let text = config.read();
                   tokio::task::yield_now().await;
                   let hits = state.hits.lock().unwrap();
                   tokio::task::yield_now().await;
                   drop(hits);
                   let g = shared.lock().unwrap();
                   tokio::task::yield_now().await;
                   drop((text, g));
               }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(
        headlines(&found),
        [
            "`hits` is still alive at this `.await`",
            "`g` is still alive at this `.await`",
        ]
    );
    // A receiver of unknown type (a closure's parameter) makes no guard either.
    let found = item_only(
        "async fn f(items: Vec<Item>) { for m in items { let g = m.lock(); x().await; } }",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn statics_of_the_module_are_typed() {
    let src = "use std::sync::{LazyLock, Mutex};
               static CACHE: LazyLock<Mutex<Vec<u8>>> = LazyLock::new(|| Mutex::new(Vec::new()));
               async fn handler() {
                   let cache = CACHE.lock().unwrap();
                   tokio::task::yield_now().await;
                   drop(cache);
               }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(
        headlines(&found),
        ["`cache` is still alive at this `.await`"]
    );
}

#[test]
fn a_binding_shadowing_its_lock_is_a_guard() {
    let src = "async fn handler(state: &tokio::sync::Mutex<Vec<u8>>) {
                   let mut state = state.lock().await;
                   tokio::task::yield_now().await;
                   state.push(1);
               }";
    let found = findings_in(&lib(src), "handler");
    assert_eq!(
        headlines(&found),
        ["`state` is still alive at this `.await`"]
    );
}
